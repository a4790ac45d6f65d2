"""`seed_demo`: the demo organization, made once and safe to run again."""

import datetime as dt

import pytest
from django.utils import timezone

from access.models import AccessEvent, Door, Grant, Place
from accounts.models import (
    Group,
    GroupMembership,
    Membership,
    Organization,
    Person,
)
from console.management.commands import seed_demo
from provisioning.models import CleanupFinding
from sso.models import SSOConnection
from sso.selectors import sso_get
from tests.commands import call, database_state, refused

pytestmark = pytest.mark.django_db


# seed_demo -----------------------------------------------------------------------------------


def test_seed_demo_creates_a_demo_org_and_is_safe_to_run_twice(other_org):
    out = call("seed_demo")
    assert out == (
        f"Created the demo organization. Sign in as {seed_demo.DEMO_OWNER} with password "
        f"{seed_demo.DEMO_PASSWORD}\n"
    )
    org = Organization.objects.get(slug="demo")
    owner = Membership.objects.get(org=org, role="owner").account
    assert owner.email == seed_demo.DEMO_OWNER
    assert owner.check_password(seed_demo.DEMO_PASSWORD)
    assert sso_get(org=org).state == SSOConnection.State.ENABLED
    assert Person.objects.filter(org=org, is_active=True).count() == 4
    now = timezone.now()
    suspended = {
        p.user_name: round((now - p.suspended_at) / dt.timedelta(days=1))
        for p in Person.objects.filter(org=org, is_active=False)
    }
    assert suspended == {
        "edsger.dijkstra@demo.kisiscim.local": 10,
        "john.backus@demo.kisiscim.local": 35,
        "barbara.liskov@demo.kisiscim.local": 60,
    }
    # The cleanup audit has run: the two suspended past the org's 30 days are flagged.
    assert sorted(
        CleanupFinding.objects.filter(org=org, status="open").values_list("user_name", flat=True)
    ) == ["barbara.liskov@demo.kisiscim.local", "john.backus@demo.kisiscim.local"]
    assert {g.display_name: g.members.count() for g in Group.objects.filter(org=org)} == {
        "HQ Front Door": 5,
        "Server Room": 3,
        "Parking Garage": 2,
    }
    assert not Person.objects.filter(org=other_org).exists()
    assert sorted(Place.objects.filter(org=org).values_list("name", "time_zone")) == [
        ("Berlin HQ", "Europe/Berlin"),
        ("New York Office", "America/New_York"),
    ]
    assert Door.objects.filter(org=org).count() == 4
    assert Grant.objects.filter(org=org).count() == 4
    reasons = set(AccessEvent.objects.filter(org=org).values_list("reason", flat=True))
    assert {"allowed", "person_suspended", "unknown_card"} <= reasons

    before = database_state()
    memberships = GroupMembership.objects.count()
    again = call("seed_demo")
    assert again == (f"The demo organization exists already; sign in as {seed_demo.DEMO_OWNER}.\n")
    assert database_state() == before
    assert GroupMembership.objects.count() == memberships
    assert call("seed_demo", "--quiet-if-exists") == ""
    assert database_state() == before


def test_seed_demo_adds_doors_to_a_demo_org_made_before_them():
    call("seed_demo")
    org = Organization.objects.get(slug="demo")
    AccessEvent.objects.filter(org=org).delete()
    Place.objects.filter(org=org).delete()
    assert call("seed_demo") == "Added places, doors, grants and access events to the demo.\n"
    assert Door.objects.filter(org=org).count() == 4
    assert call("seed_demo", "--quiet-if-exists") == ""
    assert Door.objects.filter(org=org).count() == 4


def test_seed_demo_adds_the_long_suspended_people_to_a_demo_org_made_before_them():
    call("seed_demo")
    org = Organization.objects.get(slug="demo")
    old = ["john.backus@demo.kisiscim.local", "barbara.liskov@demo.kisiscim.local"]
    CleanupFinding.objects.filter(org=org).delete()
    Person.objects.filter(org=org, user_name__in=old).delete()

    assert call("seed_demo") == (
        "Added John Backus, Barbara Liskov to the demo, for the cleanup audit.\n"
    )
    assert (
        Group.objects.get(org=org, display_name="Server Room")
        .members.filter(user_name="john.backus@demo.kisiscim.local")
        .exists()
    )
    assert sorted(
        CleanupFinding.objects.filter(org=org, status="open").values_list("user_name", flat=True)
    ) == sorted(old)
    before = database_state()
    assert call("seed_demo", "--quiet-if-exists") == ""
    assert database_state() == before


def test_seed_demo_refuses_unknown_options():
    assert refused("seed_demo", "--bogus") == "Error: unrecognized arguments: --bogus"


# demo_banner ---------------------------------------------------------------------------------


def test_the_banner_names_the_url_and_the_demo_sign_ins():
    call("seed_demo")
    rule = "═" * 76
    assert call("demo_banner", "--url", "http://127.0.0.1:8000", "--broker", "Redis") == (
        f"\n{rule}\n"
        "  KisiSCIM is running at  http://127.0.0.1:8000/\n"
        "  Demo owner              owner@demo.kisiscim.local  /  demo-doors-open\n"
        "  Demo admin              admin@demo.kisiscim.local  (Sign in with SSO: the demo IdP)\n"
        "  SCIM base URL           http://127.0.0.1:8000/scim/v2/\n"
        "  Celery broker           Redis\n"
        "  Emails are printed here as NOTICE boxes. Press Ctrl-C to stop.\n"
        f"{rule}\n"
    )


def test_without_the_demo_org_the_banner_names_no_sign_in():
    out = call("demo_banner", "--url", "http://127.0.0.1:8000/")
    assert "Demo owner" not in out
    assert "  KisiSCIM is running at  http://127.0.0.1:8000/\n" in out
