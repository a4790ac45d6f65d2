"""Property tests: random bodies, PATCH operations and filters never get a 500, every 4xx is a
SCIM error body, and a refused request writes nothing (RFC 7644 §3.5.2: PATCH is atomic).

The orgs are made once per test; each example runs in a savepoint that is rolled back, so
examples start from the same state and a snapshot before and after shows any partial write.
"""

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.actor import Actor
from accounts.models import Group, GroupMembership, Person, PersonEmail
from accounts.services.groups import group_create
from accounts.services.people import EmailData, person_create
from tests.provisioning.scim.client import ERROR_SCHEMA, PATCH_OP, USER_SCHEMA

pytestmark = pytest.mark.django_db

FUZZ = settings(
    deadline=None,
    max_examples=60,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
UNKNOWN_ID = "010101001010101011001010101011"


class _Rollback(Exception):
    pass


def in_savepoint(example: Callable[[], None]) -> None:
    try:
        with transaction.atomic():
            example()
            raise _Rollback
    except _Rollback:
        pass


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    # Hundreds of requests a minute on one token: the limiter is not what is fuzzed here.
    settings.SCIM_RATE_LIMIT = 0


@pytest.fixture
def world(org, other_org, scim, scim_other) -> dict[str, Any]:
    def populate(o):
        ada = person_create(
            org=o,
            user_name="ada@example.com",
            given_name="Ada",
            family_name="Lovelace",
            emails=[EmailData("ada@work.test", "work", True), EmailData("ada@home.test", "home")],
            actor=Actor.system(),
        )
        bob = person_create(org=o, user_name="bob@example.com", active=False, actor=Actor.system())
        group = group_create(
            org=o, display_name="Door A", member_ids=[ada.scim_id], actor=Actor.system()
        )
        group_create(org=o, display_name="Door B", actor=Actor.system())
        return ada, bob, group

    ada, bob, group = populate(org)
    other_ada, _, other_group = populate(other_org)
    return {
        "scim": scim,
        "org": org,
        "other_org": other_org,
        "ada": ada,
        "bob": bob,
        "group": group,
        "other_ada": other_ada,
        "other_group": other_group,
    }


def db_snapshot() -> dict[str, list]:
    """Every row SCIM may write, in both orgs (four queries)."""
    return {
        "people": list(Person.objects.order_by("pk").values()),
        "emails": list(
            PersonEmail.objects.order_by("pk").values_list("person_id", "value", "type", "primary")
        ),
        "groups": list(Group.objects.order_by("pk").values()),
        "memberships": sorted(GroupMembership.objects.values_list("group_id", "person_id")),
    }


def of_org(snapshot: dict[str, list], org_id: int) -> dict[str, list]:
    people = {p["id"] for p in snapshot["people"] if p["org_id"] == org_id}
    groups = {g["id"] for g in snapshot["groups"] if g["org_id"] == org_id}
    return {
        "people": [p for p in snapshot["people"] if p["id"] in people],
        "emails": [e for e in snapshot["emails"] if e[0] in people],
        "groups": [g for g in snapshot["groups"] if g["id"] in groups],
        "memberships": [m for m in snapshot["memberships"] if m[0] in groups],
    }


def check(world: dict, response, before: dict[str, list] | None) -> None:
    """No 5xx; a 4xx is a SCIM error and changed nothing; the other org never changes.
    `before` is None for reads, which write nothing but the log."""
    assert response.status < 500, (response.status, response.content[:500])
    after = db_snapshot() if before is not None else None
    if before is not None:
        assert of_org(after, world["other_org"].pk) == of_org(before, world["other_org"].pk)
    if response.status >= 400:
        assert response.headers["Content-Type"] == "application/scim+json"
        body = response.json
        assert body["schemas"] == [ERROR_SCHEMA]
        assert body["status"] == str(response.status)
        assert isinstance(body["detail"], str)
        assert body["detail"]
        assert after == before or before is None


# Strategies ------------------------------------------------------------------------------

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    st.text(max_size=20),
    st.sampled_from(["", " ", "True", "False", "true", "null", "\x00", "ada@example.com"]),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)

email_values = st.lists(
    st.fixed_dictionaries(
        {},
        optional={
            "value": st.one_of(st.emails(), json_scalars),
            "type": st.one_of(st.sampled_from(["work", "home", "other"]), json_scalars),
            "primary": st.one_of(st.booleans(), json_scalars),
        },
    ),
    max_size=3,
)
user_bodies = st.fixed_dictionaries(
    {},
    optional={
        "schemas": st.one_of(st.just([USER_SCHEMA]), json_values),
        "userName": st.one_of(st.emails(), st.text(max_size=300), json_values),
        "name": st.one_of(
            st.fixed_dictionaries(
                {},
                optional={
                    "givenName": json_scalars,
                    "familyName": json_scalars,
                    "formatted": json_scalars,
                },
            ),
            json_values,
        ),
        "emails": st.one_of(email_values, json_values),
        "active": st.one_of(st.booleans(), json_scalars),
        "sendEmails": st.one_of(st.booleans(), json_scalars),
        "externalId": json_scalars,
        "displayName": json_scalars,
        "locale": json_scalars,
        "password": json_scalars,
        "groups": json_values,
        "id": json_values,
        "meta": json_values,
        ENTERPRISE: json_values,
    },
).flatmap(
    lambda base: st.dictionaries(st.text(max_size=10), json_values, max_size=2).map(
        lambda extra: {**extra, **base}
    )
)


def member_lists(world_ids: list[str]):
    member = st.one_of(
        st.fixed_dictionaries({"value": st.sampled_from(world_ids)}),
        st.fixed_dictionaries({"value": json_scalars}),
        json_values,
    )
    return st.one_of(st.lists(member, max_size=3), json_values)


group_bodies = st.fixed_dictionaries(
    {},
    optional={
        "schemas": json_values,
        "displayName": st.one_of(st.sampled_from(["Door A", "door b", "New", ""]), json_scalars),
        "externalId": json_scalars,
        "members": json_values,
    },
)

USER_PATHS = [
    None,
    "active",
    "userName",
    "name",
    "name.givenName",
    "name.formatted",
    "emails",
    'emails[type eq "work"].value',
    'emails[type eq "work"]',
    'emails[value co "ada"].primary',
    "emails[type eq ]",
    f"{USER_SCHEMA}:userName",
    USER_SCHEMA,
    f"{ENTERPRISE}:department",
    ENTERPRISE,
    "sendEmails",
    "password",
    "externalId",
    "displayName",
    "title",
    "id",
    "meta",
    "bogus",
    "name..x",
    "urn:bogus:attr",
    "",
    "members",
]
GROUP_PATHS = [
    None,
    "members",
    'members[value eq "{ada}"]',
    'members[value eq "{other}"]',
    'members[value eq "{unknown}"]',
    'members[value ne "{ada}"]',
    "members[display eq 'x']",
    'members[value eq "{ada}"].display',
    "displayName",
    "externalId",
    "id",
    "meta",
    "schemas",
    "bogus",
    f"{USER_SCHEMA}:displayName",
    "urn:ietf:params:scim:schemas:core:2.0:Group:displayName",
    "",
]
OPS = st.one_of(
    st.sampled_from(["add", "remove", "replace", "Replace", "ADD", "garbage"]), json_scalars
)


def operations(paths: list, values) -> st.SearchStrategy:
    op = st.fixed_dictionaries(
        {"op": OPS},
        optional={"path": st.one_of(st.sampled_from(paths), json_scalars), "value": values},
    )
    return st.one_of(
        st.fixed_dictionaries(
            {"Operations": st.lists(st.one_of(op, json_values), min_size=1, max_size=4)},
            optional={"schemas": st.just([PATCH_OP])},
        ),
        json_values,
    )


# Properties ------------------------------------------------------------------------------


@FUZZ
@given(body=st.one_of(user_bodies, json_values), method=st.sampled_from(["POST", "PUT"]))
def test_random_user_posts_and_puts(world, body, method):
    def example():
        before = db_snapshot()
        path = "Users" if method == "POST" else f"Users/{world['ada'].scim_id}"
        r = world["scim"].request(method, path, body)
        check(world, r, before)
        if r.status in (200, 201):
            person = Person.objects.get(scim_id=r.json["id"])
            assert person.org == world["org"]
            assert r.json["userName"] == person.user_name
            assert "password" not in r.json
            if method == "PUT":
                assert r.json["id"] == world["ada"].scim_id

    in_savepoint(example)


@FUZZ
@given(data=st.data())
def test_random_group_posts_and_puts(world, data):
    ids = [world["ada"].scim_id, world["bob"].scim_id, world["other_ada"].scim_id, UNKNOWN_ID]
    body = data.draw(
        st.one_of(
            group_bodies.flatmap(lambda b: member_lists(ids).map(lambda m: {**b, "members": m})),
            group_bodies,
            json_values,
        )
    )
    method = data.draw(st.sampled_from(["POST", "PUT"]))

    def example():
        before = db_snapshot()
        path = "Groups" if method == "POST" else f"Groups/{world['group'].scim_id}"
        r = world["scim"].request(method, path, body)
        check(world, r, before)

    in_savepoint(example)


@FUZZ
@given(data=st.data())
def test_random_user_patches(world, data):
    ids = [world["ada"].scim_id, world["other_ada"].scim_id, UNKNOWN_ID]
    values = st.one_of(
        json_values,
        email_values,
        st.sampled_from(
            [False, "False", "true", {"active": False}, {"userName": "bob@example.com"}]
        ),
        member_lists(ids),
    )
    body = data.draw(operations(USER_PATHS, values))

    def example():
        before = db_snapshot()
        r = world["scim"].patch(f"Users/{world['ada'].scim_id}", body)
        check(world, r, before)
        if r.status == 200:
            assert r.json["id"] == world["ada"].scim_id
            assert Person.objects.get(scim_id=world["ada"].scim_id).send_emails is True

    in_savepoint(example)


@FUZZ
@given(data=st.data())
def test_random_group_patches(world, data):
    fill = {
        "ada": world["ada"].scim_id,
        "other": world["other_ada"].scim_id,
        "unknown": UNKNOWN_ID,
    }
    paths = [p.format(**fill) if p else p for p in GROUP_PATHS]
    ids = [world["ada"].scim_id, world["bob"].scim_id, world["other_ada"].scim_id, UNKNOWN_ID]
    values = st.one_of(
        member_lists(ids),
        json_values,
        st.sampled_from(
            [
                {"id": world["group"].scim_id, "displayName": "Door A"},
                {"displayName": "door b"},
                {"id": "not-this-group", "displayName": "X"},
            ]
        ),
    )
    body = data.draw(operations(paths, values))

    def example():
        before = db_snapshot()
        r = world["scim"].patch(f"Groups/{world['group'].scim_id}", body)
        check(world, r, before)
        assert r.status != 200

    in_savepoint(example)


ATTRS = [
    "userName",
    "externalId",
    "id",
    "emails",
    "emails.value",
    "emails.type",
    "emails.primary",
    "active",
    "name.givenName",
    "name.formatted",
    "meta.created",
    "meta.lastModified",
    "displayName",
    "members",
    "members.value",
    "title",
    f"{USER_SCHEMA}:userName",
    "urn:bogus:x",
    'emails[type eq "work"]',
]
COMPARE_OPS = ["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le", "EQ", "xx"]
VALUES = st.one_of(
    st.sampled_from(
        [
            '"ada@example.com"',
            '"a\x00"',
            "true",
            "false",
            "null",
            "5",
            '"2020-01-01T00:00:00Z"',
            '""',
        ]
    ),
    st.text(max_size=15).map(json.dumps),
    st.text(max_size=8),
)
comparisons = st.one_of(
    st.builds(
        lambda a, o, v: f"{a} {o} {v}", st.sampled_from(ATTRS), st.sampled_from(COMPARE_OPS), VALUES
    ),
    st.builds(lambda a: f"{a} pr", st.sampled_from(ATTRS)),
    st.builds(
        lambda a, inner: f"{a}[{inner}]",
        st.sampled_from(["emails", "members", "name", "bogus"]),
        st.builds(
            lambda s, o, v: f"{s} {o} {v}",
            st.sampled_from(["type", "value", "primary", "display", "x"]),
            st.sampled_from(COMPARE_OPS),
            VALUES,
        ),
    ),
)
filters = st.one_of(
    st.recursive(
        comparisons,
        lambda inner: st.one_of(
            st.builds(
                lambda a, j, b: f"{a} {j} {b}",
                inner,
                st.sampled_from(["and", "or", "AND", "xor"]),
                inner,
            ),
            st.builds(lambda a: f"not ({a})", inner),
            st.builds(lambda a: f"({a})", inner),
        ),
        max_leaves=6,
    ),
    st.text(max_size=40),
)


@FUZZ
@given(
    filter_text=filters, resource=st.sampled_from(["Users", "Groups", "Users/.search", ".search"])
)
def test_random_filters(world, filter_text, resource):
    scim = world["scim"]
    if resource.endswith(".search"):
        body = {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
            "filter": filter_text,
            "attributes": ["id"],
        }
        r = scim.post(resource, body)
    else:
        r = scim.get(f"{resource}?filter={quote(filter_text)}&attributes=id")
    check(world, r, None)
    assert r.status in (200, 400), (r.status, r.json)
    if r.status == 400:
        assert r.json["scimType"] in ("invalidFilter", "invalidValue"), r.json
    else:
        mine = {world["ada"].scim_id, world["bob"].scim_id}
        mine |= set(world["org"].groups.values_list("scim_id", flat=True))
        found = {res["id"] for res in r.json["Resources"]}
        assert found <= mine
        assert r.json["totalResults"] >= len(found)
