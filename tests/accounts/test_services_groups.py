"""Groups and their members: the org's people only, idempotent, constant query counts."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.actor import Actor
from accounts.models import AuditEvent, Group, GroupMembership, Person
from accounts.services.groups import (
    group_create,
    group_delete,
    group_members_add,
    group_members_remove,
    group_members_set,
    group_update,
)
from accounts.services.people import person_create, person_suspend
from kisiscim.exceptions import Conflict

pytestmark = pytest.mark.django_db


def _people(org, n: int, prefix: str = "p") -> list[Person]:
    return [
        person_create(
            org=org, user_name=f"{prefix}{i}@{org.slug}.example.com", actor=Actor.system()
        )
        for i in range(n)
    ]


def _member_names(group: Group) -> list[str]:
    return sorted(group.members.values_list("user_name", flat=True))


def test_group_create_with_members(org, owner):
    ada, grace = _people(org, 2)
    group = group_create(
        org=org,
        display_name="  HQ Front Door ",
        external_id="00g1",
        member_ids=[ada.scim_id, grace.scim_id, ada.scim_id],
        actor=Actor.of(owner),
    )
    group.refresh_from_db()
    assert (group.display_name, group.external_id, group.org) == ("HQ Front Door", "00g1", org)
    assert _member_names(group) == ["p0@acme.example.com", "p1@acme.example.com"]
    event = AuditEvent.objects.get(org=org, action="group.created")
    assert (event.actor, event.target_id, event.details) == (
        owner,
        group.scim_id,
        {"members": 2, "source": "console", "joined": [ada.scim_id, grace.scim_id]},
    )


def test_duplicate_display_name_in_any_case_is_a_conflict(org, other_org):
    group_create(org=org, display_name="Server Room", actor=Actor.system())
    with pytest.raises(Conflict) as excinfo:
        group_create(org=org, display_name="server ROOM", actor=Actor.system())
    assert excinfo.value.message == (
        "A group named 'server ROOM' already exists in this organization."
    )
    assert excinfo.value.field == "display_name"
    # The same name in another org is another group.
    group_create(org=other_org, display_name="SERVER ROOM", actor=Actor.system())
    assert Group.objects.filter(org=org).count() == 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"display_name": ""}, "displayName is required."),
        ({"display_name": "  "}, "displayName is required."),
        ({"display_name": None}, "displayName must be a string."),
        ({"display_name": "x" * 256}, "displayName is longer than 255 characters."),
        ({"external_id": 7}, "externalId must be a string of at most 255 characters."),
    ],
)
def test_group_create_refuses_bad_values(org, kwargs, message):
    with pytest.raises(ValidationError) as excinfo:
        group_create(**({"org": org, "display_name": "Lobby"} | kwargs), actor=Actor.system())
    assert excinfo.value.messages == [message]
    assert not Group.objects.exists()


def test_another_orgs_person_can_never_be_a_member(org, other_org):
    """An id from another org is refused, never silently linked, and nothing is written."""
    (mine,) = _people(org, 1)
    (theirs,) = _people(other_org, 1)
    with pytest.raises(ValidationError) as excinfo:
        group_create(
            org=org,
            display_name="Lobby",
            member_ids=[mine.scim_id, theirs.scim_id],
            actor=Actor.system(),
        )
    assert excinfo.value.messages == [
        f"No person with id {theirs.scim_id} exists in this organization."
    ]
    assert not Group.objects.filter(org=org).exists()

    group = group_create(
        org=org, display_name="Lobby", member_ids=[mine.scim_id], actor=Actor.system()
    )
    for service in (group_members_add, group_members_remove, group_members_set):
        with pytest.raises(ValidationError, match=re.escape(theirs.scim_id)):
            service(group=group, member_ids=[theirs.scim_id], actor=Actor.scim())
    with pytest.raises(ValidationError, match="No person with id not-an-id"):
        group_members_add(group=group, member_ids=["not-an-id"], actor=Actor.scim())
    assert _member_names(group) == ["p0@acme.example.com"]
    assert not GroupMembership.objects.filter(person=theirs).exists()


def test_members_add_is_idempotent(org):
    ada, grace, alan = _people(org, 3)
    group = group_create(
        org=org, display_name="Lab", member_ids=[ada.scim_id], actor=Actor.system()
    )
    assert (
        group_members_add(group=group, member_ids=[ada.scim_id, grace.scim_id], actor=Actor.scim())
        == 2
    )
    assert group_members_add(group=group, member_ids=[grace.scim_id], actor=Actor.scim()) == 1
    assert group_members_add(group=group, member_ids=[], actor=Actor.scim()) == 0
    assert _member_names(group) == ["p0@acme.example.com", "p1@acme.example.com"]
    assert GroupMembership.objects.filter(group=group).count() == 2
    assert alan.memberships.count() == 0


def test_members_remove_is_idempotent(org):
    ada, grace = _people(org, 2)
    group = group_create(
        org=org, display_name="Lab", member_ids=[ada.scim_id, grace.scim_id], actor=Actor.system()
    )
    assert group_members_remove(group=group, member_ids=[ada.scim_id], actor=Actor.scim()) == 1
    assert group_members_remove(group=group, member_ids=[ada.scim_id], actor=Actor.scim()) == 0
    assert _member_names(group) == ["p1@acme.example.com"]
    # The person is untouched.
    ada.refresh_from_db()
    assert ada.is_active is True


def test_members_set_replaces_the_members(org):
    ada, grace, alan = _people(org, 3)
    group = group_create(
        org=org, display_name="Lab", member_ids=[ada.scim_id, grace.scim_id], actor=Actor.system()
    )
    group_members_set(group=group, member_ids=[grace.scim_id, alan.scim_id], actor=Actor.scim())
    assert _member_names(group) == ["p1@acme.example.com", "p2@acme.example.com"]
    group_members_set(group=group, member_ids=[], actor=Actor.scim())
    assert _member_names(group) == []
    actions = list(
        AuditEvent.objects.filter(target_id=group.scim_id).order_by("id").values_list("action")
    )
    assert actions == [
        ("group.created",),
        ("group.members_replaced",),
        ("group.members_replaced",),
    ]


def test_membership_changes_take_a_constant_number_of_queries(org):
    """Adding 5 or 60 members costs the same number of queries."""
    small_group = group_create(org=org, display_name="Small", actor=Actor.system())
    big_group = group_create(org=org, display_name="Big", actor=Actor.system())
    small = [p.scim_id for p in _people(org, 5, "s")]
    big = [p.scim_id for p in _people(org, 60, "b")]

    def count(service, group, ids) -> int:
        with CaptureQueriesContext(connection) as ctx:
            service(group=group, member_ids=ids, actor=Actor.scim())
        return len(ctx.captured_queries)

    for service in (group_members_add, group_members_set, group_members_remove):
        assert count(service, small_group, small) == count(service, big_group, big)


def test_a_suspended_person_keeps_memberships(org):
    (person,) = _people(org, 1)
    group = group_create(
        org=org, display_name="Lab", member_ids=[person.scim_id], actor=Actor.system()
    )
    person_suspend(person=person, actor=Actor.scim())
    assert _member_names(group) == ["p0@acme.example.com"]


def test_group_update_renames_and_repeating_the_name_is_no_conflict(org):
    group = group_create(org=org, display_name="Garage", actor=Actor.system())
    group_create(org=org, display_name="Lobby", actor=Actor.system())
    assert group_update(group=group, display_name="Garage", actor=Actor.scim()) == []
    assert group_update(
        group=group, display_name="GARAGE", external_id="00g9", actor=Actor.scim()
    ) == [
        "display_name",
        "external_id",
    ]
    with pytest.raises(Conflict, match="'lobby' already exists"):
        group_update(group=group, display_name="lobby", actor=Actor.scim())
    group.refresh_from_db()
    assert (group.display_name, group.external_id) == ("GARAGE", "00g9")
    assert AuditEvent.objects.filter(action="group.updated").count() == 1


def test_group_delete_leaves_its_people_alone(org):
    ada, grace = _people(org, 2)
    group = group_create(
        org=org, display_name="Lab", member_ids=[ada.scim_id, grace.scim_id], actor=Actor.system()
    )
    scim_id = group.scim_id
    group_delete(group=group, actor=Actor.scim())
    assert not Group.objects.filter(scim_id=scim_id).exists()
    assert not GroupMembership.objects.exists()
    assert list(Person.objects.filter(org=org, is_active=True).order_by("id")) == [ada, grace]
    event = AuditEvent.objects.get(action="group.deleted")
    assert (event.org, event.target_id, event.target_label, event.actor_kind) == (
        org,
        scim_id,
        "Lab",
        "scim",
    )


def test_a_group_the_idp_pushes_is_idp_managed_and_console_edits_are_refused(org, owner):
    people = [
        person_create(org=org, user_name=f"p{i}@acme.example.com", actor=Actor.system())
        for i in range(2)
    ]
    pushed = group_create(
        org=org, display_name="Okta group", member_ids=[people[0].scim_id], actor=Actor.scim()
    )
    assert pushed.source == Group.Source.SCIM and pushed.members_managed_by_idp
    for change in (group_members_add, group_members_remove, group_members_set):
        with pytest.raises(ValidationError) as refused:
            change(group=pushed, member_ids=[people[1].scim_id], actor=Actor.of(owner))
        assert refused.value.code == "idp_managed"
    assert _member_names(pushed) == ["p0@acme.example.com"]
    # The IdP itself, and the system (commands), still change it.
    group_members_add(group=pushed, member_ids=[people[1].scim_id], actor=Actor.scim())
    group_members_remove(group=pushed, member_ids=[people[1].scim_id], actor=Actor.system())
    assert _member_names(pushed) == ["p0@acme.example.com"]


def test_a_console_group_the_idp_links_becomes_idp_managed(org, owner):
    person = person_create(org=org, user_name="p0@acme.example.com", actor=Actor.system())
    group = group_create(org=org, display_name="Linked", actor=Actor.of(owner))
    assert group.source == Group.Source.CONSOLE
    group_members_add(group=group, member_ids=[person.scim_id], actor=Actor.of(owner))
    # Okta's Link Group finds it by name, then pushes its members.
    group_members_set(group=group, member_ids=[person.scim_id], actor=Actor.scim())
    group.refresh_from_db()
    assert group.source == Group.Source.SCIM


def test_a_replacement_records_only_real_joins_and_leaves(org):
    """Okta resends the whole member list on every push: a person already in the group has
    not joined it again (their history would say so on every push)."""
    from accounts.models import AuditEvent
    from accounts.services.groups import group_members_set, group_patch

    ada, grace, edsger = (
        person_create(org=org, user_name=f"{n}@acme.example.com", actor=Actor.system())
        for n in ("ada", "grace", "edsger")
    )
    group = group_create(org=org, display_name="Lab", member_ids=[ada.scim_id], actor=Actor.scim())
    group_members_set(group=group, member_ids=[ada.scim_id, grace.scim_id], actor=Actor.scim())
    replaced = AuditEvent.objects.filter(action="group.members_replaced").latest("id")
    assert (replaced.details["joined"], replaced.details["left"]) == ([grace.scim_id], [])
    group_patch(group=group, members_set=[grace.scim_id, edsger.scim_id], actor=Actor.scim())
    patched = AuditEvent.objects.filter(action="group.patched").latest("id")
    assert (patched.details["joined"], patched.details["left"]) == ([edsger.scim_id], [ada.scim_id])
