"""Helpers for the SCIM behaviour tests: expected documents built from database rows, PATCH
bodies, and snapshots that prove a refused request changed nothing."""

from typing import Any

from accounts.models import Group, GroupMembership, Organization, Person, PersonEmail
from tests.provisioning.scim.client import (
    ERROR_SCHEMA,
    GROUP_SCHEMA,
    LIST_SCHEMA,
    PATCH_OP,
    USER_SCHEMA,
)

HOST = "http://testserver/scim/v2"


def iso(value: Any) -> str:
    return value.isoformat().replace("+00:00", "Z")


def error(status: int, detail: str, scim_type: str | None = None) -> dict[str, Any]:
    doc: dict[str, Any] = {"schemas": [ERROR_SCHEMA], "status": str(status), "detail": detail}
    if scim_type:
        doc["scimType"] = scim_type
    return doc


def patch(*operations: dict[str, Any]) -> dict[str, Any]:
    return {"schemas": [PATCH_OP], "Operations": list(operations)}


def listing(resources: list[dict[str, Any]], *, total: int | None = None, start: int = 1):
    return {
        "schemas": [LIST_SCHEMA],
        "totalResults": len(resources) if total is None else total,
        "itemsPerPage": len(resources),
        "startIndex": start,
        "Resources": resources,
    }


def user_doc(person: Person | str) -> dict[str, Any]:
    """The User resource the endpoint must return for this row, derived from the database."""
    if isinstance(person, str):
        person = Person.objects.get(scim_id=person)
    person.refresh_from_db()
    doc: dict[str, Any] = {
        "schemas": [USER_SCHEMA],
        "id": person.scim_id,
        "userName": person.user_name,
        "active": person.is_active,
        "sendEmails": person.send_emails,
        "meta": {
            "resourceType": "User",
            "created": iso(person.created_at),
            "lastModified": iso(person.updated_at),
            "location": f"{HOST}/Users/{person.scim_id}",
        },
    }
    emails = PersonEmail.objects.filter(person=person).order_by("-primary", "id")
    if emails:
        doc["emails"] = [
            {"value": e.value, **({"type": e.type} if e.type else {}), "primary": e.primary}
            for e in emails
        ]
    memberships = GroupMembership.objects.filter(person=person).select_related("group")
    if memberships:
        doc["groups"] = [
            {
                "value": m.group.scim_id,
                "display": m.group.display_name,
                "$ref": f"{HOST}/Groups/{m.group.scim_id}",
            }
            for m in memberships.order_by("group_id")
        ]
    if person.given_name or person.family_name:
        doc["name"] = {"givenName": person.given_name, "familyName": person.family_name}
    for attr, field in (
        ("externalId", "external_id"),
        ("displayName", "display_name"),
        ("locale", "locale"),
    ):
        if getattr(person, field):
            doc[attr] = getattr(person, field)
    return doc


def group_doc(group: Group | str, *, members: bool = True) -> dict[str, Any]:
    if isinstance(group, str):
        group = Group.objects.get(scim_id=group)
    group.refresh_from_db()
    doc: dict[str, Any] = {
        "schemas": [GROUP_SCHEMA],
        "id": group.scim_id,
        "displayName": group.display_name,
        "meta": {
            "resourceType": "Group",
            "created": iso(group.created_at),
            "lastModified": iso(group.updated_at),
            "location": f"{HOST}/Groups/{group.scim_id}",
        },
    }
    if group.external_id:
        doc["externalId"] = group.external_id
    if members:
        doc["members"] = [
            {"value": m.person.scim_id, "type": "User", "$ref": f"{HOST}/Users/{m.person.scim_id}"}
            for m in group.memberships.select_related("person").order_by("person_id")
        ]
    return doc


def member_ids(group: Group | str) -> set[str]:
    if isinstance(group, str):
        group = Group.objects.get(scim_id=group)
    return set(group.memberships.values_list("person__scim_id", flat=True))


def org_snapshot(org: Organization) -> dict[str, Any]:
    """Everything SCIM may write for one org, as comparable values."""
    people = Person.objects.filter(org=org).order_by("pk")
    return {
        "people": list(people.values()),
        "emails": list(
            PersonEmail.objects.filter(person__org=org)
            .order_by("pk")
            .values_list("person_id", "value", "type", "primary")
        ),
        "groups": list(Group.objects.filter(org=org).order_by("pk").values()),
        "memberships": sorted(
            GroupMembership.objects.filter(group__org=org).values_list("group_id", "person_id")
        ),
    }
