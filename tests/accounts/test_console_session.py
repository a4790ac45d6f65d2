"""Console sessions end after SESSION_IDLE_MINUTES without a request (default 30) and
SESSION_ABSOLUTE_HOURS after sign-in (default 12) however active; pages shown to a signed-in
account are never stored by browsers or proxies (Cache-Control: no-store)."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from tests.support import PASSWORD

pytestmark = pytest.mark.django_db


def signed_in(owner) -> Client:
    client = Client()
    assert (
        client.post("/login/", {"username": owner.email, "password": PASSWORD}).status_code == 302
    )
    return client


def test_pages_with_people_data_are_not_stored(owner, org):
    r = signed_in(owner).get(f"/o/{org.slug}/people/")
    assert r.status_code == 200
    assert "no-store" in r["Cache-Control"]
    assert "private" in r["Cache-Control"]


def test_an_idle_session_ends(owner, org):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client = signed_in(owner)
        clock.move_to(start + dt.timedelta(minutes=29))
        assert client.get(f"/o/{org.slug}/people/").status_code == 200
        clock.move_to(start + dt.timedelta(minutes=29 + 31))
        r = client.get(f"/o/{org.slug}/people/")
    assert r.status_code == 302
    assert r["Location"].startswith("/login/")


def test_an_active_session_ends_after_the_absolute_limit(owner, org):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client = signed_in(owner)
        for minutes in range(20, 12 * 60, 20):
            clock.move_to(start + dt.timedelta(minutes=minutes))
            assert client.get(f"/o/{org.slug}/people/").status_code == 200
        clock.move_to(start + dt.timedelta(hours=12, minutes=1))
        r = client.get(f"/o/{org.slug}/people/")
    assert r.status_code == 302
