"""Okta's `userName eq` lookup runs a query compiled once per process: it must return what
the ORM's query returns, for this org only, in any letter case, and leave every other
filter to the general path."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from access.models import Credential
from accounts.actor import Actor
from accounts.services.groups import group_create
from accounts.services.people import EmailData, person_create
from provisioning.selectors.scim import scim_user_rows, scim_user_rows_by_key, scim_user_rows_page
from tests.provisioning.scim.support import listing, user_doc

pytestmark = pytest.mark.django_db


@pytest.fixture
def ada(org):
    person = person_create(
        org=org,
        user_name="Ada.Lovelace@example.com",
        given_name="Ada",
        family_name="Lovelace",
        emails=[
            EmailData(value="ada@example.com", type="work", primary=True),
            EmailData(value="ada@home.example", type="home", primary=False),
        ],
        actor=Actor.scim(),
    )
    for name in ("Engineering", "Analytical Engines"):
        group_create(org=org, display_name=name, member_ids=[person.scim_id], actor=Actor.scim())
    return person


@pytest.mark.parametrize("groups", [True, False])
def test_the_prepared_rows_are_the_orm_rows(org, ada, groups):
    Credential.objects.create(org=org, person=ada, number="4242", source=Credential.Source.SCIM)
    key = ada.user_name_key
    orm = list(scim_user_rows(org=org, groups=groups).filter(user_name_key=key).order_by("pk"))
    prepared = scim_user_rows_by_key(org=org, key=key, groups=groups)
    assert prepared == orm
    assert len(prepared) == 1
    assert isinstance(prepared[0]["created_at"], type(ada.created_at))  # converted, as the ORM
    assert prepared[0]["is_active"] is True


def test_another_orgs_person_of_the_same_name_is_not_found(org, other_org, ada, scim, scim_other):
    path = 'Users?filter=userName eq "ada.lovelace@example.com"&startIndex=1&count=100'
    assert scim_other.get(path).json == listing([])
    twin = person_create(org=other_org, user_name="ada.lovelace@example.com", actor=Actor.scim())
    assert scim.get(path).json == listing([user_doc(ada)])
    assert scim_other.get(path).json == listing([user_doc(twin)])


def test_the_lookup_answers_as_the_list_did(scim, ada):
    upper = 'Users?filter=userName eq "ADA.LOVELACE@EXAMPLE.COM"&startIndex=1&count=100'
    with CaptureQueriesContext(connection) as ctx:
        found = scim.get(upper)
    assert found.json == listing([user_doc(ada)])
    reads = [q["sql"] for q in ctx.captured_queries if "accounts_person" in q["sql"]]
    assert len(reads) == 1  # the person, emails, groups and card in one statement
    # Other shapes of the same question take the general path, with the same answers.
    assert scim.get(upper.replace("count=100", "count=1")).json == listing([user_doc(ada)])
    assert scim.get(upper.replace("startIndex=1", "startIndex=2")).json == listing(
        [], total=1, start=2
    )
    assert scim.get(upper.replace("count=100", "count=0")).json == {
        **listing([], total=1),
    }
    assert scim.get('Users?filter=not (userName eq "ada.lovelace@example.com")').json == listing([])
    assert scim.get('Users?filter=userName eq "nobody@example.com"').json == listing([])


def test_the_prepared_pages_are_the_orm_pages(org, other_org, ada):
    for i in range(5):  # interleaved with another org's people
        person_create(org=org, user_name=f"p{i}@example.com", actor=Actor.scim())
        person_create(org=other_org, user_name=f"q{i}@example.com", actor=Actor.scim())
    for groups in (True, False):
        ordered = scim_user_rows(org=org, groups=groups).order_by("pk")
        assert scim_user_rows_page(org=org, groups=groups, count=4) == list(ordered[:4])
        after = ordered[1]["pk"]
        assert scim_user_rows_page(org=org, groups=groups, count=3, after=after) == list(
            ordered.filter(pk__gt=after)[:3]
        )
        assert len(scim_user_rows_page(org=org, groups=groups, count=100)) == 6


def test_an_import_through_every_page_sees_each_person_once(scim, org, other_org):
    mine = {person_create(org=org, user_name=f"p{i}@example.com", actor=Actor.scim()).scim_id
            for i in range(7)}  # fmt: skip
    person_create(org=other_org, user_name="q@example.com", actor=Actor.scim())
    seen = []
    for start in (1, 4, 7):  # each page from the key the one before left (keyset)
        doc = scim.get(f"Users?startIndex={start}&count=3").json
        assert doc["totalResults"] == 7
        seen += [r["id"] for r in doc["Resources"]]
    assert sorted(seen) == sorted(mine)
