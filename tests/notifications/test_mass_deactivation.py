"""The mass-deactivation alert: an unusual share of an org's people suspended by the IdP
within the window raises one alert (email and console banner), never blocking SCIM."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from accounts.actor import Actor
from accounts.models import AuditEvent, Person
from accounts.services.people import person_suspend
from notifications.models import OrgAlert
from notifications.services import mass_deactivation_threshold_reached
from tests.provisioning.cleanup_support import make_person
from tests.provisioning.scim.client import PATCH_OP, ScimClient, issue_token

pytestmark = pytest.mark.django_db

DEACTIVATE = {"schemas": [PATCH_OP], "Operations": [{"op": "replace", "value": {"active": False}}]}


@pytest.fixture(autouse=True)
def thresholds(settings):
    settings.MASS_DEACTIVATION_WINDOW_MINUTES = 60
    settings.MASS_DEACTIVATION_COUNT = 8
    settings.MASS_DEACTIVATION_PERCENT = 20
    settings.MASS_DEACTIVATION_MIN_COUNT = 3


@pytest.fixture
def people(org) -> list[Person]:
    return [make_person(org, f"p{i}@acme.example.com") for i in range(20)]


@pytest.fixture
def scim(org) -> ScimClient:
    return ScimClient(issue_token(org))


def deactivate(scim: ScimClient, people: list[Person], capture) -> None:
    for person in people:
        with capture(execute=True):
            r = scim.patch(f"Users/{person.scim_id}", DEACTIVATE)
        assert (r.status, r.json["active"]) == (200, False)


def alert_emails() -> list:
    return [m for m in mail.outbox if "Alert" in m.subject]


def test_the_threshold_rule():
    assert not mass_deactivation_threshold_reached(count=2, headcount=5)  # 40%, too few
    assert mass_deactivation_threshold_reached(count=3, headcount=15)  # 20%
    assert not mass_deactivation_threshold_reached(count=3, headcount=16)  # 18%
    assert mass_deactivation_threshold_reached(count=8, headcount=100_000)  # absolute count


def test_crossing_the_share_raises_one_alert_by_email_and_banner(
    scim, org, other_org, people, owner_client, django_capture_on_commit_callbacks
):
    deactivate(scim, people[:3], django_capture_on_commit_callbacks)  # 15% of 20
    assert OrgAlert.objects.count() == 0
    assert alert_emails() == []

    deactivate(scim, people[3:4], django_capture_on_commit_callbacks)  # 20%: alert
    deactivate(scim, people[4:9], django_capture_on_commit_callbacks)  # more: no second alert

    alert = OrgAlert.objects.get()
    assert (alert.org, alert.kind, alert.details) == (
        org,
        OrgAlert.Kind.MASS_DEACTIVATION,
        {"count": 4, "headcount": 20},
    )
    (email,) = alert_emails()
    assert email.to == ["owner@acme.example.com"]
    assert email.subject == "[KisiSCIM] Alert: mass deactivation in Org acme"
    assert "4 people were deactivated by your identity provider within 60 minutes" in email.body
    assert AuditEvent.objects.filter(org=org, action="alert.mass_deactivation").count() == 1
    assert not OrgAlert.objects.filter(org=other_org).exists()

    page = owner_client.get(f"/o/{org.slug}/people/")
    assert page.status_code == 200
    assert page.content.decode().count('data-testid="org-alert"') == 1
    assert b"4 people were deactivated" in page.content


def test_an_absolute_count_alerts_a_large_org(
    make_org, django_capture_on_commit_callbacks, settings
):
    settings.MASS_DEACTIVATION_COUNT = 3
    big = make_org("big")
    crowd = [make_person(big, f"c{i}@big.example.com") for i in range(40)]
    scim = ScimClient(issue_token(big))
    deactivate(scim, crowd[:3], django_capture_on_commit_callbacks)  # 7.5%, but 3 people
    assert OrgAlert.objects.get().details == {"count": 3, "headcount": 40}


def test_suspensions_spread_beyond_the_window_do_not_alert(
    scim, people, django_capture_on_commit_callbacks
):
    start = timezone.now()
    with time_machine.travel(start - dt.timedelta(hours=3)):
        deactivate(scim, people[:2], django_capture_on_commit_callbacks)
    with time_machine.travel(start - dt.timedelta(hours=1, minutes=30)):
        deactivate(scim, people[2:4], django_capture_on_commit_callbacks)
    deactivate(scim, people[4:6], django_capture_on_commit_callbacks)
    assert OrgAlert.objects.count() == 0


def test_suspensions_by_console_accounts_are_not_counted(
    org, owner, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for person in people[:10]:
            person_suspend(person=person, actor=Actor.of(owner))
    assert OrgAlert.objects.count() == 0


def test_a_dismissed_alert_can_be_raised_again_later(
    scim, org, people, admin_client_org, django_capture_on_commit_callbacks
):
    deactivate(scim, people[:4], django_capture_on_commit_callbacks)
    alert = OrgAlert.objects.get()

    r = admin_client_org.post(
        f"/o/{org.slug}/alerts/{alert.pk}/dismiss/", {"next": f"/o/{org.slug}/groups/"}
    )
    assert (r.status_code, r["Location"]) == (302, f"/o/{org.slug}/groups/")
    alert.refresh_from_db()
    assert alert.dismissed_at is not None
    assert b'data-testid="org-alert"' not in admin_client_org.get(f"/o/{org.slug}/").content

    with time_machine.travel(timezone.now() + dt.timedelta(hours=2)):
        deactivate(scim, people[4:8], django_capture_on_commit_callbacks)
    assert OrgAlert.objects.filter(org=org, dismissed_at__isnull=True).count() == 1
    assert len(alert_emails()) == 2


def test_dismiss_is_for_the_orgs_own_alerts_and_rejects_foreign_redirects(
    scim, org, other_org, people, owner_client, django_capture_on_commit_callbacks
):
    deactivate(scim, people[:4], django_capture_on_commit_callbacks)
    alert = OrgAlert.objects.get()

    # Through the other org's URL (the owner is not a member there): 403.
    r = owner_client.post(f"/o/{other_org.slug}/alerts/{alert.pk}/dismiss/")
    assert r.status_code == 403
    r = owner_client.post(
        f"/o/{org.slug}/alerts/{alert.pk}/dismiss/", {"next": "https://evil.example.com/"}
    )
    assert (r.status_code, r["Location"]) == (302, f"/o/{org.slug}/")
    assert owner_client.get(f"/o/{org.slug}/alerts/{alert.pk}/dismiss/").status_code == 405


REACTIVATE = {"schemas": [PATCH_OP], "Operations": [{"op": "replace", "value": {"active": True}}]}


def test_the_alert_counts_distinct_people_not_suspensions(
    scim, org, people, django_capture_on_commit_callbacks
):
    """Suspending and reactivating the same two people over and over is two people: the
    review's 65 suspensions of 9 people raised "50 people"."""
    for _ in range(10):
        deactivate(scim, people[:2], django_capture_on_commit_callbacks)
        for person in people[:2]:
            with django_capture_on_commit_callbacks(execute=True):
                assert scim.patch(f"Users/{person.scim_id}", REACTIVATE).status == 200
    assert OrgAlert.objects.count() == 0
    deactivate(scim, people[2:4], django_capture_on_commit_callbacks)  # 4 people: 20%
    assert OrgAlert.objects.get().details == {"count": 4, "headcount": 20}
