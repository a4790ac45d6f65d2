"""A demo organization to try the product with: safe to run again (it changes nothing then).

The org's doors come with it: two places in two time zones, their doors, grants for the
demo groups, a card and a few access events. A demo org made before doors existed gets
them on the next run (once)."""

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
from accounts.models import Membership, Organization
from accounts.selectors.groups import group_get_by_name
from accounts.selectors.orgs import org_get_by_slug
from accounts.selectors.people import person_get_by_user_name
from accounts.services.groups import group_create
from accounts.services.orgs import account_create, membership_add, org_create
from accounts.services.people import EmailData, person_create, person_suspend
from kisiscim.commands import OneLineErrorCommand, command_errors
from sso.services import sso_configure, sso_demo_settings

SYSTEM = Actor.system()
DEMO_SLUG = "demo"
DEMO_OWNER = "owner@demo.kisiscim.local"
# An admin with no password: the demo IdP signs them in.
DEMO_ADMIN = "admin@demo.kisiscim.local"
DEMO_PASSWORD = "demo-doors-open"  # noqa: S105 (a published demo credential, local only)

PEOPLE = [
    ("ada.lovelace@demo.kisiscim.local", "Ada", "Lovelace", True),
    ("grace.hopper@demo.kisiscim.local", "Grace", "Hopper", True),
    ("alan.turing@demo.kisiscim.local", "Alan", "Turing", True),
    ("katherine.johnson@demo.kisiscim.local", "Katherine", "Johnson", True),
    ("edsger.dijkstra@demo.kisiscim.local", "Edsger", "Dijkstra", False),
]
GROUPS = {
    "HQ Front Door": [0, 1, 2, 3],
    "Server Room": [1, 2],
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
            if not place_list(org=org).exists():
                with command_errors(), transaction.atomic():
                    seed_doors(org)
                self.stdout.write("Added places, doors, grants and access events to the demo.")
            elif not options["quiet_if_exists"]:
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
            people = []
            for email, given, family, active in PEOPLE:
                person = person_create(
                    org=org,
                    user_name=email,
                    given_name=given,
                    family_name=family,
                    display_name=f"{given} {family}",
                    emails=[EmailData(value=email, type="work", primary=True)],
                    actor=SYSTEM,
                )
                if not active:
                    person_suspend(person=person, actor=SYSTEM)
                people.append(person)
            for name, members in GROUPS.items():
                group_create(
                    org=org,
                    display_name=name,
                    member_ids=[people[i].scim_id for i in members],
                    actor=SYSTEM,
                )
            seed_doors(org)
        self.stdout.write(
            f"Created the demo organization. Sign in as {DEMO_OWNER} with password {DEMO_PASSWORD}"
        )


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
