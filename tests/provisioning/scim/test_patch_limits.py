"""One PATCH's cost is bounded (security review): at most SCIM_PATCH_MAX_OPERATIONS
operations, SCIM_PATCH_MAX_VALUES member values and MAX_EMAILS emails (a 400 invalidValue
beyond, changing nothing), one audit event per PATCH, and the same number of queries for
a group PATCH of 10 operations or 200."""

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from accounts.actor import Actor
from accounts.models import AuditEvent
from accounts.services.groups import group_create
from accounts.services.people import person_create
from tests.provisioning.scim.client import okta_user
from tests.provisioning.scim.support import member_ids, org_snapshot, patch

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(org):
    return [
        person_create(org=org, user_name=f"p{i}@example.com", actor=Actor.system())
        for i in range(200)
    ]


@pytest.fixture
def group(org):
    return group_create(org=org, display_name="Door", actor=Actor.system())


def add(*people):
    return {"op": "add", "path": "members", "value": [{"value": p.scim_id} for p in people]}


def remove(person):
    return {"op": "remove", "path": f'members[value eq "{person.scim_id}"]'}


@override_settings(SCIM_PATCH_MAX_OPERATIONS=10)
def test_more_operations_than_the_cap_is_400(scim, org, group, people):
    before = org_snapshot(org)
    r = scim.patch(f"Groups/{group.scim_id}", patch(*[add(p) for p in people[:11]]))
    assert (r.status, r.json["scimType"]) == (400, "invalidValue")
    assert r.json["detail"] == "A PATCH may carry at most 10 operations; this one has 11."
    assert org_snapshot(org) == before


@override_settings(SCIM_PATCH_MAX_VALUES=50)
def test_more_member_values_than_the_cap_is_400(scim, org, group, people):
    before = org_snapshot(org)
    r = scim.patch(f"Groups/{group.scim_id}", patch(add(*people[:30]), add(*people[30:51])))
    assert (r.status, r.json["scimType"]) == (400, "invalidValue")
    assert r.json["detail"] == "A PATCH may carry at most 50 member values; this one has more."
    assert org_snapshot(org) == before


def test_emails_added_past_the_cap_are_400(scim, org):
    uid = scim.post("Users", okta_user("ada@example.com")).json["id"]
    before = org_snapshot(org)
    ops = [
        {"op": "add", "path": "emails", "value": [{"value": f"a{i}@example.com"}]}
        for i in range(25)
    ]
    r = scim.patch(f"Users/{uid}", patch(*ops))
    assert (r.status, r.json["scimType"]) == (400, "invalidValue")
    assert r.json["detail"] == "At most 20 emails are accepted."
    assert org_snapshot(org) == before


def test_a_group_patch_of_many_operations_is_one_audit_event(scim, org, group, people):
    before = AuditEvent.objects.count()
    r = scim.patch(f"Groups/{group.scim_id}", patch(*[add(p) for p in people]))
    assert r.status == 204
    assert len(member_ids(group)) == 200
    events = list(AuditEvent.objects.order_by("id")[before:])
    assert [(e.action, e.details["added"], e.details["removed"]) for e in events] == [
        ("group.patched", 200, 0)
    ]


def test_a_user_patch_of_many_operations_is_one_audit_event(scim, org):
    uid = scim.post("Users", okta_user("ada@example.com")).json["id"]
    before = AuditEvent.objects.count()
    ops = [{"op": "replace", "path": "displayName", "value": f"Ada {i}"} for i in range(100)]
    assert scim.patch(f"Users/{uid}", patch(*ops)).status == 200
    assert list(AuditEvent.objects.order_by("id")[before:].values_list("action", flat=True)) == [
        "person.updated"
    ]


def test_a_group_patch_costs_the_same_for_10_or_200_operations(scim, org, group, people):
    def queries(ops) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert scim.patch(f"Groups/{group.scim_id}", patch(*ops)).status == 204
        return len(ctx.captured_queries)

    queries([add(people[0])])  # the token's first use of the minute records last_used_at
    few = queries([add(p) for p in people[:5]] + [remove(p) for p in people[5:10]])
    many = queries([add(p) for p in people[10:]] + [remove(p) for p in people[:10]])
    assert many == few


def test_operations_apply_in_order_as_one_net_change(scim, org, group, people):
    a, b, c = people[:3]
    ops = [add(a, b), remove(a), add(c), remove(c), add(a), remove(b)]
    assert scim.patch(f"Groups/{group.scim_id}", patch(*ops)).status == 204
    assert member_ids(group) == {a.scim_id}
    ops = [{"op": "replace", "path": "members", "value": [{"value": b.scim_id}]}, add(c),
           remove(b), {"op": "replace", "path": "displayName", "value": "Door 2"}]  # fmt: skip
    assert scim.patch(f"Groups/{group.scim_id}", patch(*ops)).status == 204
    assert member_ids(group) == {c.scim_id}
    group.refresh_from_db()
    assert group.display_name == "Door 2"
    ops = [add(a), {"op": "remove", "path": "members"}, add(b)]
    assert scim.patch(f"Groups/{group.scim_id}", patch(*ops)).status == 204
    assert member_ids(group) == {b.scim_id}
