"""SCIM lists: filters on the attributes Okta and Entra use (strict: anything unsupported is a
400 invalidFilter), and paging with integer counters and a stable order.

The other org always has look-alike rows that no filter or page may return.
"""

import pytest
from django.test import override_settings

from accounts.actor import Actor
from accounts.models import Person, PersonEmail
from accounts.services.groups import group_create
from accounts.services.people import EmailData, person_create, person_suspend
from provisioning.scim.filters import GROUP_FILTER_SCHEMA, USER_FILTER_SCHEMA
from tests.provisioning.scim.support import error, group_doc, listing, user_doc

pytestmark = pytest.mark.django_db


def make_person(org, user_name: str, *, emails=(), external_id: str = "", active: bool = True):
    return person_create(
        org=org,
        user_name=user_name,
        external_id=external_id,
        given_name="Given",
        family_name="Family",
        emails=[EmailData(*e) for e in emails],
        active=active,
        actor=Actor.scim(),
    )


@pytest.fixture
def world(org, other_org, scim, scim_other) -> dict:
    """Look-alike people and groups in both orgs."""
    rows = {}
    for prefix, o in (("", org), ("other_", other_org)):
        ada = make_person(
            o,
            "ada@example.com",
            emails=[("ada@work.test", "work", True), ("ada@home.test", "home", False)],
            external_id="00u-ada",
        )
        bob = make_person(
            o,
            "Bob@Example.com",
            emails=[("bob@home.test", "home", False), ("xbob@work.test", "work", False)],
            external_id="00u-bob",
        )
        cy = make_person(o, "cy@example.com", external_id="00u-cy", active=False)
        door_a = group_create(
            org=o,
            display_name="Door A",
            external_id="00g-a",
            member_ids=[ada.scim_id],
            actor=Actor.system(),
        )
        door_b = group_create(
            org=o,
            display_name="Door B",
            external_id="00g-b",
            member_ids=[bob.scim_id],
            actor=Actor.system(),
        )
        rows.update(
            {
                f"{prefix}ada": ada,
                f"{prefix}bob": bob,
                f"{prefix}cy": cy,
                f"{prefix}door_a": door_a,
                f"{prefix}door_b": door_b,
            }
        )
    return rows


def users(scim, query: str) -> list[str]:
    r = scim.get(f"Users?filter={query}")
    assert r.status == 200, (query, r.json)
    assert r.json["totalResults"] == len(r.json["Resources"])
    return [u["userName"] for u in r.json["Resources"]]


def groups(scim, query: str) -> list[str]:
    r = scim.get(f"Groups?filter={query}")
    assert r.status == 200, (query, r.json)
    return [g["displayName"] for g in r.json["Resources"]]


# User filters ----------------------------------------------------------------------------


def test_user_filter_returns_whole_resources(scim, world):
    r = scim.get('Users?filter=userName eq "ADA@EXAMPLE.COM"&startIndex=1&count=100')
    assert (r.status, r.json) == (200, listing([user_doc(world["ada"])]))


USER_FILTER_CASES = [
    ('userName eq "ada@example.com"', ["ada@example.com"]),
    ('userName eq "bob@example.com"', ["Bob@Example.com"]),
    ('userName eq "nobody@example.com"', []),
    ('userName sw "B"', ["Bob@Example.com"]),
    ('externalId eq "00u-bob"', ["Bob@Example.com"]),
    ('externalId eq "00U-BOB"', []),  # externalId is caseExact
    ('emails.value eq "BOB@home.test"', ["Bob@Example.com"]),
    ('emails eq "ada@home.test"', ["ada@example.com"]),
    ("active eq true", ["ada@example.com", "Bob@Example.com"]),
    ("active eq false", ["cy@example.com"]),
    ('userName eq "ada@example.com" or userName eq "cy@example.com"', [
        "ada@example.com", "cy@example.com"
    ]),
    ('userName sw "a" and active eq true', ["ada@example.com"]),
    ('userName sw "c" and active eq true', []),
    ('not (userName eq "ada@example.com")', ["Bob@Example.com", "cy@example.com"]),
    ('active eq true and not (emails.value co "home")', []),
    ('emails[type eq "home" and value co "bob"]', ["Bob@Example.com"]),
    ('emails[type eq "work" and value co "x"]', ["Bob@Example.com"]),
    ('emails[type eq "work" and value co "ada"]', ["ada@example.com"]),
    ('emails[type eq "home" and primary eq true]', []),
    ("emails pr", ["ada@example.com", "Bob@Example.com"]),
    ('name.familyName eq "family"', ["ada@example.com", "Bob@Example.com", "cy@example.com"]),
]  # fmt: skip


def test_user_filters(scim, world):
    """One world for every case (each is one request): the table names the query."""
    for query, expected in USER_FILTER_CASES:
        assert users(scim, query) == expected, query


def test_user_filter_by_id(scim, world):
    assert users(scim, f'id eq "{world["bob"].scim_id}"') == ["Bob@Example.com"]
    assert users(scim, f'id eq "{world["other_bob"].scim_id}"') == []


def test_a_person_with_two_matching_emails_is_listed_once(scim, world):
    assert users(scim, 'emails.value co ".test"') == ["ada@example.com", "Bob@Example.com"]


# Group filters ---------------------------------------------------------------------------


GROUP_FILTER_CASES = [
    ('displayName eq "door a"', ["Door A"]),
    ('displayName sw "Door"', ["Door A", "Door B"]),
    ('externalId eq "00g-b"', ["Door B"]),
    ('displayName eq "Door A" or externalId eq "00g-b"', ["Door A", "Door B"]),
    ('not (displayName eq "Door A")', ["Door B"]),
]  # fmt: skip


def test_group_filters(scim, world):
    for query, expected in GROUP_FILTER_CASES:
        assert groups(scim, query) == expected, query


def test_group_filter_by_id_and_member(scim, world):
    assert groups(scim, f'id eq "{world["door_b"].scim_id}"') == ["Door B"]
    assert groups(scim, f'id eq "{world["other_door_b"].scim_id}"') == []
    assert groups(scim, f'members.value eq "{world["ada"].scim_id}"') == ["Door A"]
    assert groups(scim, f'members eq "{world["bob"].scim_id}"') == ["Door B"]
    assert groups(scim, f'members.value eq "{world["other_ada"].scim_id}"') == []
    r = scim.get(f'Groups?filter=members.value eq "{world["ada"].scim_id}"')
    assert r.json == listing([group_doc(world["door_a"])])


# Unsupported filters ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("resource", "query", "detail"),
    [
        (
            "Users",
            'title eq "boss"',
            "Filtering on 'title' is not supported. Supported: "
            + USER_FILTER_SCHEMA.describe()
            + ".",
        ),
        (
            "Users",
            'userName eq "a" and title eq "b"',
            "Filtering on 'title' is not supported. Supported: "
            + USER_FILTER_SCHEMA.describe()
            + ".",
        ),
        (
            "Groups",
            'userName eq "a"',
            "Filtering on 'userName' is not supported. Supported: "
            + GROUP_FILTER_SCHEMA.describe()
            + ".",
        ),
        (
            "Users",
            "active gt true",
            "active is a boolean: compare it with eq or ne to true or false.",
        ),
        ("Users", 'userName zz "a"', "The filter could not be parsed: 'userName zz \"a\"'."),
        ("Users", 'userName eq "a" or', "The filter could not be parsed: 'userName eq \"a\" or'."),
        ("Users", "userName", "The filter could not be parsed: 'userName'."),
        (
            "Users",
            'urn:ietf:params:scim:schemas:core:2.0:Group:displayName eq "a"',
            "Unsupported schema in filter: 'urn:ietf:params:scim:schemas:core:2.0:Group'.",
        ),
        (
            "Users",
            'meta.created gt "yesterday"',
            "meta.created needs an ISO 8601 date-time, not 'yesterday'.",
        ),
        (
            "Users",
            'emails[type eq "work"].value eq "x"',
            "A value path cannot be compared; put the condition inside the brackets, "
            'e.g. emails[type eq "work" and value eq "x"].',
        ),
        (
            "Users",
            'name[givenName eq "x"]',
            "name[…] is not a multi-valued attribute that can be filtered; those are: emails.",
        ),
    ],
)
def test_unsupported_filters_are_400_invalid_filter(scim, world, resource, query, detail):
    r = scim.get(f"{resource}?filter={query}")
    assert (r.status, r.json) == (400, error(400, detail, "invalidFilter"))


# Paging ----------------------------------------------------------------------------------


def bulk_people(org, n: int, prefix: str = "p") -> list[Person]:
    Person.objects.bulk_create(
        [
            Person(
                org=org,
                user_name=f"{prefix}{i:03}@example.com",
                user_name_key=f"{prefix}{i:03}@example.com".casefold(),
            )
            for i in range(n)
        ]
    )
    people = list(Person.objects.filter(org=org, user_name__startswith=prefix).order_by("pk"))
    PersonEmail.objects.bulk_create(
        [PersonEmail(person=p, value=p.user_name, type="work", primary=True) for p in people]
    )
    return people


def test_paging_is_one_based_with_integer_counters(scim, org, other_org, scim_other):
    people = bulk_people(org, 10)
    bulk_people(other_org, 5)
    r = scim.get("Users?startIndex=4&count=3")
    assert r.status == 200
    assert r.json == listing([user_doc(p) for p in people[3:6]], total=10, start=4)
    for key in ("totalResults", "itemsPerPage", "startIndex"):
        assert type(r.json[key]) is int
    r = scim.get("Users?startIndex=10&count=5")
    assert r.json == listing([user_doc(people[9])], total=10, start=10)
    r = scim.get("Users?startIndex=11&count=5")
    assert r.json == listing([], total=10, start=11)


@pytest.mark.parametrize("start", ["0", "-5"])
def test_a_start_index_below_one_means_one(scim, org, start):
    people = bulk_people(org, 3)
    r = scim.get(f"Users?startIndex={start}&count=2")
    assert r.json == listing([user_doc(p) for p in people[:2]], total=3, start=1)


def test_count_zero_returns_only_the_totals(scim, org):
    bulk_people(org, 3)
    assert scim.get("Users?count=0").json == listing([], total=3)
    assert scim.get("Users?count=-1").json == listing([], total=3)


def test_count_is_honoured_up_to_100_and_capped_at_the_maximum(scim, org, settings):
    assert settings.SCIM_MAX_PAGE_SIZE == 200
    bulk_people(org, 205)
    r = scim.get("Users?startIndex=1&count=100")
    assert (r.json["itemsPerPage"], len(r.json["Resources"]), r.json["totalResults"]) == (
        100,
        100,
        205,
    )
    r = scim.get("Users?count=1000&attributes=userName")
    assert (r.json["itemsPerPage"], len(r.json["Resources"])) == (200, 200)
    r = scim.get("Users?attributes=userName")  # the default page size
    assert r.json["itemsPerPage"] == 100


@override_settings(SCIM_MAX_PAGE_SIZE=4)
def test_the_cap_follows_the_setting(scim, org):
    bulk_people(org, 6)
    assert scim.get("Users?count=100").json["itemsPerPage"] == 4


def test_pages_of_seven_walk_every_person_once_in_a_stable_order(scim, org, other_org):
    people = bulk_people(org, 30)
    bulk_people(other_org, 10)
    person_suspend(person=people[3], actor=Actor.scim())
    expected = [p.scim_id for p in people]
    seen: list[str] = []
    start = 1
    while True:
        r = scim.get(f"Users?startIndex={start}&count=7&attributes=id")
        assert r.status == 200
        assert r.json["totalResults"] == 30
        page = [u["id"] for u in r.json["Resources"]]
        if not page:
            break
        if start == 8:
            # A change between pages does not reorder them (no ordering by lastModified).
            scim.put(f"Users/{people[20].scim_id}", {"userName": "renamed@example.com"})
        seen += page
        start += 7
    assert seen == expected
    assert len(set(seen)) == 30


def test_groups_page_the_same_way(scim, org, scim_other, other_org):
    made = [group_create(org=org, display_name=f"Door {i}", actor=Actor.system()) for i in range(5)]
    group_create(org=other_org, display_name="Door 0", actor=Actor.system())
    r = scim.get("Groups?startIndex=2&count=2")
    assert r.json == listing([group_doc(g) for g in made[1:3]], total=5, start=2)


@pytest.mark.parametrize(
    "query", ["startIndex=abc", "startIndex=1.5", "count=ten", "startIndex=&count=x"]
)
def test_non_integer_paging_is_400(scim, org, query):
    r = scim.get(f"Users?{query}")
    assert (r.status, r.json) == (
        400,
        error(400, "'startIndex' and 'count' must be integers.", "invalidValue"),
    )
