"""A SCIM request costs the same number of queries whatever the page or group size."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.actor import Actor
from accounts.models import GroupMembership, Person, PersonEmail
from accounts.services.groups import group_create
from tests.provisioning.scim.client import PATCH_OP

pytestmark = pytest.mark.django_db


def make_people(org, n: int, prefix: str) -> list[Person]:
    people = Person.objects.bulk_create(
        [
            Person(
                org=org,
                user_name=f"{prefix}{i}@example.com",
                user_name_key=f"{prefix}{i}@example.com".casefold(),
                given_name="P",
                family_name=str(i),
            )
            for i in range(n)
        ]
    )
    if connection.vendor == "sqlite" or not people[0].pk:
        people = list(Person.objects.filter(org=org, user_name__startswith=prefix).order_by("pk"))
    PersonEmail.objects.bulk_create(
        [PersonEmail(person=p, value=p.user_name, type="work", primary=True) for p in people]
    )
    return people


def queries(scim, method: str, path: str, body=None) -> tuple[int, int]:
    """Status and statement count. SQLite caps the parameters of one statement, so Django
    splits a large bulk INSERT into batches there; consecutive batches into one table count
    once (PostgreSQL sends a single statement)."""
    with CaptureQueriesContext(connection) as ctx:
        response = scim.request(method, path, body)
    statements = [q["sql"].split(" VALUES ")[0] for q in ctx.captured_queries]
    collapsed = [
        s
        for i, s in enumerate(statements)
        if i == 0 or not (s.startswith("INSERT") and s == statements[i - 1])
    ]
    return response.status, len(collapsed)


def test_user_list_pages_of_10_and_100_cost_the_same(scim, org):
    people = make_people(org, 120, "u")
    group = group_create(
        org=org,
        display_name="Everyone",
        member_ids=[p.scim_id for p in people],
        actor=Actor.system(),
    )
    assert GroupMembership.objects.filter(group=group).count() == 120
    scim.get("Users?count=1")  # warm-up: the token's last-used time is written once a minute
    status_10, small = queries(scim, "GET", "Users?startIndex=1&count=10")
    status_100, large = queries(scim, "GET", "Users?startIndex=11&count=100")
    filtered_status, filtered = queries(scim, "GET", 'Users?filter=userName sw "u1"&count=100')
    assert (status_10, status_100, filtered_status) == (200, 200, 200)
    assert small == large
    # A first page that holds the whole result (31 matches) needs no COUNT.
    assert filtered == small - 1


def test_group_list_pages_cost_the_same(scim, org):
    people = make_people(org, 30, "g")
    for i in range(60):
        group_create(
            org=org,
            display_name=f"Door {i}",
            member_ids=[p.scim_id for p in people[:5]],
            actor=Actor.system(),
        )
    scim.get("Groups?count=1")
    _, small = queries(scim, "GET", "Groups?count=10")
    _, large = queries(scim, "GET", "Groups?count=50")
    _, without_members = queries(scim, "GET", "Groups?count=50&excludedAttributes=members")
    assert small == large
    assert without_members == small - 1  # no member prefetch at all


def test_member_patches_of_1_and_1000_members_cost_the_same(scim, org):
    people = make_people(org, 1001, "m")
    one = group_create(
        org=org, display_name="One", member_ids=[people[0].scim_id], actor=Actor.system()
    )
    many = group_create(
        org=org, display_name="Many", member_ids=[people[0].scim_id], actor=Actor.system()
    )
    scim.get("Groups?count=1")

    def patch(group, op, members):
        return queries(
            scim,
            "PATCH",
            f"Groups/{group.scim_id}",
            {
                "schemas": [PATCH_OP],
                "Operations": [
                    {"op": op, "path": "members", "value": [{"value": p.scim_id} for p in members]}
                ],
            },
        )

    for op, expected_many in (("add", 1001), ("replace", 1000), ("remove", 1)):
        members = people[1:1001] if op != "replace" else people[:1000]
        status_one, small = patch(one, op, members[:1])
        status_many, large = patch(many, op, members)
        assert (op, status_one, status_many) == (op, 204, 204)
        assert (op, small) == (op, large)
        assert GroupMembership.objects.filter(group=many).count() == expected_many
