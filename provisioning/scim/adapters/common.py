"""What both SCIM adapters share: the PATCH walk, locations, and domain errors as SCIM errors.

Adapters translate SCIM JSON and map domain errors to SCIM errors; every rule (uniqueness,
org isolation of members, suspension) lives in accounts' services. Bodies are read leniently
the way Okta and Entra write them (case-insensitive names and ops, booleans as strings,
numbers for strings, read-only attributes echoed back) and strictly where a wrong value
would change something (types of what is stored).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest

from kisiscim.exceptions import Conflict
from provisioning.scim.errors import InvalidValue, NoTarget, Uniqueness
from provisioning.scim.patch import PatchPath, as_object, path_parse


@contextmanager
def domain_errors() -> Iterator[None]:
    """Domain errors from services, as SCIM errors."""
    try:
        yield
    except Conflict as exc:
        raise Uniqueness(exc.message) from exc
    except ValidationError as exc:
        raise InvalidValue(" ".join(exc.messages)) from exc


class ScimAdapter:
    """Mixed in before django-scim2's SCIMUser / SCIMGroup."""

    id_field = "scim_id"
    uris: tuple[str, ...] = ()
    # Schemas whose attributes are accepted and ignored (not stored).
    ignored_uris: tuple[str, ...] = ()

    def __init__(self, obj: Any, request: HttpRequest | None = None) -> None:
        super().__init__(obj, request=request)  # type: ignore[call-arg]
        # What was accepted but not applied; the provisioning log records it.
        self.notes: list[str] = []
        # What `save()` changed, for the provisioning log's plain words: an action of
        # ProvisioningLogEntry.Action ("" when nothing changed) and its details.
        self.change_action = ""
        self.change: dict[str, Any] = {}

    def validate_dict(self, d: Any) -> None:
        if not isinstance(d, dict):
            raise InvalidValue("The body must be a JSON object.")

    def handle_operations(self, operations: list[tuple[str, str | None, Any]]) -> None:
        """Walk parsed PATCH operations in order (RFC 7644 §3.5.2); `save()` applies them.

        A path-less operation carries an object of attributes (Okta's `{"active": false}`
        or `{"id", "displayName"}`); a schema URN as path carries that schema's attributes.
        """
        self.begin_patch()
        for op, path, value in operations:
            if path is None:
                if op == "remove":
                    raise NoTarget("A 'remove' operation needs a 'path'.")
                for key, item in as_object(value, "value").items():
                    self._patch(op, path_parse(str(key), self.uris), item)
            else:
                self._patch(op, path_parse(path, self.uris), value)

    def _patch(self, op: str, path: PatchPath, value: Any) -> None:
        if path.uri in self.ignored_uris:
            self.notes.append(f"{path.raw} ignored (not stored)")
            return
        if not path.attr:
            for key, item in as_object(value, path.raw).items():
                self._patch(op, path_parse(str(key), self.uris), item)
            return
        self.patch_attribute(op, path, value)

    def begin_patch(self) -> None:
        """Called before the first operation of a PATCH."""

    def patch_attribute(self, op: str, path: PatchPath, value: Any) -> None:
        raise NotImplementedError
