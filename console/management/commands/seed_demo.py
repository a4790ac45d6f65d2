"""A demo organization to try the product with: safe to run again (it changes nothing then)."""

from django.core.management.base import CommandParser
from django.db import transaction

from accounts.actor import Actor
from accounts.models import Membership
from accounts.selectors.orgs import org_get_by_slug
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


class Command(OneLineErrorCommand):
    help = "Create the demo organization (owner, admin, demo SSO, a few people and groups)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quiet-if-exists", action="store_true")

    def handle(self, *args: object, **options: object) -> None:
        if org_get_by_slug(slug=DEMO_SLUG) is not None:
            if not options["quiet_if_exists"]:
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
        self.stdout.write(
            f"Created the demo organization. Sign in as {DEMO_OWNER} with password {DEMO_PASSWORD}"
        )
