"""`seed_demo`: the demo organization, made once and safe to run again."""

import pytest

from access.models import AccessEvent, Door, Grant, Place
from accounts.models import (
    Group,
    GroupMembership,
    Membership,
    Organization,
    Person,
)
from console.management.commands import seed_demo
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
    assert list(
        Person.objects.filter(org=org, is_active=False).values_list("user_name", flat=True)
    ) == ["edsger.dijkstra@demo.kisiscim.local"]
    assert {g.display_name: g.members.count() for g in Group.objects.filter(org=org)} == {
        "HQ Front Door": 4,
        "Server Room": 2,
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


def test_seed_demo_refuses_unknown_options():
    assert refused("seed_demo", "--bogus") == "Error: unrecognized arguments: --bogus"
