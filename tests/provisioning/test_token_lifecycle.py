"""The SCIM connection's lifecycle: two named, overlapping, expiring tokens; expiry reminders
and silence alerts sent once; refused tokens recorded where the owner looks."""

import datetime as dt
import io
import re

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from accounts.actor import Actor
from accounts.models import AuditEvent
from notifications.models import OrgAlert
from provisioning.models import ProvisioningLogEntry, ScimToken, ScimTokenReminder
from provisioning.services.connection import scim_silence_check, scim_token_reminders_send
from provisioning.services.scim_config import scim_enable
from provisioning.services.tokens import (
    scim_token_add,
    scim_token_generate,
    scim_token_revoke,
)
from provisioning.tasks import scim_connection_health_task
from tests.provisioning.scim.client import ScimClient, issue_token
from tests.provisioning.scim.support import error

pytestmark = pytest.mark.django_db

# After the fixtures (made at the real now) enabled SCIM: the clock only moves forward.
T0 = dt.datetime(2027, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def enabled(org, owner):
    scim_enable(org=org, actor=Actor.of(owner))
    return org


def _spc(raw: str):
    return ScimClient(raw).get("ServiceProviderConfig")


def test_two_tokens_both_work_and_revoking_one_leaves_the_other(enabled, owner):
    first, first_raw = scim_token_generate(org=enabled, actor=Actor.of(owner), name="Okta")
    second, second_raw = scim_token_add(org=enabled, actor=Actor.of(owner), name="Okta 2027")
    assert (first.slot, second.slot) == (1, 2)
    assert _spc(first_raw).status == 200
    assert _spc(second_raw).status == 200

    scim_token_revoke(org=enabled, token_id=first.pk, actor=Actor.of(owner))
    assert _spc(first_raw).status == 401
    assert _spc(second_raw).status == 200
    # The freed slot takes the next token.
    third, _ = scim_token_add(org=enabled, actor=Actor.of(owner), name="Okta again")
    assert third.slot == 1


def test_a_third_active_token_is_refused_and_changes_nothing(enabled, owner):
    scim_token_generate(org=enabled, actor=Actor.of(owner))
    scim_token_add(org=enabled, actor=Actor.of(owner), name="Second")
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as exc:
        scim_token_add(org=enabled, actor=Actor.of(owner), name="Third")
    assert exc.value.messages == [
        "This organization already has two active SCIM tokens: revoke one before adding another."
    ]
    assert ScimToken.objects.filter(org=enabled, revoked_at__isnull=True).count() == 2
    assert AuditEvent.objects.count() == events


def test_the_database_itself_holds_at_most_two_live_tokens(enabled):
    for slot in (1, 2):
        ScimToken.objects.create(org=enabled, name=f"t{slot}", digest=str(slot) * 64, slot=slot)
    with pytest.raises(IntegrityError), transaction.atomic():
        ScimToken.objects.create(org=enabled, name="t3", digest="3" * 64, slot=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        ScimToken.objects.create(org=enabled, name="t4", digest="4" * 64, slot=3)
    with pytest.raises(IntegrityError), transaction.atomic():  # a live token needs a slot
        ScimToken.objects.create(org=enabled, name="t5", digest="5" * 64, slot=None)


def test_live_token_names_are_unique_per_org_in_any_case(enabled, owner, other_org):
    scim_token_generate(org=enabled, actor=Actor.of(owner), name="Okta")
    with pytest.raises(ValidationError, match="already named 'OKTA'"):
        scim_token_add(org=enabled, actor=Actor.of(owner), name="OKTA")
    scim_enable(org=other_org, actor=Actor.system())
    scim_token_generate(org=other_org, actor=Actor.system(), name="Okta")  # another org: fine


def test_a_new_token_expires_in_a_year_unless_chosen_otherwise(enabled, owner):
    with time_machine.travel(T0, tick=False):
        token, _ = scim_token_generate(org=enabled, actor=Actor.of(owner))
        assert token.expires_at == T0 + dt.timedelta(days=365)
        token, _ = scim_token_add(
            org=enabled, actor=Actor.of(owner), name="Short", expires_in_days=30
        )
        assert token.expires_at == T0 + dt.timedelta(days=30)
        token, _ = scim_token_generate(org=enabled, actor=Actor.of(owner), expires_in_days=None)
        assert token.expires_at is None
    with pytest.raises(ValidationError):
        scim_token_generate(org=enabled, actor=Actor.of(owner), expires_in_days=0)


def test_an_expired_token_gets_a_401_that_says_it_expired(enabled, owner, other_org):
    scim_other = ScimClient(issue_token(other_org))
    with time_machine.travel(T0, tick=False):
        token, raw = scim_token_generate(org=enabled, actor=Actor.of(owner), expires_in_days=30)
    with time_machine.travel(T0 + dt.timedelta(days=29, hours=23), tick=False):
        assert _spc(raw).status == 200
    with time_machine.travel(T0 + dt.timedelta(days=30, seconds=1), tick=False):
        response = _spc(raw)
        assert (response.status, response.json) == (
            401,
            error(
                401,
                f"The SCIM token {token.masked} expired on 2027-04-01. Generate a new one in "
                "Settings → SSO & SCIM and paste it into Okta.",
            ),
        )
        assert scim_other.get("ServiceProviderConfig").status == 200
        # An expired token holds its slot until revoked; adding one clears it.
        scim_token_add(org=enabled, actor=Actor.of(owner), name="Fresh")
        scim_token_add(org=enabled, actor=Actor.of(owner), name="Fresher")
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEvent.objects.get(action="scim.token_revoked", target_id=str(token.pk)).details == {
        "name": "Okta",
        "reason": "expired",
    }


def test_rejected_token_requests_are_in_the_orgs_log_and_warned_about(
    enabled, owner, owner_client, other_org
):
    old, old_raw = scim_token_generate(org=enabled, actor=Actor.of(owner))
    scim_token_generate(org=enabled, actor=Actor.of(owner))  # Regenerate: the old one is revoked
    page = owner_client.get(f"/o/{enabled.slug}/settings/sso-scim/").content.decode()
    assert "Okta is still using a revoked token" not in page

    ScimClient(old_raw).post("Users", {"userName": "ada@acme.example.com", "password": "x"})
    entry = ProvisioningLogEntry.objects.get(org=enabled, status=401)
    assert (entry.token, entry.outcome) == (old, f"Rejected: revoked token {old.masked}")
    assert entry.request_body.startswith("[") and "password" not in entry.request_body
    assert "ada@acme" not in entry.request_body
    assert not ProvisioningLogEntry.objects.filter(org=other_org).exists()

    for path in ("settings/sso-scim/", ""):
        page = owner_client.get(f"/o/{enabled.slug}/{path}").content.decode()
        assert "Okta is still using a revoked token — update it in Okta." in page
        assert f"The last request with {old.masked} was refused" in page
        assert "(1 in the last 24 hours)" in page
    log = owner_client.get(f"/o/{enabled.slug}/provisioning-log/").content.decode()
    assert f"Rejected: revoked token {old.masked}" in log

    with time_machine.travel(timezone.now() + dt.timedelta(hours=25)):
        page = owner_client.get(f"/o/{enabled.slug}/").content.decode()
        assert "Okta is still using a revoked token" not in page


def test_unknown_tokens_are_logged_for_staff_only_and_never_flood_the_log(org, settings):
    """Requests naming no org reach no org's log; past the per-address budget before
    authentication they are refused (429) and only the first refusal is recorded."""
    settings.SCIM_UNAUTHENTICATED_RATE_LIMIT = 10
    bogus = ScimClient("kscim_" + "x" * 43)
    statuses = [bogus.get("Users").status for _ in range(50)]
    assert statuses == [401] * 10 + [429] * 40
    rows = ProvisioningLogEntry.objects.filter(org__isnull=True)
    assert list(rows.order_by("id").values_list("status", flat=True)) == [401] * 10 + [429]
    assert not ProvisioningLogEntry.objects.filter(org=org).exists()


def _reminders(token: ScimToken) -> list[str]:
    return sorted(ScimTokenReminder.objects.filter(token=token).values_list("kind", flat=True))


def test_expiry_reminders_go_once_each_at_30_7_and_0_days(enabled, owner, committed):
    with time_machine.travel(T0, tick=False):
        token, _ = scim_token_generate(org=enabled, actor=Actor.of(owner))  # expires T0 + 365
    mail.outbox.clear()

    def run_twice(at: dt.datetime) -> list[str]:
        with time_machine.travel(at, tick=False), committed():
            scim_connection_health_task.delay()
            scim_connection_health_task.delay()
        subjects = [m.subject for m in mail.outbox if "SCIM token" in m.subject]
        mail.outbox.clear()
        return subjects

    expiry = T0 + dt.timedelta(days=365)
    assert run_twice(expiry - dt.timedelta(days=31)) == []
    assert run_twice(expiry - dt.timedelta(days=30)) == [
        "[KisiSCIM] The SCIM token Okta expires in 30 days"
    ]
    assert run_twice(expiry - dt.timedelta(days=20)) == []
    assert run_twice(expiry - dt.timedelta(days=7)) == [
        "[KisiSCIM] The SCIM token Okta expires in 7 days"
    ]
    assert run_twice(expiry + dt.timedelta(minutes=5)) == ["[KisiSCIM] The SCIM token Okta expired"]
    assert run_twice(expiry + dt.timedelta(days=3)) == []
    assert _reminders(token) == ["30d", "7d", "expired"]


def test_a_short_lived_token_gets_only_the_reminders_its_life_reaches(enabled, owner, committed):
    with time_machine.travel(T0, tick=False):
        token, raw = scim_token_generate(org=enabled, actor=Actor.of(owner), expires_in_days=30)
    with time_machine.travel(T0 + dt.timedelta(hours=1), tick=False), committed():
        assert scim_token_reminders_send() == 0  # 30 days away, but it only ever lived 30
    with time_machine.travel(T0 + dt.timedelta(days=23), tick=False), committed():
        assert scim_token_reminders_send() == 1
    assert _reminders(token) == ["7d"]
    assert raw not in "".join(m.body for m in mail.outbox)
    assert {m.to[0] for m in mail.outbox} == {owner.email}


def test_reminders_are_for_live_expiring_tokens_of_each_org_only(enabled, owner, other_org):
    with time_machine.travel(T0, tick=False):
        scim_token_generate(org=enabled, actor=Actor.of(owner))  # revoked by the next one
        scim_token_generate(org=enabled, actor=Actor.of(owner), expires_in_days=None)
    with time_machine.travel(T0 + dt.timedelta(days=364), tick=False):
        assert scim_token_reminders_send() == 0


def test_silence_alerts_once_per_silence_and_clears_on_the_next_request(
    enabled, owner, other_org, committed
):
    with time_machine.travel(T0, tick=False):
        _, raw = scim_token_generate(org=enabled, actor=Actor.of(owner))
        assert _spc(raw).status == 200
    mail.outbox.clear()
    with time_machine.travel(T0 + dt.timedelta(days=6, hours=23), tick=False):
        assert scim_silence_check() == 0
    with time_machine.travel(T0 + dt.timedelta(days=8), tick=False):
        with committed():
            assert scim_silence_check() == 1
            assert scim_silence_check() == 0
        alert = OrgAlert.objects.get(org=enabled, kind=OrgAlert.Kind.SCIM_SILENCE)
        assert alert.message.startswith("Okta hasn't sent anything for 8 days.")
        assert [m.to for m in mail.outbox] == [[owner.email]]
        owner_client = Client()
        owner_client.force_login(owner)  # a session of this (travelled) time
        page = owner_client.get(f"/o/{enabled.slug}/").content.decode()
        assert "Okta hasn&#x27;t sent anything for 8 days." in page
    # Dismissed by hand: the same silence is not alerted again.
    alert.dismissed_at = timezone.now()
    alert.save()
    with time_machine.travel(T0 + dt.timedelta(days=9), tick=False):
        assert scim_silence_check() == 0
        OrgAlert.objects.filter(pk=alert.pk).update(dismissed_at=None)
        assert _spc(raw).status == 200  # the next request clears it
    assert OrgAlert.objects.get(pk=alert.pk).dismissed_at is not None
    # A new silence after that request is alerted anew.
    with time_machine.travel(T0 + dt.timedelta(days=17), tick=False):
        assert scim_silence_check() == 1
    assert not OrgAlert.objects.filter(org=other_org).exists()


def _command(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("scim_token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_adds_revokes_by_name_and_lists_without_tokens(enabled, owner):
    first_raw = _command(enabled.slug)[0].strip()
    out, err = _command(enabled.slug, "--add", "--name", "Okta 2027", "--expires-days", "90")
    second_raw = out.strip()
    assert re.fullmatch(r"kscim_[A-Za-z0-9_-]{43}", second_raw)
    assert "the other live token keeps working" in err
    assert _spc(first_raw).status == _spc(second_raw).status == 200

    listing, _ = _command(enabled.slug, "--list")
    lines = listing.splitlines()
    assert lines[0] == "name\tlast4\tcreated\tlast used\texpires"
    assert [line.split("\t")[:2] for line in lines[1:]] == [
        ["Okta", first_raw[-4:]],
        ["Okta 2027", second_raw[-4:]],
    ]
    assert first_raw not in listing and second_raw not in listing

    with pytest.raises(CommandError, match="already has two active SCIM tokens"):
        _command(enabled.slug, "--add", "--name", "Third")
    with pytest.raises(CommandError, match="no live SCIM token named 'nope'"):
        _command(enabled.slug, "--revoke", "nope")
    _, err = _command(enabled.slug, "--revoke", "okta")
    assert err.startswith("Revoked Okta kscim_…")
    assert _spc(first_raw).status == 401
    assert _spc(second_raw).status == 200


def test_the_token_pages_are_the_owners_and_the_orgs_only(
    enabled, owner, owner_client, admin_client_org, other_org
):
    token, _ = scim_token_generate(org=enabled, actor=Actor.of(owner))
    scim_enable(org=other_org, actor=Actor.system())
    foreign, foreign_raw = scim_token_generate(org=other_org, actor=Actor.system())
    add = f"/o/{enabled.slug}/settings/sso-scim/scim/token/add/"
    revoke = f"/o/{enabled.slug}/settings/sso-scim/scim/token/{token.pk}/revoke/"
    assert admin_client_org.get(add).status_code == 403
    assert admin_client_org.post(revoke, {"confirm": "on"}).status_code == 403
    # Another org's token id through this org's URL finds nothing and changes nothing.
    response = owner_client.post(
        f"/o/{enabled.slug}/settings/sso-scim/scim/token/{foreign.pk}/revoke/", {"confirm": "on"}
    )
    assert response.status_code == 302
    assert _spc(foreign_raw).status == 200


def test_owner_adds_a_second_token_and_revokes_the_first_on_the_page(enabled, owner, owner_client):
    first, first_raw = scim_token_generate(org=enabled, actor=Actor.of(owner))
    base = f"/o/{enabled.slug}/settings/sso-scim/"
    page = owner_client.get(base).content.decode()
    assert "Add a second token" in page
    response = owner_client.post(base + "scim/token/add/", {"name": "Okta June", "expires": "90"})
    assert response.status_code == 200
    assert (
        response["Cache-Control"].startswith("max-age=0") or "no-store" in response["Cache-Control"]
    )
    second_raw = re.search(r'value="(kscim_[^"]+)"', response.content.decode())[1]
    assert "Your other token keeps working" in response.content.decode()
    page = owner_client.get(base).content.decode()
    assert "Add a second token" not in page  # two active: no third
    refused = owner_client.post(base + "scim/token/add/", {"name": "Third"})
    assert refused.status_code == 400
    assert "already has two active SCIM tokens" in refused.content.decode()

    confirm = owner_client.get(base + f"scim/token/{first.pk}/revoke/").content.decode()
    assert "Okta keeps working only if it already has Okta June" in confirm
    response = owner_client.post(base + f"scim/token/{first.pk}/revoke/", {"confirm": "on"})
    assert response.status_code == 302
    assert _spc(first_raw).status == 401
    assert _spc(second_raw).status == 200
