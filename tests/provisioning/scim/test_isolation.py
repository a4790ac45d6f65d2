"""Org isolation: nothing with org A's token reads, changes or links anything of org B.

B is built with the same userNames and group names as A, so a leak cannot hide behind a
mismatch; after every attempt B's rows are compared with a snapshot.
"""

import pytest

from accounts.actor import Actor
from accounts.models import Organization
from accounts.services.groups import group_create
from accounts.services.people import EmailData, person_create
from tests.provisioning.scim.client import GROUP_SCHEMA, okta_user
from tests.provisioning.scim.support import error, listing, org_snapshot, patch, user_doc

pytestmark = pytest.mark.django_db

SEARCH = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"


def populate(org: Organization) -> dict:
    a = person_create(
        org=org,
        user_name="a@x",
        external_id="00u-a",
        emails=[EmailData("a@x.test", "work", True)],
        actor=Actor.system(),
    )
    b = person_create(
        org=org, user_name="b@x", external_id="00u-b", active=False, actor=Actor.system()
    )
    group = group_create(
        org=org,
        display_name="Door",
        external_id="00g",
        member_ids=[a.scim_id, b.scim_id],
        actor=Actor.system(),
    )
    return {"a": a, "b": b, "group": group}


@pytest.fixture
def orgs(org, other_org, scim, scim_other) -> dict:
    mine = populate(org)
    theirs = populate(other_org)
    theirs["c"] = person_create(org=other_org, user_name="c@x", actor=Actor.system())
    return {"A": mine, "B": theirs, "B_org": other_org, "before": org_snapshot(other_org)}


def b_unchanged(orgs: dict) -> None:
    assert org_snapshot(orgs["B_org"]) == orgs["before"]


def test_reads_of_b_are_404(scim, orgs):
    for path in (f"Users/{orgs['B']['a'].scim_id}", f"Groups/{orgs['B']['group'].scim_id}"):
        r = scim.get(path)
        kind, scim_id = path.split("/")
        assert (r.status, r.json) == (404, error(404, f"{kind[:-1]} {scim_id} not found."))


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_writes_to_bs_user_are_404_and_b_is_unchanged(scim, orgs, method):
    uid = orgs["B"]["a"].scim_id
    body = {
        "PUT": okta_user("a@x", active=False, name={"givenName": "Hacked"}),
        "PATCH": patch({"op": "replace", "value": {"active": False, "userName": "hacked"}}),
        "DELETE": None,
    }[method]
    r = scim.request(method, f"Users/{uid}", body)
    assert (r.status, r.json) == (404, error(404, f"User {uid} not found."))
    b_unchanged(orgs)


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_writes_to_bs_group_are_404_and_b_is_unchanged(scim, orgs, method):
    gid = orgs["B"]["group"].scim_id
    mine = orgs["A"]["a"].scim_id
    body = {
        "PUT": {"schemas": [GROUP_SCHEMA], "displayName": "Hacked", "members": [{"value": mine}]},
        "PATCH": patch(
            {"op": "add", "path": "members", "value": [{"value": mine}]},
            {"op": "remove", "path": f'members[value eq "{orgs["B"]["a"].scim_id}"]'},
        ),
        "DELETE": None,
    }[method]
    r = scim.request(method, f"Groups/{gid}", body)
    assert (r.status, r.json) == (404, error(404, f"Group {gid} not found."))
    b_unchanged(orgs)


def test_filters_never_return_bs_rows(scim, orgs):
    a, b = orgs["A"]["a"], orgs["A"]["b"]
    cases = {
        'userName eq "a@x" or userName eq "c@x"': [a],
        'userName eq "c@x"': [],
        f'id eq "{orgs["B"]["a"].scim_id}" or id eq "{a.scim_id}"': [a],
        'externalId eq "00u-a" or externalId eq "00u-b"': [a, b],
        'emails.value eq "a@x.test"': [a],
        "active eq false": [b],
        'userName pr and not (userName eq "zzz")': [a, b],
    }
    for query, expected in cases.items():
        r = scim.get(f"Users?filter={query}")
        assert (r.status, r.json) == (200, listing([user_doc(p) for p in expected])), query
    assert scim.get("Users").json["totalResults"] == 2
    group = orgs["A"]["group"]
    for query in (
        'displayName eq "door"',
        'externalId eq "00g"',
        f'members.value eq "{orgs["B"]["a"].scim_id}" or members.value eq "{a.scim_id}"',
    ):
        r = scim.get(f"Groups?filter={query}&attributes=id")
        assert r.json == listing([{"schemas": [GROUP_SCHEMA], "id": group.scim_id}]), query
    assert scim.get(f'Groups?filter=id eq "{orgs["B"]["group"].scim_id}"').json == listing([])


def test_search_endpoints_are_scoped(scim, orgs):
    for path, query in (
        ("Users/.search", 'userName eq "a@x" or userName eq "c@x"'),
        ("Groups/.search", 'displayName eq "Door"'),
        (".search", "id pr"),
    ):
        r = scim.post(path, {"schemas": [SEARCH], "filter": query, "attributes": ["id"]})
        assert r.status == 200
        found = {res["id"] for res in r.json["Resources"]}
        expected = {
            "Users/.search": {orgs["A"]["a"].scim_id},
            "Groups/.search": {orgs["A"]["group"].scim_id},
            ".search": {p.scim_id for p in orgs["A"].values()},
        }[path]
        assert found == expected, path
        assert r.json["totalResults"] == len(expected)


@pytest.mark.parametrize("how", ["post", "put", "patch-add", "patch-replace"])
def test_linking_bs_person_into_as_group_is_400_and_nothing_changes(scim, orgs, how):
    group, theirs = orgs["A"]["group"], orgs["B"]["c"].scim_id
    before = org_snapshot(group.org)
    members = [{"value": theirs}]
    if how == "post":
        r = scim.post("Groups", {"displayName": "New", "members": members})
    elif how == "put":
        r = scim.put(f"Groups/{group.scim_id}", {"displayName": "Door", "members": members})
    else:
        op = how.split("-")[1]
        r = scim.patch(
            f"Groups/{group.scim_id}", patch({"op": op, "path": "members", "value": members})
        )
    assert (r.status, r.json) == (
        400,
        error(400, f"No person with id {theirs} exists in this organization.", "invalidValue"),
    )
    assert org_snapshot(group.org) == before
    b_unchanged(orgs)


def test_creating_bs_usernames_in_a_makes_independent_people(scim, orgs):
    r = scim.post("Users", okta_user("C@X", emails=[]))
    assert r.status == 201
    assert r.json["id"] != orgs["B"]["c"].scim_id
    b_unchanged(orgs)
