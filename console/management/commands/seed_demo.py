"""A demo organization to try the product with: safe to run again (it changes nothing then).

The org's doors come with it: two places in two time zones, their doors, grants for the
demo groups, a card and a few access events. People suspended 10, 35 and 60 days ago give
the cleanup audit something to show (the two past its 30 days are flagged at once). A demo
org made before doors or those people existed gets them on the next run (once)."""

import datetime as dt

from django.core.management.base import CommandParser
from django.db import transaction
from django.utils import timezone

from access.decision import access_check
from access.models import AccessEvent
from access.selectors import door_list, person_card_list, place_list
from access.services.credentials import card_add
from access.services.grants import grant_create
from access.services.places import door_create, place_create
from accounts.actor import Actor
from accounts.models import Membership, Organization, Person
from accounts.selectors.groups import group_get_by_name
from accounts.selectors.orgs import org_get_by_slug
from accounts.selectors.people import person_get_by_user_name
from accounts.services.groups import group_create, group_members_add
from accounts.services.orgs import account_create, membership_add, org_create
from accounts.services.people import EmailData, person_create, person_suspend
from kisiscim.commands import OneLineErrorCommand, command_errors
from provisioning.services.cleanup import cleanup_audit_run
from sso.services import sso_configure, sso_demo_settings

SYSTEM = Actor.system()
DEMO_SLUG = "demo"
DEMO_OWNER = "owner@demo.kisiscim.local"
# An admin with no password: the demo IdP signs them in.
DEMO_ADMIN = "admin@demo.kisiscim.local"
DEMO_PASSWORD = "demo-doors-open"  # noqa: S105 (a published demo credential, local only)

# (userName, given name, family name, suspended this many days ago or None if active)
PEOPLE = [
    ("ada.lovelace@demo.kisiscim.local", "Ada", "Lovelace", None),
    ("grace.hopper@demo.kisiscim.local", "Grace", "Hopper", None),
    ("alan.turing@demo.kisiscim.local", "Alan", "Turing", None),
    ("katherine.johnson@demo.kisiscim.local", "Katherine", "Johnson", None),
    ("edsger.dijkstra@demo.kisiscim.local", "Edsger", "Dijkstra", 10),
    ("john.backus@demo.kisiscim.local", "John", "Backus", 35),
    ("barbara.liskov@demo.kisiscim.local", "Barbara", "Liskov", 60),
]
GROUPS = {
    "HQ Front Door": [0, 1, 2, 3, 6],
    "Server Room": [1, 2, 5],
    "Parking Garage": [0, 4],
}
WEEKDAYS = [0, 1, 2, 3, 4]
PLACES = {
    "Berlin HQ": ("Europe/Berlin", ["Front door", "Server room"]),
    "New York Office": ("America/New_York", ["Lobby", "Parking garage"]),
}
# (group, door, weekly windows, (first day, last day) as offsets from today in days)
GRANTS = [
    ("HQ Front Door", "Front door", [{"days": WEEKDAYS, "start": "07:00", "end": "20:00"}], None),
    ("HQ Front Door", "Lobby", [], None),
    ("Server Room", "Server room", [], (-30, 335)),
    (
        "Parking Garage",
        "Parking garage",
        [
            {"days": WEEKDAYS, "start": "06:00", "end": "22:00"},
            {"days": [4, 5], "start": "22:00", "end": "02:00"},  # Fri and Sat nights
        ],
        None,
    ),
]
DEMO_CARD = ("ada.lovelace@demo.kisiscim.local", "04:A2:19:7F")
# (person or None for an unknown card, door, hours ago, source)
EVENTS = [
    ("ada.lovelace@demo.kisiscim.local", "Lobby", 26, AccessEvent.Source.API),
    ("grace.hopper@demo.kisiscim.local", "Server room", 20, AccessEvent.Source.API),
    ("alan.turing@demo.kisiscim.local", "Server room", 8, AccessEvent.Source.WEB),
    ("katherine.johnson@demo.kisiscim.local", "Parking garage", 5, AccessEvent.Source.API),
    ("edsger.dijkstra@demo.kisiscim.local", "Parking garage", 3, AccessEvent.Source.API),
    (None, "Lobby", 2, AccessEvent.Source.API),
    ("ada.lovelace@demo.kisiscim.local", "Lobby", 1, AccessEvent.Source.WEB),
]


class Command(OneLineErrorCommand):
    help = "Create the demo organization (owner, admin, demo SSO, a few people and groups)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quiet-if-exists", action="store_true")

    def handle(self, *args: object, **options: object) -> None:
        org = org_get_by_slug(slug=DEMO_SLUG)
        if org is not None:
            added = False
            if not place_list(org=org).exists():
                with command_errors(), transaction.atomic():
                    seed_doors(org)
                self.stdout.write("Added places, doors, grants and access events to the demo.")
                added = True
            with command_errors(), transaction.atomic():
                suspended = seed_suspended(org)
            if suspended:
                self.stdout.write(
                    f"Added {', '.join(suspended)} to the demo, for the cleanup audit."
                )
                added = True
            if not added and not options["quiet_if_exists"]:
                self.stdout.write(f"The demo organization exists already; sign in as {DEMO_OWNER}.")
            return
        with command_errors(), transaction.atomic():
            org, _ = org_create(
                slug=DEMO_SLUG,
                name="Demo Co.",
                owner_email=DEMO_OWNER,
                owner_password=DEMO_PASSWORD,
                actor=SYSTEM,
            )
            admin = account_create(email=DEMO_ADMIN, full_name="Dana Admin", actor=SYSTEM)
            membership_add(org=org, account=admin, role=Membership.Role.ADMIN, actor=SYSTEM)
            # The bundled demo IdP: with DJANGO_DEBUG=1, "Sign in with SSO" for the demo org
            # goes through a demo IdP page on this server (sso.demo_idp).
            sso_configure(org=org, settings=sso_demo_settings(), actor=SYSTEM, enable=True)
            people = [_person_create(org, *row) for row in PEOPLE]
            for name, members in GROUPS.items():
                group_create(
                    org=org,
                    display_name=name,
                    member_ids=[people[i].scim_id for i in members],
                    actor=SYSTEM,
                )
            seed_doors(org)
            cleanup_audit_run(org=org)
        self.stdout.write(
            f"Created the demo organization. Sign in as {DEMO_OWNER} with password {DEMO_PASSWORD}"
        )


def _person_create(
    org: Organization, email: str, given: str, family: str, suspended_days: int | None
) -> Person:
    person = person_create(
        org=org,
        user_name=email,
        given_name=given,
        family_name=family,
        display_name=f"{given} {family}",
        emails=[EmailData(value=email, type="work", primary=True)],
        actor=SYSTEM,
    )
    if suspended_days is not None:
        person_suspend(person=person, actor=SYSTEM)
        # Demo history: the suspension happened `suspended_days` ago. Only this command
        # writes a moment in the past; the product's services always write "now".
        person.suspended_at = timezone.now() - dt.timedelta(days=suspended_days)
        Person.objects.filter(pk=person.pk).update(suspended_at=person.suspended_at)
    return person


def seed_suspended(org: Organization) -> list[str]:
    """The long-suspended demo people, for a demo org made before them (in their groups),
    then the cleanup audit, so its page lists them. Returns the names of those added."""
    added = []
    for index, row in enumerate(PEOPLE):
        email, given, family, suspended_days = row
        if suspended_days is None or person_get_by_user_name(org=org, user_name=email):
            continue
        person = _person_create(org, *row)
        for name, members in GROUPS.items():
            group = group_get_by_name(org=org, display_name=name)
            if index in members and group is not None:
                group_members_add(group=group, member_ids=[person.scim_id], actor=SYSTEM)
        added.append(f"{given} {family}")
    if added:
        cleanup_audit_run(org=org)
    return added


def seed_doors(org: Organization) -> None:
    """Places, doors, the demo groups' grants, Ada's card and a few past access events."""
    for place_name, (zone, door_names) in PLACES.items():
        place = place_create(org=org, name=place_name, time_zone=zone, actor=SYSTEM)
        for door_name in door_names:
            door_create(place=place, name=door_name, actor=SYSTEM)
    doors = {d.name: d for d in door_list(org=org)}
    today = timezone.localdate()
    for group_name, door_name, schedule, days in GRANTS:
        group = group_get_by_name(org=org, display_name=group_name)
        if group is None:  # renamed or deleted in the console since
            continue
        grant_create(
            group=group,
            door=doors[door_name],
            schedule=schedule,
            valid_from=today + dt.timedelta(days=days[0]) if days else None,
            valid_until=today + dt.timedelta(days=days[1]) if days else None,
            actor=SYSTEM,
        )
    ada = person_get_by_user_name(org=org, user_name=DEMO_CARD[0])
    if ada is not None and not person_card_list(org=org, person=ada).exists():
        card_add(person=ada, number=DEMO_CARD[1], actor=SYSTEM)
    now = timezone.now()
    for user_name, door_name, hours_ago, source in EVENTS:
        person = person_get_by_user_name(org=org, user_name=user_name) if user_name else None
        if user_name and person is None:
            continue
        access_check(
            door=doors[door_name],
            person=person,
            card=None if person else "DE:AD:BE:EF",
            source=source,
            requested_by="demo reader" if source == AccessEvent.Source.API else "",
            now=now - dt.timedelta(hours=hours_ago),
        )
