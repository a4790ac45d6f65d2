"""The SCIM representation of people and groups (RFC 7643 §4): one serializer for every answer
(lists, GET, and what POST, PUT and PATCH send back), so they stay identical.

It works on plain rows, not model instances: the SCIM selectors read exactly the fields a
resource shows (`values()`), with a person's emails and groups as JSON arrays in the same
row, and a page of groups' members in one more query. Locations are built from one prefix
computed once per request, not one `reverse()` per row. A page of 100 people is one query
and no model instance.
"""

from dataclasses import dataclass
from typing import Any

import orjson
from django.http import HttpRequest

from provisioning.scim.constants import (
    GROUP_SCHEMA,
    KISISCIM_USER_SCHEMA,
    SCIM_BASE_PATH,
    USER_SCHEMA,
)
from provisioning.selectors.scim import GroupRelated


def iso(value: Any) -> str:
    """A timestamp as SCIM shows it: ISO 8601 in UTC with a `Z`."""
    return value.isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class Locations:
    """The absolute URL prefixes of one request (its scheme and host)."""

    users: str
    groups: str

    @classmethod
    def of(cls, request: HttpRequest) -> "Locations":
        base = request.build_absolute_uri(SCIM_BASE_PATH)
        return cls(users=base + "Users/", groups=base + "Groups/")


def user_doc(row: dict[str, Any], at: Locations) -> dict[str, Any]:
    """One User resource from its row (scim_user_rows)."""
    doc: dict[str, Any] = {
        "schemas": [USER_SCHEMA],
        "id": row["scim_id"],
        "userName": row["user_name"],
        "active": row["is_active"],
        "sendEmails": row["send_emails"],
    }
    emails = _json(row["emails_json"])
    if emails:
        # bool(): SQLite's JSON writes booleans as 0 and 1.
        doc["emails"] = [
            {"value": value, "primary": bool(primary), "type": kind}
            if kind
            else {"value": value, "primary": bool(primary)}
            for value, kind, primary in emails
        ]
    groups = _json(row.get("groups_json"))  # [scim_id, name] pairs, in group order
    if groups:
        doc["groups"] = [
            {"value": scim_id, "display": name, "$ref": at.groups + scim_id}
            for scim_id, name in groups
        ]
    doc["meta"] = {
        "resourceType": "User",
        "created": iso(row["created_at"]),
        "lastModified": iso(row["updated_at"]),
        "location": at.users + row["scim_id"],
    }
    if row["given_name"] or row["family_name"]:
        # Okta's SPEC test reads both parts, so both are present whenever a name is.
        doc["name"] = {"givenName": row["given_name"], "familyName": row["family_name"]}
    if row["external_id"]:
        doc["externalId"] = row["external_id"]
    if row["display_name"]:
        doc["displayName"] = row["display_name"]
    if row["locale"]:
        doc["locale"] = row["locale"]
    if row["scim_card_number"]:
        doc["schemas"] = [USER_SCHEMA, KISISCIM_USER_SCHEMA]
        doc[KISISCIM_USER_SCHEMA] = {"cardNumber": row["scim_card_number"]}
    return doc


def _json(text: Any) -> list:
    if not text:
        return []
    # Both databases give the text (scim_user_rows casts PostgreSQL's json to text).
    return orjson.loads(text)


def group_doc(row: dict[str, Any], related: GroupRelated | None, at: Locations) -> dict[str, Any]:
    """One Group resource; with `related`, its members (else none are read or shown)."""
    doc: dict[str, Any] = {
        "schemas": [GROUP_SCHEMA],
        "id": row["scim_id"],
        "displayName": row["display_name"],
        "meta": {
            "resourceType": "Group",
            "created": iso(row["created_at"]),
            "lastModified": iso(row["updated_at"]),
            "location": at.groups + row["scim_id"],
        },
    }
    if row["external_id"]:
        doc["externalId"] = row["external_id"]
    if related is not None:
        doc["members"] = [
            {"value": scim_id, "type": "User", "$ref": at.users + scim_id}
            for scim_id in related.members.get(row["pk"], ())
        ]
    return doc
