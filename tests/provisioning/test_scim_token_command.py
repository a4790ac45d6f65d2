"""`manage.py scim_token SLUG`: the operator's way to issue or revoke an org's SCIM token."""

import io
import re

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from accounts.actor import Actor
from accounts.models import AuditEvent
from provisioning.models import ScimConfig, ScimToken
from provisioning.services.scim_config import scim_enable
from provisioning.services.tokens import scim_token_authenticate, scim_token_generate

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("scim_token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_it_enables_scim_and_prints_only_the_new_token(org, owner, committed):
    mail.outbox.clear()
    with committed():
        out, err = run(org.slug)
    raw = out.strip()
    assert re.fullmatch(r"kscim_[A-Za-z0-9_-]{43}", raw)
    assert out == raw + "\n"
    assert raw not in err
    assert "kscim_…" + raw[-4:] in err

    assert ScimConfig.objects.get(org=org).enabled
    found_org, token = scim_token_authenticate(f"Bearer {raw}")
    assert found_org == org
    assert token.created_by is None

    events = AuditEvent.objects.filter(org=org, action__startswith="scim.").order_by("id")
    assert [(e.action, e.actor_kind, e.actor) for e in events] == [
        ("scim.enabled", "system", None),
        ("scim.token_generated", "system", None),
    ]
    assert sorted(m.subject for m in mail.outbox) == [
        "[KisiSCIM] A new SCIM token was generated",
        "[KisiSCIM] SCIM provisioning was enabled",
    ]
    assert all(m.to == [owner.email] for m in mail.outbox)
    assert all("by an operator" in m.body for m in mail.outbox)
    assert all(raw not in m.body for m in mail.outbox)


def test_it_revokes_the_previous_token(org, owner):
    scim_enable(org=org, actor=Actor.of(owner))
    _, old_raw = scim_token_generate(org=org, actor=Actor.of(owner))
    out, _ = run(org.slug)
    assert scim_token_authenticate(old_raw) is None
    assert scim_token_authenticate(out.strip()) is not None
    assert ScimToken.objects.filter(org=org, revoked_at__isnull=True).count() == 1
    assert AuditEvent.objects.filter(org=org, action="scim.token_revoked", actor=None).exists()


def test_it_is_refused_with_a_clear_error_while_sso_is_not_enabled(make_org):
    org = make_org("initech", sso=False)
    with pytest.raises(CommandError) as exc:
        run(org.slug)
    message = str(exc.value)
    assert "No SCIM token issued for initech" in message
    assert "Set up and enable SSO before enabling SCIM." in message
    assert "sso_configure initech" in message
    assert not ScimConfig.objects.filter(org=org, enabled=True).exists()
    assert not ScimToken.objects.exists()


def test_an_unknown_slug_is_an_error():
    with pytest.raises(CommandError, match="No organization with slug 'nope'"):
        run("nope")


def test_revoke_revokes_without_issuing(org, owner):
    scim_enable(org=org, actor=Actor.of(owner))
    token, raw = scim_token_generate(org=org, actor=Actor.of(owner))
    out, err = run(org.slug, "--revoke")
    assert out == ""
    assert f"Revoked {token.name} {token.masked}" in err
    assert scim_token_authenticate(raw) is None
    assert not ScimToken.objects.filter(org=org, revoked_at__isnull=True).exists()
    assert AuditEvent.objects.filter(
        org=org, action="scim.token_revoked", actor_kind="system"
    ).exists()


def test_revoke_without_a_live_token_says_so(org):
    out, err = run(org.slug, "--revoke")
    assert out == ""
    assert "nothing was revoked" in err


def test_only_the_named_org_is_touched(org, other_org):
    run(org.slug)
    assert not ScimConfig.objects.filter(org=other_org).exists()
    assert not ScimToken.objects.filter(org=other_org).exists()
