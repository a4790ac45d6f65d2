"""Helpers for the cleanup audit tests: people suspended in the past (the clock moved with
time-machine, through the real services) and findings made by the real audit."""

import datetime as dt

import time_machine
from django.utils import timezone

from accounts.actor import Actor
from accounts.models import Group, Organization, Person
from accounts.services.groups import group_create
from accounts.services.people import EmailData, person_create
from provisioning.models import CleanupFinding
from provisioning.services.cleanup import cleanup_audit_run
from provisioning.services.lifecycle import scim_person_create, scim_person_suspend


def make_person(
    org: Organization, user_name: str, *, actor: Actor | None = None, **kwargs
) -> Person:
    """A person created by the IdP (through SCIM's lifecycle: welcome email and all), or by
    `actor` when given."""
    kwargs.setdefault("emails", [EmailData(user_name, "work", True)])
    if actor is None:
        return scim_person_create(org=org, user_name=user_name, **kwargs)
    return person_create(org=org, user_name=user_name, actor=actor, **kwargs)


def suspend_days_ago(person: Person, days: float) -> Person:
    """Suspend the person as the IdP does, with the clock set `days` back."""
    with time_machine.travel(timezone.now() - dt.timedelta(days=days), tick=False):
        scim_person_suspend(person=person)
    person.refresh_from_db()
    return person


def suspended_people(org: Organization, count: int, *, days: float = 40, prefix: str = "p"):
    return [
        suspend_days_ago(make_person(org, f"{prefix}{i}@{org.slug}.example.com"), days)
        for i in range(count)
    ]


def group_with(org: Organization, name: str, people: list[Person]) -> Group:
    return group_create(
        org=org, display_name=name, member_ids=[p.scim_id for p in people], actor=Actor.system()
    )


def open_findings(org: Organization) -> list[CleanupFinding]:
    return list(CleanupFinding.objects.filter(org=org, status=CleanupFinding.Status.OPEN))


def flag(org: Organization) -> list[CleanupFinding]:
    """Run the real audit for the org and return what it flagged."""
    return cleanup_audit_run(org=org).flagged
