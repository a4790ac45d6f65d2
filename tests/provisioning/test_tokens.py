"""SCIM tokens and enablement, at the service level: the rules every SCIM request relies on."""

import datetime as dt
import hashlib
import re

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.actor import Actor
from accounts.models import AuditEvent
from provisioning.models import ScimConfig, ScimToken
from provisioning.services.scim_config import org_sso_disable, scim_disable, scim_enable
from provisioning.services.tokens import (
    scim_token_authenticate,
    scim_token_digest,
    scim_token_generate,
    scim_tokens_revoke_all,
)
from sso.models import SSOConnection
from sso.services import sso_configure
from tests.support import demo_idp

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what the block queues on commit (the owner notices), as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def live(org, owner) -> tuple[ScimToken, str]:
    """`org` with SCIM enabled and a live token (made by the real services)."""
    scim_enable(org=org, actor=Actor.of(owner))
    return scim_token_generate(org=org, actor=Actor.of(owner))


# --- Format and storage ---------------------------------------------------------------------


def test_a_token_is_a_prefix_and_32_random_bytes_and_only_its_digest_is_stored(live, org, owner):
    token, raw = live
    assert re.fullmatch(r"kscim_[A-Za-z0-9_-]{43}", raw)
    assert token.digest == scim_token_digest(raw) == hashlib.sha256(raw.encode()).hexdigest()
    assert token.last4 == raw[-4:]
    assert token.masked == f"kscim_…{raw[-4:]}"
    assert token.created_by == owner
    assert token.last_used_at is None
    stored = ScimToken.objects.values().get(pk=token.pk)
    assert raw not in str(stored)


def test_tokens_are_unique(org, owner):
    scim_enable(org=org, actor=Actor.of(owner))
    raws = {scim_token_generate(org=org, actor=Actor.of(owner))[1] for _ in range(5)}
    assert len(raws) == 5


def test_the_database_allows_one_live_token_per_org(live, org):
    with pytest.raises(IntegrityError), transaction.atomic():
        ScimToken.objects.create(org=org, digest="0" * 64, last4="abcd")


# --- Authentication -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    ["Bearer {t}", "{t}", "Bearer Bearer {t}", "bearer {t}", "  Bearer   {t}  ", "BEARER {t}"],
    ids=["bearer", "bare", "doubled", "lowercase", "spaces", "uppercase"],
)
def test_authenticate_accepts_bearer_bare_and_doubled_forms(live, org, header):
    token, raw = live
    assert scim_token_authenticate(header.format(t=raw)) == (org, token)


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Bearer kscim_wrong",
        "Bearer {t}x",
        "Bearer {t} {t}",
        "Token {t}",
        "Bearer {t_upper}",
    ],
)
def test_authenticate_rejects_anything_else(live, header):
    _, raw = live
    if header is not None:
        header = header.format(t=raw, t_upper=raw.upper())
    assert scim_token_authenticate(header) is None


def test_each_token_identifies_its_own_org(live, org, other_org):
    owner_b = other_org.memberships.get(role="owner").account
    scim_enable(org=other_org, actor=Actor.of(owner_b))
    token_b, raw_b = scim_token_generate(org=other_org, actor=Actor.of(owner_b))
    assert scim_token_authenticate(f"Bearer {live[1]}") == (org, live[0])
    assert scim_token_authenticate(f"Bearer {raw_b}") == (other_org, token_b)


def test_a_revoked_token_is_rejected(live, org, owner):
    _, raw = live
    scim_tokens_revoke_all(org=org, actor=Actor.of(owner))
    assert scim_token_authenticate(raw) is None


def test_a_token_is_rejected_while_scim_is_off(live, org, owner):
    _, raw = live
    ScimConfig.objects.filter(org=org).update(enabled=False)
    assert scim_token_authenticate(raw) is None


@pytest.mark.parametrize("state", [SSOConnection.State.CONFIGURED, "not_configured"])
def test_a_token_is_rejected_while_sso_is_off(live, org, state):
    _, raw = live
    # A state the services never leave behind (they disable SCIM with SSO): the check must
    # hold on its own.
    SSOConnection.objects.filter(org=org).update(state=state)
    assert scim_token_authenticate(raw) is None


def test_regenerating_makes_the_old_token_fail_at_once(live, org, owner):
    old, old_raw = live
    new, new_raw = scim_token_generate(org=org, actor=Actor.of(owner))
    assert scim_token_authenticate(old_raw) is None
    assert scim_token_authenticate(new_raw) == (org, new)
    old.refresh_from_db()
    assert old.revoked_at is not None
    assert old.revoked_by == owner
    assert ScimToken.objects.filter(org=org, revoked_at__isnull=True).get() == new


def test_authentication_takes_one_query_and_writes_last_used_at_at_most_once_a_minute(
    live, django_assert_num_queries
):
    token, raw = live
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        # The lookup, then the first last_used_at write and the silence alert's close.
        with django_assert_num_queries(3):
            scim_token_authenticate(raw)
        token.refresh_from_db()
        assert token.last_used_at == start
    with time_machine.travel(start + dt.timedelta(seconds=59), tick=False):
        with django_assert_num_queries(1):
            scim_token_authenticate(raw)
        token.refresh_from_db()
        assert token.last_used_at == start
    later = start + dt.timedelta(seconds=61)
    with time_machine.travel(later, tick=False):
        with django_assert_num_queries(3):
            scim_token_authenticate(raw)
        token.refresh_from_db()
        assert token.last_used_at == later


# --- Enablement -----------------------------------------------------------------------------


def test_scim_can_be_enabled_only_while_sso_is_enabled(make_org):
    org = make_org("initech", sso=False)
    owner = org.memberships.get(role="owner").account
    with pytest.raises(ValidationError) as exc:
        scim_enable(org=org, actor=Actor.of(owner))
    assert exc.value.code == "sso_required"
    sso_configure(org=org, settings=demo_idp(), actor=Actor.of(owner))  # configured, not enabled
    with pytest.raises(ValidationError):
        scim_enable(org=org, actor=Actor.of(owner))
    assert not ScimConfig.objects.filter(org=org, enabled=True).exists()


def test_a_token_can_be_generated_only_while_scim_is_enabled(org, owner):
    with pytest.raises(ValidationError) as exc:
        scim_token_generate(org=org, actor=Actor.of(owner))
    assert exc.value.code == "scim_disabled"
    assert not ScimToken.objects.exists()


def test_enable_and_disable_are_idempotent(org, owner):
    scim_enable(org=org, actor=Actor.of(owner))
    scim_enable(org=org, actor=Actor.of(owner))
    assert AuditEvent.objects.filter(org=org, action="scim.enabled").count() == 1
    scim_disable(org=org, actor=Actor.of(owner))
    scim_disable(org=org, actor=Actor.of(owner))
    assert AuditEvent.objects.filter(org=org, action="scim.disabled").count() == 1


def test_disabling_scim_revokes_the_token(live, org, owner):
    _, raw = live
    scim_disable(org=org, actor=Actor.of(owner))
    assert scim_token_authenticate(raw) is None
    assert not ScimToken.objects.filter(org=org, revoked_at__isnull=True).exists()


def test_disabling_sso_disables_scim_and_revokes_the_token(live, org, owner):
    _, raw = live
    org_sso_disable(org=org, actor=Actor.of(owner))
    assert SSOConnection.objects.get(org=org).state == SSOConnection.State.CONFIGURED
    assert not ScimConfig.objects.get(org=org).enabled
    assert scim_token_authenticate(raw) is None


# --- Audit and notices ----------------------------------------------------------------------


def test_every_action_is_audited_with_the_acting_account_and_mailed_to_the_owner(
    make_org, committed
):
    org = make_org("initech", sso=False)
    owner = org.memberships.get(role="owner").account
    mail.outbox.clear()
    raws = []
    with committed():
        sso_configure(org=org, settings=demo_idp(), actor=Actor.of(owner), enable=True)
        scim_enable(org=org, actor=Actor.of(owner))
        raws.append(scim_token_generate(org=org, actor=Actor.of(owner))[1])
        raws.append(scim_token_generate(org=org, actor=Actor.of(owner))[1])
        scim_tokens_revoke_all(org=org, actor=Actor.of(owner))
        org_sso_disable(org=org, actor=Actor.of(owner))
    actions = list(
        AuditEvent.objects.filter(org=org, actor=owner)
        .order_by("id")
        .values_list("action", "actor_kind", "actor_label")
    )
    assert [a for a, _, _ in actions] == [
        "sso.configured",
        "sso.enabled",
        "scim.enabled",
        "scim.token_generated",
        "scim.token_revoked",
        "scim.token_generated",
        "scim.token_revoked",
        "sso.disabled",
        "scim.disabled",
    ]
    assert {(kind, label) for _, kind, label in actions} == {("account", owner.email)}
    assert [m.subject for m in mail.outbox] == [
        "[KisiSCIM] SSO settings were changed and SSO was enabled",
        "[KisiSCIM] SCIM provisioning was enabled",
        "[KisiSCIM] A new SCIM token was generated",
        "[KisiSCIM] A new SCIM token was generated",
        "[KisiSCIM] The SCIM token was revoked",
        "[KisiSCIM] SSO was disabled",
        "[KisiSCIM] SCIM provisioning was disabled",
    ]
    assert all(m.to == [owner.email] for m in mail.outbox)
    assert f"by {owner.email}" in mail.outbox[0].body
    for raw in raws:
        for message in mail.outbox:
            assert raw not in message.subject + message.body
        for event in AuditEvent.objects.all():
            assert raw not in f"{event.target_label}{event.details}"


def test_a_rolled_back_change_sends_no_notice(org, owner, committed):
    def enable_then_fail() -> None:
        with transaction.atomic():
            scim_enable(org=org, actor=Actor.of(owner))
            raise RuntimeError("a later step failed")

    mail.outbox.clear()
    with committed(), pytest.raises(RuntimeError):
        enable_then_fail()
    assert mail.outbox == []
    assert not ScimConfig.objects.filter(org=org, enabled=True).exists()
