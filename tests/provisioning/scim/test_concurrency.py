"""Concurrent requests on PostgreSQL, with real threads and connections: the database
constraint decides duplicate creates, and concurrent membership changes lose nothing."""

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from accounts.actor import Actor
from accounts.models import GroupMembership, Person
from accounts.services.groups import group_create
from tests.provisioning.scim.client import PATCH_OP, ScimClient, okta_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is tested on PostgreSQL (SQLite serialises all writers)")


def run_together(n: int, work: Callable[[int], Any]) -> list[Any]:
    """Run `work(i)` in n threads released at the same instant; return their results."""
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n
    errors: list[BaseException] = []

    def target(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = work(i)
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    return results


def test_the_same_create_sent_concurrently_makes_one_person(org, scim_token):
    statuses = run_together(
        8, lambda i: ScimClient(scim_token).post("Users", okta_user("Race@Example.com")).status
    )
    assert sorted(statuses) == [201] + [409] * 7
    assert Person.objects.filter(org=org, user_name__iexact="race@example.com").count() == 1


def test_concurrent_member_patches_lose_no_member(org, scim_token):
    people = [Person.objects.create(org=org, user_name=f"member{i}@example.com") for i in range(80)]
    group = group_create(org=org, display_name="Front door", actor=Actor.system())

    def add(i: int) -> int:
        batch = people[i * 10 : (i + 1) * 10]
        return (
            ScimClient(scim_token)
            .patch(
                f"Groups/{group.scim_id}",
                {
                    "schemas": [PATCH_OP],
                    "Operations": [
                        {
                            "op": "add",
                            "path": "members",
                            "value": [{"value": p.scim_id} for p in batch],
                        }
                    ],
                },
            )
            .status
        )

    assert run_together(8, add) == [204] * 8
    assert GroupMembership.objects.filter(group=group).count() == 80

    def remove_one(i: int) -> int:
        return (
            ScimClient(scim_token)
            .patch(
                f"Groups/{group.scim_id}",
                {
                    "schemas": [PATCH_OP],
                    "Operations": [
                        {"op": "remove", "path": f'members[value eq "{people[i].scim_id}"]'}
                    ],
                },
            )
            .status
        )

    assert run_together(8, remove_one) == [204] * 8
    remaining = set(GroupMembership.objects.filter(group=group).values_list("person_id", flat=True))
    assert remaining == {p.pk for p in people[8:]}


def test_concurrent_deletes_of_one_user_one_wins_the_rest_are_404(org, scim_token):
    from accounts.models import AuditEvent

    uid = ScimClient(scim_token).post("Users", okta_user("gone@example.com")).json["id"]
    statuses = run_together(5, lambda i: ScimClient(scim_token).delete(f"Users/{uid}").status)
    assert sorted(statuses) == [204] + [404] * 4
    actions = list(
        AuditEvent.objects.filter(org=org, target_id=uid)
        .exclude(action__in=["person.created", "person.emailed"])
        .values_list("action", flat=True)
    )
    assert sorted(actions) == ["person.deleted_by_idp", "person.suspended"]
