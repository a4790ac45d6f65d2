"""The small things that make the console feel finished: sign-in lands on the org used last,
the mass-deactivation banner counts and links, the Settings card shows SSO and SCIM, the
cleanup audit keeps a failed form's ticks. Through the test client, with a second org."""

import datetime as dt
import re

import pytest
import time_machine
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts.actor import Actor
from accounts.models import Membership
from accounts.services.orgs import LAST_USED_RESOLUTION, membership_add, membership_used
from accounts.services.people import person_reactivate, person_suspend
from notifications.models import OrgAlert
from notifications.services import org_alert_raise
from provisioning.services.scim_config import scim_enable
from provisioning.services.tokens import scim_token_add, scim_token_generate
from sso.services import sso_configure, sso_enable
from tests.factories import AccountFactory
from tests.provisioning.cleanup_support import make_person, suspend_days_ago
from tests.provisioning.scim.client import ScimClient, issue_token
from tests.support import demo_idp

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return response.content.decode()


# Sign-in lands on the org used last ----------------------------------------------------------


@pytest.fixture
def two_org_account(make_org):
    """An admin of 'Org aaa' and 'Org zzz' (alphabetical order puts aaa first)."""
    account = AccountFactory(email="both@example.com")
    first, last = make_org("aaa"), make_org("zzz")
    for org in (first, last):
        membership_add(org=org, account=account, role=Membership.Role.ADMIN, actor=Actor.system())
    client = Client()
    client.force_login(account)
    return account, client, first, last


def test_home_lands_on_the_first_org_by_name_before_any_is_used(two_org_account):
    _, client, first, _ = two_org_account
    assert client.get(reverse("home"))["Location"] == reverse("dashboard", args=[first.slug])


def test_home_lands_on_the_org_whose_page_was_opened_last(two_org_account):
    _account, client, first, last = two_org_account
    assert client.get(reverse("people", args=[last.slug])).status_code == 200
    assert client.get(reverse("home"))["Location"] == reverse("dashboard", args=[last.slug])
    # Some minutes later the other org is used: home follows.
    with time_machine.travel(timezone.now() + LAST_USED_RESOLUTION, tick=False):
        assert client.get(reverse("settings", args=[first.slug])).status_code == 200
    assert client.get(reverse("home"))["Location"] == reverse("dashboard", args=[first.slug])


def test_a_refused_org_page_is_not_a_use(two_org_account, other_org):
    _account, client, _first, last = two_org_account
    client.get(reverse("people", args=[last.slug]))
    assert client.get(reverse("people", args=[other_org.slug])).status_code == 403
    assert client.get(reverse("home"))["Location"] == reverse("dashboard", args=[last.slug])
    assert not Membership.objects.filter(org=other_org, last_used_at__isnull=False).exists()


def test_the_last_use_is_written_at_most_once_per_resolution(two_org_account):
    account, _, first, _ = two_org_account
    membership = Membership.objects.get(account=account, org=first)
    now = timezone.now()
    assert membership_used(membership=membership, now=now) is True
    assert membership_used(membership=membership, now=now + dt.timedelta(seconds=30)) is False
    assert membership_used(membership=membership, now=now + LAST_USED_RESOLUTION) is True
    membership.refresh_from_db()
    assert membership.last_used_at == now + LAST_USED_RESOLUTION


def test_an_account_with_one_org_still_lands_on_it(owner_client, org):
    assert owner_client.get(reverse("home"))["Location"] == reverse("dashboard", args=[org.slug])


# The mass-deactivation banner ----------------------------------------------------------------


def _banner(org, account) -> str:
    """The alert banner partial as a page of the org renders it for `account`."""
    request = RequestFactory().get(f"/o/{org.slug}/people/")
    request.user = account
    request.org = org
    request.membership = Membership.objects.get(org=org, account=account)
    return render_to_string("notifications/_alert_banner.html", request=request)


@pytest.fixture
def mass_alert(org, other_org):
    """Six of the org's people suspended by the IdP in the last few minutes (one of them two
    hours ago, before the alert's window), and the alert raised for them."""
    people = [make_person(org, f"p{i}@acme.example.com") for i in range(6)]
    make_person(other_org, "x@globex.example.com")
    suspend_days_ago(people[0], 2 / 24)
    for person in people[1:5]:
        person_suspend(person=person, actor=Actor.scim())
    alert = org_alert_raise(
        org=org,
        kind=OrgAlert.Kind.MASS_DEACTIVATION,
        message="4 people were deactivated by your identity provider within 60 minutes.",
        details={"count": 4, "headcount": 6},
    )
    other = make_person(other_org, "y@globex.example.com")
    person_suspend(person=other, actor=Actor.scim())
    return alert, people


def test_the_banner_counts_the_people_still_suspended_and_links_to_them(
    mass_alert, org, owner, owner_client
):
    alert, people = mass_alert
    html = _banner(org, owner)
    assert html.count('data-testid="org-alert"') == 1
    assert "4 people were deactivated" in html
    since = alert.created_at - dt.timedelta(minutes=60)
    link = re.search(
        r'<a href="([^"]+)" data-testid="alert-people">([^<]*<time[^>]*>[^<]*</time>[^<]*)</a>',
        html,
    )
    assert link is not None, html
    assert re.sub(r"<[^>]+>", "", link.group(2)) == (
        f"Now 4 people suspended since {since:%Y-%m-%d %H:%M} UTC are still suspended"
    )
    # No separators left over from the old one-line banner.
    assert " · " not in html and " — " not in html

    # One is reactivated, another suspended: the banner follows, the message stays.
    person_reactivate(person=people[1], actor=Actor.scim())
    person_suspend(person=people[5], actor=Actor.scim())
    person_reactivate(person=people[2], actor=Actor.scim())
    html = _banner(org, owner)
    assert ">Now 3 people suspended since" in html

    # The link lists exactly those people, not the one suspended before the window, nor the
    # other org's.
    url = link.group(1).replace("&amp;", "&")
    page = owner_client.get(url)
    assert page.status_code == 200
    listed = re.findall(r'<td class="mono">([^<]+)</td>', _text(page))
    assert sorted(listed) == ["p3@acme.example.com", "p4@acme.example.com", "p5@acme.example.com"]
    assert b'data-testid="suspended-since-filter"' in page.content


def test_the_banner_says_so_when_everyone_is_back(mass_alert, org, owner):
    _, people = mass_alert
    for person in people[1:5]:
        person_reactivate(person=person, actor=Actor.scim())
    html = _banner(org, owner)
    assert "Everyone suspended since then has been reactivated." in html
    assert 'data-testid="alert-people"' not in html


def test_one_person_is_written_in_the_singular(mass_alert, org, owner):
    _, people = mass_alert
    for person in people[2:5]:
        person_reactivate(person=person, actor=Actor.scim())
    assert ">Now 1 person suspended since" in _banner(org, owner)
    assert " is still suspended</a>" in _banner(org, owner)


def test_a_bad_suspended_since_is_ignored_not_a_500(owner_client, org):
    page = owner_client.get(f"/o/{org.slug}/people/?status=suspended&suspended_since=yesterday")
    assert page.status_code == 200
    assert b'data-testid="suspended-since-filter"' not in page.content


# The Settings page's SSO & SCIM card ---------------------------------------------------------


def _card(client, org) -> dict[str, str]:
    """The card's three lines as text."""
    html = _text(client.get(reverse("settings", args=[org.slug])))
    lines = {}
    for key in ("card-sso", "card-scim", "card-last-request"):
        match = re.search(rf'<li data-testid="{key}">(.*?)</li>', html, re.S)
        assert match, key
        lines[key] = " ".join(re.sub(r"<[^>]+>", "", match.group(1)).split())
    return lines


def test_the_card_of_a_new_org_says_nothing_is_set_up(make_org):
    org = make_org("fresh", sso=False)
    client = Client()
    client.force_login(Membership.objects.get(org=org).account)
    assert _card(client, org) == {
        "card-sso": "SSO: not configured",
        "card-scim": "SCIM: off",
        "card-last-request": "Single sign-on, SCIM provisioning and its token.",
    }


def test_the_card_follows_sso_and_scim_through_set_up(make_org, other_org):
    org = make_org("steps", sso=False)
    client = Client()
    client.force_login(Membership.objects.get(org=org).account)
    sso_configure(org=org, settings=demo_idp(), actor=Actor.system(), enable=False)
    assert _card(client, org)["card-sso"] == "SSO: configured, not enabled"
    sso_enable(org=org, actor=Actor.system())
    scim_enable(org=org, actor=Actor.system())
    assert _card(client, org) == {
        "card-sso": "SSO: enabled",
        "card-scim": "SCIM: on with 0 active tokens",
        "card-last-request": "No SCIM request yet",
    }
    _, raw = scim_token_generate(org=org, actor=Actor.system())
    assert _card(client, org)["card-scim"] == "SCIM: on with 1 active token"
    scim_token_add(org=org, actor=Actor.system(), name="Second")
    assert _card(client, org)["card-scim"] == "SCIM: on with 2 active tokens"

    # Another org's traffic is not this org's last request.
    ScimClient(issue_token(other_org)).request("GET", "Users")
    assert _card(client, org)["card-last-request"] == "No SCIM request yet"
    assert ScimClient(raw).request("GET", "Users").status == 200
    assert _card(client, org)["card-last-request"] == "Last request just now"
    assert ScimClient(raw).request("GET", "Users?filter=foo%20eq%20%22x%22").status == 400
    assert _card(client, org)["card-last-request"] == "Last request just now 400"


def test_an_expired_token_is_not_counted(org, owner_client):
    scim_enable(org=org, actor=Actor.system())
    with time_machine.travel(timezone.now() - dt.timedelta(days=2)):
        scim_token_generate(org=org, actor=Actor.system(), expires_in_days=1)
    assert _card(owner_client, org)["card-scim"] == "SCIM: on with 0 active tokens"


def test_an_admin_sees_no_sso_scim_card(org, admin_client_org):
    html = _text(admin_client_org.get(reverse("settings", args=[org.slug])))
    assert 'data-settings="sso-scim"' not in html
    assert 'data-testid="card-scim"' not in html
