"""The SCIM Group adapter: a group of the org's people (members are never from elsewhere)."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django_scim.adapters import SCIMGroup

from accounts.actor import Actor
from accounts.models import Group
from accounts.services.groups import (
    group_create,
    group_delete,
    group_members_set,
    group_patch,
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


class MembersPlan:
    """The net effect of a PATCH's member operations, applied in order: either an exact list
    (after a replace or a remove-all) or ids to add and to remove. Folding them keeps a PATCH
    of a thousand operations one set of queries and one audit event."""

    def __init__(self) -> None:
        self.exact: dict[str, None] | None = None
        self.add: dict[str, None] = {}
        self.remove: dict[str, None] = {}
        self.mentioned: dict[str, None] = {}
        self.values = 0

    def _count(self, ids: list[str]) -> None:
        self.values += len(ids)
        limit = settings.SCIM_PATCH_MAX_VALUES
        if self.values > limit:
            raise InvalidValue(
                f"A PATCH may carry at most {limit} member values; this one has more."
            )
        self.mentioned.update(dict.fromkeys(ids))

    def added(self, ids: list[str]) -> None:
        self._count(ids)
        for i in ids:
            if self.exact is not None:
                self.exact[i] = None
            else:
                self.add[i] = None
                self.remove.pop(i, None)

    def removed(self, ids: list[str]) -> None:
        self._count(ids)
        for i in ids:
            if self.exact is not None:
                self.exact.pop(i, None)
            else:
                self.remove[i] = None
                self.add.pop(i, None)

    def replaced(self, ids: list[str]) -> None:
        self._count(ids)
        self.exact = dict.fromkeys(ids)
        self.add, self.remove = {}, {}


class SCIMGroupAdapter(ScimAdapter, SCIMGroup):
    """The SCIM Group adapter for `accounts.Group`. Members are the org's people only."""

    id_field = "scim_id"
    resource_type = "Group"

    uris = (GROUP_SCHEMA,)

    def __init__(self, obj: Group, request: HttpRequest | None = None) -> None:
        super().__init__(obj, request=request)
        self._fields: dict[str, Any] = {}
        self._members: list[str] | None = None
        self._plan: MembersPlan | None = None

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
                self.change_action = "created"
                self.change = {"members": len(self._members or [])}
                return
            self._note_change()
            if self._plan is not None:
                plan = self._plan
                group_patch(
                    group=self.obj,
                    **self._fields,
                    members_set=None if plan.exact is None else list(plan.exact),
                    members_add=list(plan.add),
                    members_remove=list(plan.remove),
                    mentioned=list(plan.mentioned),
                    actor=SCIM,
                )
                return
            group_update(group=self.obj, **self._fields, actor=SCIM)
            if self._members is not None:
                group_members_set(group=self.obj, member_ids=self._members, actor=SCIM)

    def _note_change(self) -> None:
        """What this write does, in the log's terms (before it is applied): a rename (old →
        new name) and the members added, removed or set (as asked: adding a member twice
        counts as asked)."""
        change: dict[str, Any] = {}
        new_name = self._fields.get("display_name")
        if new_name is not None and new_name.strip() != self.obj.display_name:
            change.update({"from": self.obj.display_name, "to": new_name.strip()})
        plan = self._plan
        if plan is not None:
            if plan.exact is not None:
                change["set"] = len(plan.exact)
            if plan.add:
                change["added"] = len(plan.add)
            if plan.remove:
                change["removed"] = len(plan.remove)
        elif self._members is not None:
            change["set"] = len(self._members)
        if "from" in change:
            self.change_action = "renamed"
        elif {"set", "added", "removed"} & change.keys():
            self.change_action = "members"
        elif self._fields.get("external_id", self.obj.external_id) != self.obj.external_id:
            self.change_action = "updated"
        else:
            self.change_action = "unchanged"
        self.change = change

    def delete(self) -> None:
        group_delete(group=self.obj, actor=SCIM)

    def begin_patch(self) -> None:
        self._plan = MembersPlan()
        self._fields = {}

    def patch_attribute(self, op: str, path: PatchPath, value: Any) -> None:
        """Fold one PATCH operation into the plan; `save()` applies it in one service call."""
        group = self.obj
        plan = self._plan
        assert plan is not None
        if path.attr == "members":
            if path.value_filter is not None:
                if op != "remove" or path.sub is not None:
                    raise InvalidPath(f"{path.raw!r} is only supported for 'remove'.")
                plan.removed(member_ids_from_filter(path.value_filter))
            elif op == "remove" and value is None:
                plan.replaced([])
            else:
                {"add": plan.added, "remove": plan.removed, "replace": plan.replaced}[op](
                    _member_ids(value)
                )
        elif path.attr == "displayname" and path.sub is None:
            if op == "remove":
                raise Mutability("'displayName' is required and cannot be removed.")
            self._fields["display_name"] = as_text(value, "displayName")
        elif path.attr == "externalid" and path.sub is None:
            self._fields["external_id"] = "" if op == "remove" else as_text(value, "externalId")
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
