"""SCIM Groups: Okta's Push Groups (POST, PUT, PATCH) and Entra's shapes. Members are the
org's own people only; a refused change changes nothing.

Every test runs with a second org whose group and people must never be touched.
"""

import pytest

from accounts.actor import Actor
from accounts.models import Group, Person
from accounts.services.groups import group_create
from accounts.services.people import EmailData, person_create
from tests.provisioning.scim.client import GROUP_SCHEMA
from tests.provisioning.scim.support import (
    error,
    group_doc,
    listing,
    member_ids,
    org_snapshot,
    patch,
    user_doc,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def other(other_org, scim_other) -> dict:
    """The other org: one person in a group named like the tests' groups."""
    uid = person_create(org=other_org, user_name="ada@example.com", actor=Actor.system()).scim_id
    group = group_create(
        org=other_org, display_name="Door A", member_ids=[uid], actor=Actor.system()
    )
    return {"uid": uid, "gid": group.scim_id, "org": other_org, "snapshot": org_snapshot(other_org)}


def other_unchanged(other: dict) -> None:
    assert org_snapshot(other["org"]) == other["snapshot"]


@pytest.fixture
def people(org, scim, other) -> list[str]:
    """Three of the org's people, by SCIM id."""
    return [
        person_create(
            org=org,
            user_name=f"p{i}@example.com",
            emails=[EmailData(f"p{i}@example.com")],
            actor=Actor.system(),
        ).scim_id
        for i in range(3)
    ]


def new_group(scim, name: str = "Door A", members: list[str] = ()) -> str:
    r = scim.post(
        "Groups",
        {
            "schemas": [GROUP_SCHEMA],
            "displayName": name,
            "members": [{"value": m} for m in members],
        },
    )
    assert r.status == 201, r.json
    return r.json["id"]


# POST and GET ----------------------------------------------------------------------------


def test_post_without_members(scim, other):
    r = scim.post("Groups", {"schemas": [GROUP_SCHEMA], "displayName": "Door A", "members": []})
    assert r.status == 201
    gid = r.json["id"]
    assert r.json == group_doc(gid)
    assert r.json == {
        "schemas": [GROUP_SCHEMA],
        "id": gid,
        "displayName": "Door A",
        "members": [],
        "meta": r.json["meta"],
    }
    assert r.headers["Location"] == f"http://testserver/scim/v2/Groups/{gid}"
    other_unchanged(other)


def test_post_with_members_and_external_id(scim, people, other):
    r = scim.post(
        "Groups",
        {
            "schemas": [GROUP_SCHEMA],
            "displayName": "Door B",
            "externalId": "00g-okta",
            "members": [{"value": people[0], "display": "p0@example.com"}, {"value": people[1]}],
        },
    )
    assert r.status == 201
    assert r.json == group_doc(r.json["id"])
    assert r.json["externalId"] == "00g-okta"
    assert [m["value"] for m in r.json["members"]] == people[:2]
    # The member's User resource lists the group.
    assert [g["value"] for g in user_doc(people[0])["groups"]] == [r.json["id"]]
    other_unchanged(other)


def test_post_of_a_case_insensitive_duplicate_name_is_409(scim, people, other):
    new_group(scim, "Door A")
    before = org_snapshot(other["org"])
    r = scim.post("Groups", {"schemas": [GROUP_SCHEMA], "displayName": "DOOR a"})
    assert r.status == 409
    assert r.json == error(
        409, "A group named 'DOOR a' already exists in this organization.", "uniqueness"
    )
    assert Group.objects.filter(org__slug="acme").count() == 1
    assert org_snapshot(other["org"]) == before


def test_post_without_a_display_name_is_400(scim, other):
    r = scim.post("Groups", {"schemas": [GROUP_SCHEMA], "members": []})
    assert (r.status, r.json) == (400, error(400, "'displayName' is required.", "invalidValue"))
    assert not Group.objects.filter(org__slug="acme").exists()


def test_get_one_group(scim, people, other):
    gid = new_group(scim, members=people[:2])
    r = scim.get(f"Groups/{gid}")
    assert (r.status, r.json) == (200, group_doc(gid))
    assert r.headers["Content-Type"] == "application/scim+json"


def test_get_of_an_unknown_group_is_404(scim, other):
    r = scim.get("Groups/010101001010101011001010101011")
    assert (r.status, r.json) == (
        404,
        error(404, "Group 010101001010101011001010101011 not found."),
    )


def test_filter_display_name_eq_ignores_case_and_other_orgs(scim, people, other):
    gid = new_group(scim, "Door A")
    new_group(scim, "Door B")
    for name in ("Door A", "door a", "DOOR A"):
        r = scim.get(f'Groups?filter=displayName eq "{name}"&startIndex=1&count=100')
        assert (r.status, r.json) == (200, listing([group_doc(gid)]))
    r = scim.get('Groups?filter=displayName eq "Door"')
    assert r.json == listing([])


def test_excluded_attributes_members_is_honoured(scim, people, other):
    gid = new_group(scim, members=people)
    r = scim.get(f"Groups/{gid}?excludedAttributes=members")
    assert (r.status, r.json) == (200, group_doc(gid, members=False))
    r = scim.get("Groups?excludedAttributes=members")
    assert r.json == listing([group_doc(gid, members=False)])
    r = scim.get('Groups?filter=displayName eq "Door A"&excludedAttributes=members')
    assert r.json == listing([group_doc(gid, members=False)])


# PUT -------------------------------------------------------------------------------------


def test_put_sets_the_full_member_list_and_renames(scim, people, other):
    gid = new_group(scim, members=people[:2])
    r = scim.put(
        f"Groups/{gid}",
        {
            "schemas": [GROUP_SCHEMA],
            "id": gid,
            "displayName": "Door A (renamed)",
            "members": [{"value": people[1]}, {"value": people[2]}],
            "meta": {"resourceType": "Group"},
        },
    )
    assert (r.status, r.json) == (200, group_doc(gid))
    assert r.json["displayName"] == "Door A (renamed)"
    assert member_ids(gid) == {people[1], people[2]}
    other_unchanged(other)


def test_put_with_empty_members_empties_the_group(scim, people, other):
    gid = new_group(scim, members=people)
    r = scim.put(
        f"Groups/{gid}", {"schemas": [GROUP_SCHEMA], "displayName": "Door A", "members": []}
    )
    assert (r.status, r.json["members"]) == (200, [])
    assert member_ids(gid) == set()
    assert Person.objects.filter(scim_id__in=people, is_active=True).count() == 3
    other_unchanged(other)


def test_put_repeating_the_name_is_not_a_conflict(scim, people, other):
    gid = new_group(scim, "Door A")
    r = scim.put(f"Groups/{gid}", {"schemas": [GROUP_SCHEMA], "displayName": "Door A"})
    assert (r.status, r.json) == (200, group_doc(gid))


def test_put_to_another_groups_name_is_409_and_changes_nothing(scim, people, other):
    gid = new_group(scim, "Door A", members=people[:1])
    new_group(scim, "Door B")
    before = org_snapshot(Group.objects.get(scim_id=gid).org)
    r = scim.put(
        f"Groups/{gid}",
        {"schemas": [GROUP_SCHEMA], "displayName": "door b", "members": [{"value": people[2]}]},
    )
    assert r.status == 409
    assert r.json == error(
        409, "A group named 'door b' already exists in this organization.", "uniqueness"
    )
    assert org_snapshot(Group.objects.get(scim_id=gid).org) == before


# PATCH -----------------------------------------------------------------------------------


def test_patch_add_remove_replace_members_answers_204(scim, people, other):
    gid = new_group(scim)
    r = scim.patch(
        f"Groups/{gid}",
        patch({"op": "add", "path": "members", "value": [{"value": p} for p in people]}),
    )
    assert (r.status, r.content) == (204, b"")
    assert member_ids(gid) == set(people)

    r = scim.patch(
        f"Groups/{gid}", patch({"op": "remove", "path": "members", "value": [{"value": people[0]}]})
    )
    assert (r.status, r.content) == (204, b"")
    assert member_ids(gid) == set(people[1:])

    r = scim.patch(
        f"Groups/{gid}",
        patch({"op": "replace", "path": "members", "value": [{"value": people[0]}]}),
    )
    assert (r.status, r.content) == (204, b"")
    assert member_ids(gid) == {people[0]}
    other_unchanged(other)


def test_patch_okta_remove_by_path_filter_without_a_value(scim, people, other):
    gid = new_group(scim, members=people)
    r = scim.patch(
        f"Groups/{gid}",
        patch(
            {"op": "remove", "path": f'members[value eq "{people[0]}"]'},
            {"op": "add", "path": "members", "value": [{"value": people[0], "display": "x"}]},
            {"op": "remove", "path": f'members[value eq "{people[1]}"]'},
        ),
    )
    assert r.status == 204
    assert member_ids(gid) == {people[0], people[2]}


def test_patch_entra_remove_with_capitalised_op_and_a_value_list(scim, people, other):
    gid = new_group(scim, members=people)
    r = scim.patch(
        f"Groups/{gid}",
        patch({"op": "Remove", "path": "members", "value": [{"value": people[2]}]}),
    )
    assert r.status == 204
    assert member_ids(gid) == set(people[:2])
    r = scim.patch(f"Groups/{gid}", patch({"op": "Add", "path": "members", "value": []}))
    assert r.status == 204
    assert member_ids(gid) == set(people[:2])


def test_patch_okta_pathless_rename_repeating_the_current_name(scim, people, other):
    gid = new_group(scim, "Door A", members=people[:1])
    before = group_doc(gid)
    r = scim.patch(
        f"Groups/{gid}", patch({"op": "replace", "value": {"id": gid, "displayName": "Door A"}})
    )
    assert (r.status, r.content) == (204, b"")
    assert group_doc(gid) == before


def test_patch_okta_pathless_rename(scim, people, other):
    gid = new_group(scim, "Door A")
    r = scim.patch(
        f"Groups/{gid}", patch({"op": "replace", "value": {"id": gid, "displayName": "Lobby"}})
    )
    assert r.status == 204
    assert Group.objects.get(scim_id=gid).display_name == "Lobby"
    other_unchanged(other)


def test_patch_rename_to_another_groups_name_is_409_and_changes_nothing(scim, people, other):
    gid = new_group(scim, "Door A")
    new_group(scim, "Door B")
    before = group_doc(gid)
    r = scim.patch(
        f"Groups/{gid}",
        patch(
            {"op": "add", "path": "members", "value": [{"value": people[0]}]},
            {"op": "replace", "value": {"id": gid, "displayName": "DOOR B"}},
        ),
    )
    assert r.status == 409
    assert r.json == error(
        409, "A group named 'DOOR B' already exists in this organization.", "uniqueness"
    )
    assert group_doc(gid) == before


def test_patch_with_attributes_returns_the_group(scim, people, other):
    gid = new_group(scim)
    r = scim.patch(
        f"Groups/{gid}?attributes=displayName",
        patch({"op": "add", "path": "members", "value": [{"value": people[0]}]}),
    )
    assert r.status == 200
    assert r.json == {"schemas": [GROUP_SCHEMA], "id": gid, "displayName": "Door A"}


def test_membership_changes_are_idempotent(scim, people, other):
    gid = new_group(scim, members=people[:1])
    add = patch({"op": "add", "path": "members", "value": [{"value": people[0]}] * 2})
    assert scim.patch(f"Groups/{gid}", add).status == 204
    assert scim.patch(f"Groups/{gid}", add).status == 204
    assert member_ids(gid) == {people[0]}
    remove = patch({"op": "remove", "path": f'members[value eq "{people[1]}"]'})
    assert scim.patch(f"Groups/{gid}", remove).status == 204
    assert member_ids(gid) == {people[0]}


@pytest.mark.parametrize("stranger", ["other-org", "unknown"])
@pytest.mark.parametrize(
    "request_kind", ["post", "put", "patch-add", "patch-replace", "patch-remove-filter"]
)
def test_members_from_another_org_or_unknown_are_400_and_nothing_changes(
    scim, people, other, stranger, request_kind
):
    gid = new_group(scim, "Door A", members=people[:1])
    stranger_id = other["uid"] if stranger == "other-org" else "010101001010101011001010101011"
    org = Group.objects.get(scim_id=gid).org
    before = org_snapshot(org)
    members = [{"value": people[1]}, {"value": stranger_id}]
    if request_kind == "post":
        r = scim.post(
            "Groups", {"schemas": [GROUP_SCHEMA], "displayName": "New", "members": members}
        )
    elif request_kind == "put":
        r = scim.put(
            f"Groups/{gid}",
            {"schemas": [GROUP_SCHEMA], "displayName": "Renamed", "members": members},
        )
    elif request_kind == "patch-remove-filter":
        r = scim.patch(
            f"Groups/{gid}",
            patch(
                {"op": "replace", "value": {"displayName": "Renamed"}},
                {"op": "remove", "path": f'members[value eq "{stranger_id}"]'},
            ),
        )
    else:
        op = request_kind.split("-")[1]
        r = scim.patch(
            f"Groups/{gid}",
            patch(
                {"op": "replace", "path": "displayName", "value": "Renamed"},
                {"op": op, "path": "members", "value": members},
            ),
        )
    assert r.status == 400
    assert r.json == error(
        400, f"No person with id {stranger_id} exists in this organization.", "invalidValue"
    )
    assert org_snapshot(org) == before
    other_unchanged(other)


# DELETE ----------------------------------------------------------------------------------


def test_delete_removes_the_group_and_leaves_its_people(scim, people, other):
    gid = new_group(scim, members=people)
    before = [user_doc(p) for p in people]
    r = scim.delete(f"Groups/{gid}")
    assert (r.status, r.content) == (204, b"")
    r = scim.get(f"Groups/{gid}")
    assert (r.status, r.json) == (404, error(404, f"Group {gid} not found."))
    after = [user_doc(p) for p in people]
    for old, new in zip(before, after, strict=True):
        del old["groups"]
        assert new == old
        assert new["active"] is True
    assert scim.delete(f"Groups/{gid}").status == 404
    other_unchanged(other)
