"""The SCIM Group adapter: a group of the org's people (members are never from elsewhere)."""

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django_scim.adapters import SCIMGroup

from accounts.actor import Actor
from accounts.models import Group
from accounts.services.groups import (
    group_create,
    group_delete,
    group_members_add,
    group_members_remove,
    group_members_set,
    group_update,
)
from provisioning.scim.adapters.common import (
    ScimAdapter,
    domain_errors,
)
from provisioning.scim.constants import GROUP_SCHEMA
from provisioning.scim.errors import InvalidPath, InvalidValue, Mutability
from provisioning.scim.patch import (
    PatchPath,
    as_text,
    get_ci,
    has_ci,
    member_ids_from_filter,
)

SCIM = Actor.scim()


class SCIMGroupAdapter(ScimAdapter, SCIMGroup):
    """The SCIM Group adapter for `accounts.Group`. Members are the org's people only."""

    id_field = "scim_id"
    resource_type = "Group"

    uris = (GROUP_SCHEMA,)

    def __init__(self, obj: Group, request: HttpRequest | None = None) -> None:
        super().__init__(obj, request=request)
        self._pending: list[Callable[[], Any]] = []
        self._fields: dict[str, Any] = {}
        self._members: list[str] | None = None

    def from_dict(self, d: dict[str, Any]) -> None:
        """Read a full Group resource (POST or PUT). A PUT without `members` leaves them;
        `members: []` empties the group."""
        self.validate_dict(d)
        display_name = as_text(get_ci(d, "displayName"), "displayName").strip()
        if not display_name:
            raise InvalidValue("'displayName' is required.")
        self._fields = {
            "display_name": display_name,
            "external_id": as_text(get_ci(d, "externalId"), "externalId"),
        }
        if has_ci(d, "members"):
            self._members = _member_ids(get_ci(d, "members"))

    def save(self) -> None:
        with domain_errors():
            if self.obj.pk is None:
                self.obj = group_create(
                    org=self.request.scim_org,
                    display_name=self._fields["display_name"],
                    external_id=self._fields["external_id"],
                    member_ids=self._members or [],
                    actor=SCIM,
                )
                return
            group_update(group=self.obj, **self._fields, actor=SCIM)
            if self._members is not None:
                group_members_set(group=self.obj, member_ids=self._members, actor=SCIM)
            for action in self._pending:
                action()

    def delete(self) -> None:
        group_delete(group=self.obj, actor=SCIM)

    def patch_attribute(self, op: str, path: PatchPath, value: Any) -> None:
        """Queue one PATCH operation; `save()` runs them in order, in one transaction."""
        group = self.obj
        if path.attr == "members":
            if path.value_filter is not None:
                if op != "remove" or path.sub is not None:
                    raise InvalidPath(f"{path.raw!r} is only supported for 'remove'.")
                ids = member_ids_from_filter(path.value_filter)
                self._pending.append(
                    lambda: group_members_remove(group=group, member_ids=ids, actor=SCIM)
                )
                return
            if op == "remove" and value is None:
                self._pending.append(
                    lambda: group_members_set(group=group, member_ids=[], actor=SCIM)
                )
                return
            ids = _member_ids(value)
            action = {
                "add": group_members_add,
                "remove": group_members_remove,
                "replace": group_members_set,
            }[op]
            self._pending.append(lambda: action(group=group, member_ids=ids, actor=SCIM))
        elif path.attr == "displayname" and path.sub is None:
            if op == "remove":
                raise Mutability("'displayName' is required and cannot be removed.")
            name = as_text(value, "displayName")
            self._pending.append(lambda: group_update(group=group, display_name=name, actor=SCIM))
        elif path.attr == "externalid" and path.sub is None:
            ext = "" if op == "remove" else as_text(value, "externalId")
            self._pending.append(lambda: group_update(group=group, external_id=ext, actor=SCIM))
        elif path.attr in ("id", "schemas", "meta"):
            # Okta's rename repeats the group's id: harmless when it is this group's.
            if path.attr == "id" and value != group.scim_id:
                raise Mutability("'id' is read-only.")
        else:
            raise InvalidPath(f"Unknown attribute in PATCH path {path.raw!r}.")


def _member_ids(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        raise InvalidValue("'members' must be a list of objects with a 'value'.")
    ids = []
    for item in value:
        member_id = get_ci(item, "value") if isinstance(item, dict) else None
        if not isinstance(member_id, str) or not member_id:
            raise InvalidValue("Each member must be an object with a string 'value' (a user id).")
        ids.append(member_id)
    return ids
