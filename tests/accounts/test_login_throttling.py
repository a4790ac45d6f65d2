"""Console sign-in is throttled (django-axes, database handler, so every process shares the
count): after AXES_FAILURE_LIMIT wrong passwords an account is locked whatever the address,
and an address is locked whatever the account; the lockout is audited and says so clearly,
and even the right password is refused until the cool-off ends."""

import pytest
from django.test import Client

from accounts.models import AuditEvent
from tests.support import PASSWORD

pytestmark = pytest.mark.django_db

LIMIT = 5


@pytest.fixture(autouse=True)
def _limit(settings):
    settings.AXES_FAILURE_LIMIT = LIMIT


def attempt(email: str, password: str, address: str = "192.0.2.1"):
    return Client(REMOTE_ADDR=address).post("/login/", {"username": email, "password": password})


def test_an_account_is_locked_after_the_limit_from_any_address(owner):
    statuses = [
        attempt(owner.email, "wrong", address=f"192.0.2.{i}").status_code for i in range(LIMIT)
    ]
    # The form again, with its error; the attempt that reaches the limit is the lockout.
    assert statuses == [200] * (LIMIT - 1) + [429]
    locked = attempt(owner.email, PASSWORD, address="198.51.100.1")
    assert locked.status_code == 429
    assert "Too many failed sign-in attempts" in locked.content.decode()
    assert "_auth_user_id" not in locked.wsgi_request.session
    events = AuditEvent.objects.filter(action="account.locked_out")
    assert events.exists()
    assert {e.details["username"] for e in events} == {owner.email}


def test_an_address_is_locked_after_the_limit_whatever_the_account(owner):
    for i in range(LIMIT):
        attempt(f"nobody{i}@example.com", "wrong", address="203.0.113.5")
    assert attempt(owner.email, PASSWORD, address="203.0.113.5").status_code == 429
    # Elsewhere, the owner signs in.
    signed_in = attempt(owner.email, PASSWORD, address="203.0.113.6")
    assert signed_in.status_code == 302


def test_the_case_of_the_email_does_not_escape_the_count(owner):
    for i in range(LIMIT):
        attempt(owner.email.upper() if i % 2 else owner.email, "wrong", address=f"192.0.2.{i}")
    assert attempt(owner.email, PASSWORD, address="198.51.100.2").status_code == 429
