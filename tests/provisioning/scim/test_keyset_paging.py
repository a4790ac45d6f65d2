"""Paging through Users in order continues from the previous page's last id (keyset, no
growing OFFSET) and returns exactly what OFFSET paging would; any change to the listed set
in between, or a jump, is served by OFFSET."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.actor import Actor
from accounts.models import Person
from accounts.services.people import person_create, person_idp_delete

pytestmark = pytest.mark.django_db


def page(scim, start: int, count: int = 10, extra: str = "") -> tuple[list[str], int, str]:
    """The page's ids, totalResults, and the SQL of its page query."""
    with CaptureQueriesContext(connection) as ctx:
        r = scim.get(f"Users?startIndex={start}&count={count}&attributes=id{extra}")
    assert r.status == 200
    sql = next(
        q["sql"]
        for q in ctx.captured_queries
        if 'FROM "accounts_person"' in q["sql"] and "LIMIT" in q["sql"]
    )
    return [u["id"] for u in r.json["Resources"]], r.json["totalResults"], sql


def ids_in_order(org) -> list[str]:
    return list(
        Person.objects.filter(org=org, idp_deleted_at__isnull=True)
        .order_by("pk")
        .values_list("scim_id", flat=True)
    )


def test_pages_in_order_continue_from_the_last_id(scim, org, other_org):
    for i in range(25):
        person_create(org=org, user_name=f"p{i}@example.com", actor=Actor.system())
        person_create(org=other_org, user_name=f"p{i}@example.com", actor=Actor.system())
    first, total, _ = page(scim, 1)
    second, _, second_sql = page(scim, 11)
    third, _, third_sql = page(scim, 21)
    assert total == 25
    assert first + second + third == ids_in_order(org)
    assert "OFFSET" not in second_sql and "OFFSET" not in third_sql
    assert '"accounts_person"."id" >' in second_sql


def test_a_change_between_pages_falls_back_to_offset(scim, org):
    people = [
        person_create(org=org, user_name=f"p{i}@example.com", actor=Actor.system())
        for i in range(25)
    ]
    page(scim, 1)
    person_idp_delete(person=people[3])  # hidden from SCIM: the set shrinks by one
    second, total, sql = page(scim, 11)
    assert total == 24
    assert second == ids_in_order(org)[10:20]
    assert "OFFSET" in sql


def test_a_jump_uses_offset_and_a_filter_keeps_its_own_place(scim, org):
    for i in range(30):
        person_create(
            org=org, user_name=f"{'a' if i % 2 else 'b'}{i}@example.com", actor=Actor.system()
        )
    page(scim, 1)
    jumped, _, sql = page(scim, 21)
    assert jumped == ids_in_order(org)[20:30]
    assert "OFFSET" in sql
    filtered = '&filter=userName sw "a"'
    a_ids = [
        p.scim_id for p in Person.objects.filter(org=org, user_name__startswith="a").order_by("pk")
    ]
    first, total, _ = page(scim, 1, extra=filtered)
    second, _, sql = page(scim, 11, extra=filtered)
    assert total == 15
    assert first + second == a_ids
    assert "OFFSET" not in sql
