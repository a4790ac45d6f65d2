"""The org's people: create, update, suspend and reactivate."""

import datetime as dt
import re

import pytest
import time_machine
from django.core.exceptions import ValidationError

from accounts.actor import Actor
from accounts.models import AuditEvent, Person, PersonEmail
from accounts.services.groups import group_create
from accounts.services.people import (
    EmailData,
    person_create,
    person_reactivate,
    person_suspend,
    person_update,
)
from kisiscim.exceptions import Conflict

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)


def _emails(person: Person) -> list[tuple[str, str, bool]]:
    return list(person.emails.order_by("-primary", "id").values_list("value", "type", "primary"))


def test_person_create_stores_what_was_sent(org):
    with time_machine.travel(T0, tick=False):
        person = person_create(
            org=org,
            user_name="  Ada.Lovelace@Acme.example.com ",
            external_id="00u1",
            given_name="Ada",
            family_name="Lovelace",
            display_name="Ada Lovelace",
            locale="en-GB",
            emails=[EmailData("ada@acme.example.com", "work", True)],
            actor=Actor.scim(),
        )
    person.refresh_from_db()
    assert (
        person.user_name,
        person.external_id,
        person.full_name,
        person.locale,
        person.is_active,
        person.suspended_at,
        person.send_emails,
        person.provisioned_by,
        person.created_at,
        person.updated_at,
    ) == (
        "Ada.Lovelace@Acme.example.com",
        "00u1",
        "Ada Lovelace",
        "en-GB",
        True,
        None,
        True,
        "scim",
        T0,
        T0,
    )
    assert _emails(person) == [("ada@acme.example.com", "work", True)]
    event = AuditEvent.objects.get(org=org, action="person.created")
    assert (event.actor_kind, event.actor, event.target_id, event.target_label, event.details) == (
        "scim",
        None,
        person.scim_id,
        "Ada.Lovelace@Acme.example.com",
        {"send_emails": True, "active": True},
    )


def test_person_create_by_an_account_is_audited_with_it(org, owner):
    person_create(org=org, user_name="manual@acme.example.com", actor=Actor.of(owner))
    event = AuditEvent.objects.get(org=org, action="person.created")
    assert (event.actor, event.actor_kind, event.actor_label) == (owner, "account", owner.email)


def test_person_created_inactive_is_suspended_from_the_start(org):
    with time_machine.travel(T0, tick=False):
        person = person_create(
            org=org, user_name="late@acme.example.com", active=False, actor=Actor.system()
        )
    assert (person.is_active, person.suspended_at) == (False, T0)


def test_person_create_with_send_emails_false(org):
    person = person_create(
        org=org, user_name="quiet@acme.example.com", send_emails=False, actor=Actor.system()
    )
    person.refresh_from_db()
    assert person.send_emails is False


def test_emails_keep_at_most_one_primary_and_no_duplicates(org):
    """Blank and case-insensitively repeated addresses are dropped; none is made primary
    unless the caller said so (the IdP's data is echoed as sent)."""
    person = person_create(
        org=org,
        user_name="multi@acme.example.com",
        emails=[
            EmailData("a@acme.example.com", "work"),
            EmailData("A@ACME.example.com", "home"),
            EmailData("  ", "other"),
            EmailData("b@acme.example.com", "home"),
        ],
        actor=Actor.system(),
    )
    assert sorted(_emails(person)) == [
        ("a@acme.example.com", "work", False),
        ("b@acme.example.com", "home", False),
    ]
    two_primaries = person_create(
        org=org,
        user_name="two@acme.example.com",
        emails=[
            EmailData("x@acme.example.com", "", True),
            EmailData("y@acme.example.com", "", True),
        ],
        actor=Actor.system(),
    )
    assert _emails(two_primaries) == [
        ("x@acme.example.com", "", True),
        ("y@acme.example.com", "", False),
    ]


def test_duplicate_user_name_in_any_case_is_a_conflict_and_changes_nothing(org):
    person_create(org=org, user_name="Grace@acme.example.com", actor=Actor.system())
    before = (Person.objects.count(), PersonEmail.objects.count(), AuditEvent.objects.count())
    with pytest.raises(Conflict) as excinfo:
        person_create(
            org=org,
            user_name="grace@ACME.example.com",
            emails=[EmailData("grace@acme.example.com")],
            actor=Actor.system(),
        )
    assert excinfo.value.message == (
        "A person with userName 'grace@ACME.example.com' already exists in this organization."
    )
    assert excinfo.value.field == "user_name"
    assert (Person.objects.count(), PersonEmail.objects.count(), AuditEvent.objects.count()) == (
        before
    )


def test_same_user_name_in_another_org_is_another_person(org, other_org):
    mine = person_create(org=org, user_name="same@example.com", actor=Actor.system())
    theirs = person_create(org=other_org, user_name="SAME@example.com", actor=Actor.system())
    assert (mine.org, theirs.org) == (org, other_org)
    assert mine.scim_id != theirs.scim_id


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"user_name": ""}, "userName is required."),
        ({"user_name": "   "}, "userName is required."),
        ({"user_name": 42}, "user_name must be a string."),
        ({"user_name": "x" * 256}, "user_name is longer than 255 characters."),
        ({"user_name": "nul\x00byte"}, "user_name contains a NUL character."),
        ({"locale": "x" * 256}, "locale is longer than 255 characters."),
        ({"emails": [EmailData("x" * 321)]}, "An email address is longer than 320 characters."),
    ],
)
def test_person_create_refuses_bad_values(org, kwargs, message):
    arguments = {"org": org, "user_name": "ok@acme.example.com"} | kwargs
    with pytest.raises(ValidationError) as excinfo:
        person_create(**arguments, actor=Actor.system())
    assert excinfo.value.messages == [message]
    assert not Person.objects.exists()
    assert not AuditEvent.objects.filter(action="person.created").exists()


def test_person_update_reports_what_changed(org):
    person = person_create(
        org=org, user_name="alan@acme.example.com", given_name="Alan", actor=Actor.system()
    )
    with time_machine.travel(T0, tick=False):
        changed = person_update(
            person=person,
            changes={"given_name": "Alan M.", "family_name": "Turing", "locale": None},
            emails=[EmailData("alan@acme.example.com", "work", True)],
            actor=Actor.scim(),
        )
    assert changed == ["given_name", "family_name", "emails"]
    person.refresh_from_db()
    assert (person.given_name, person.family_name, person.updated_at) == ("Alan M.", "Turing", T0)
    assert _emails(person) == [("alan@acme.example.com", "work", True)]
    event = AuditEvent.objects.get(org=org, action="person.updated")
    # Old and new values, for the person's history.
    assert (event.actor_kind, event.details) == (
        "scim",
        {
            "changed": changed,
            "from": {"given_name": "Alan", "family_name": "", "emails": []},
            "to": {
                "given_name": "Alan M.",
                "family_name": "Turing",
                "emails": ["alan@acme.example.com"],
            },
        },
    )


def test_person_update_with_the_same_values_is_a_no_op(org):
    person = person_create(
        org=org,
        user_name="same@acme.example.com",
        given_name="Sam",
        emails=[EmailData("same@acme.example.com", "work", True)],
        actor=Actor.system(),
    )
    updated_at = person.updated_at
    changed = person_update(
        person=person,
        changes={"user_name": "same@acme.example.com", "given_name": "Sam"},
        emails=[EmailData("same@acme.example.com", "work", True)],
        actor=Actor.scim(),
    )
    assert changed == []
    person.refresh_from_db()
    assert person.updated_at == updated_at
    assert not AuditEvent.objects.filter(action="person.updated").exists()


def test_changing_the_case_of_ones_own_user_name_is_allowed(org):
    person = person_create(org=org, user_name="katherine@acme.example.com", actor=Actor.system())
    assert person_update(
        person=person, changes={"user_name": "Katherine@Acme.example.com"}, actor=Actor.scim()
    ) == ["user_name"]
    person.refresh_from_db()
    assert person.user_name == "Katherine@Acme.example.com"


def test_taking_someone_elses_user_name_is_a_conflict(org):
    person_create(org=org, user_name="taken@acme.example.com", actor=Actor.system())
    person = person_create(org=org, user_name="mine@acme.example.com", actor=Actor.system())
    with pytest.raises(Conflict, match=re.escape("'TAKEN@acme.example.com' already exists")):
        person_update(
            person=person, changes={"user_name": "TAKEN@acme.example.com"}, actor=Actor.scim()
        )
    person.refresh_from_db()
    assert person.user_name == "mine@acme.example.com"


def test_person_update_refuses_unknown_attributes_and_an_empty_user_name(org):
    person = person_create(org=org, user_name="strict@acme.example.com", actor=Actor.system())
    with pytest.raises(
        ValidationError, match=re.escape("Unknown person attributes: is_active, scim_id.")
    ):
        person_update(
            person=person, changes={"scim_id": "x", "is_active": False}, actor=Actor.scim()
        )
    with pytest.raises(ValidationError, match=re.escape("userName cannot be empty.")):
        person_update(person=person, changes={"user_name": " "}, actor=Actor.scim())
    person.refresh_from_db()
    assert (person.user_name, person.is_active) == ("strict@acme.example.com", True)


def test_suspend_keeps_the_row_id_and_groups(org):
    person = person_create(org=org, user_name="dijkstra@acme.example.com", actor=Actor.system())
    group = group_create(
        org=org, display_name="Lab", member_ids=[person.scim_id], actor=Actor.system()
    )
    scim_id = person.scim_id
    with time_machine.travel(T0, tick=False):
        assert person_suspend(person=person, actor=Actor.scim()) is True
    person.refresh_from_db()
    assert (person.scim_id, person.is_active, person.suspended_at) == (scim_id, False, T0)
    assert list(group.members.all()) == [person]
    # Suspending again changes nothing, not even the date.
    with time_machine.travel(T0 + dt.timedelta(days=3), tick=False):
        assert person_suspend(person=person, actor=Actor.scim()) is False
    person.refresh_from_db()
    assert person.suspended_at == T0
    assert AuditEvent.objects.filter(action="person.suspended").count() == 1


def test_reactivate_restores_the_same_person(org, owner):
    person = person_create(org=org, user_name="back@acme.example.com", actor=Actor.system())
    group = group_create(
        org=org, display_name="Garage", member_ids=[person.scim_id], actor=Actor.system()
    )
    person_suspend(person=person, actor=Actor.scim())
    assert person_reactivate(person=person, actor=Actor.of(owner)) is True
    person.refresh_from_db()
    assert (person.is_active, person.suspended_at) == (True, None)
    assert list(group.members.all()) == [person]
    assert person_reactivate(person=person, actor=Actor.scim()) is False
    events = list(
        AuditEvent.objects.filter(target_id=person.scim_id)
        .order_by("id")
        .values_list("action", "actor_kind")
    )
    assert events == [
        ("person.created", "system"),
        ("person.suspended", "scim"),
        ("person.reactivated", "account"),
    ]
