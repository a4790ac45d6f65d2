"""One Okta session, told the same way through Django's test client and over real HTTP: an
admin assigns two people, renames one, pushes a group, renames it, adds and removes members,
deactivates and reactivates someone; and a filter Okta would never send (a 400)."""

from collections.abc import Callable
from typing import Any

from tests.provisioning.scim.client import GROUP_SCHEMA, PATCH_OP, okta_user

# send(method, path under /scim/v2/, JSON body or None) → (status, parsed JSON or None)
Send = Callable[[str, str, Any], tuple[int, Any]]

EXPECTED_SENTENCES = [
    "Okta created Rosa Parks",
    "Okta created Ada Lovelace",
    "Okta renamed Rosa Parks → Rosa Louise Parks",
    "Okta created group Engineering",
    "Okta renamed group Engineering → R&D",
    "Okta added 2 people to R&D",
    "Okta removed 1 person from R&D",
    "Okta suspended Ada Lovelace",
    "Okta reactivated Ada Lovelace",
]


def _patch(*operations: dict[str, Any]) -> dict[str, Any]:
    return {"schemas": [PATCH_OP], "Operations": list(operations)}


def _person(user_name: str, given: str, family: str, **extra: Any) -> dict[str, Any]:
    return okta_user(user_name, name={"givenName": given, "familyName": family}, **extra)


def okta_session(send: Send) -> dict[str, str]:
    """Run the session; returns the SCIM ids of Rosa, Ada and the group."""

    def ok(expected: int, method: str, path: str, body: Any = None) -> Any:
        status, doc = send(method, path, body)
        assert status == expected, (method, path, status, doc)
        return doc

    rosa = ok(201, "POST", "Users", _person("rosa@acme.example.com", "Rosa", "Parks"))["id"]
    ada = ok(201, "POST", "Users", _person("ada@acme.example.com", "Ada", "Lovelace"))["id"]
    ok(200, "PUT", f"Users/{rosa}", _person("rosa@acme.example.com", "Rosa", "Louise Parks"))
    group_body = {"schemas": [GROUP_SCHEMA], "displayName": "Engineering", "members": []}
    group = ok(201, "POST", "Groups", group_body)["id"]
    rename = {"op": "replace", "value": {"id": group, "displayName": "R&D"}}
    ok(204, "PATCH", f"Groups/{group}", _patch(rename))
    add = {"op": "add", "path": "members", "value": [{"value": rosa}, {"value": ada}]}
    ok(204, "PATCH", f"Groups/{group}", _patch(add))
    remove = {"op": "remove", "path": f'members[value eq "{ada}"]'}
    ok(204, "PATCH", f"Groups/{group}", _patch(remove))
    ok(200, "PATCH", f"Users/{ada}", _patch({"op": "replace", "value": {"active": False}}))
    ok(200, "PATCH", f"Users/{ada}", _patch({"op": "replace", "value": {"active": True}}))
    ok(400, "GET", 'Users?filter=foo eq "x"')
    return {"rosa": rosa, "ada": ada, "group": group}
