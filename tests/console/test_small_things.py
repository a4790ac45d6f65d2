"""The small things that make the console feel finished: sign-in lands on the org used last,
the mass-deactivation banner counts and links, the Settings card shows SSO and SCIM, the
cleanup audit keeps a failed form's ticks. Through the test client, with a second org."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.actor import Actor
from accounts.models import Membership
from accounts.services.orgs import LAST_USED_RESOLUTION, membership_add, membership_used
from tests.factories import AccountFactory

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
