"""SCIM tokens: generated once, stored as a digest, checked on every SCIM request.

Format: `kscim_` + 32 random bytes, URL-safe base64. Only the SHA-256 digest (unique,
indexed) and the last four characters are kept; the plaintext exists only in the return
value of `scim_token_generate` and must go straight to the one response that shows it.
"""

import datetime as dt
import hashlib
import hmac
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from accounts.actor import Actor
from accounts.models import Organization
from accounts.services.audit import audit_record
from notifications.services import owner_change_notice_on_commit
from provisioning.models import ScimConfig, ScimToken
from sso.models import SSOConnection

TOKEN_PREFIX = "kscim_"  # noqa: S105 (a public prefix that makes leaked tokens recognisable)
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def scim_token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _revoke_live(org: Organization, actor: Actor) -> ScimToken | None:
    token = ScimToken.objects.select_for_update().filter(org=org, revoked_at__isnull=True).first()
    if token is not None:
        token.revoked_at = timezone.now()
        token.revoked_by = actor.account
        token.save(update_fields=["revoked_at", "revoked_by"])
        audit_record(org=org, actor=actor, action="scim.token_revoked", target=token)
    return token


# Keeps the plaintext out of the tracebacks that error reports (AdminEmailHandler) carry.
@sensitive_variables("raw")
@transaction.atomic
def scim_token_generate(*, org: Organization, actor: Actor) -> tuple[ScimToken, str]:
    """Issue a new token for the org, revoking the previous one at once.

    Returns the stored token and the plaintext, which is never stored or logged.
    Refused unless SCIM is enabled.
    """
    config = ScimConfig.objects.select_for_update().filter(org=org).first()
    if config is None or not config.enabled:
        raise ValidationError("Enable SCIM before generating a token.", code="scim_disabled")
    previous = _revoke_live(org, actor)
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ScimToken.objects.create(
        org=org, digest=scim_token_digest(raw), last4=raw[-4:], created_by=actor.account
    )
    audit_record(
        org=org,
        actor=actor,
        action="scim.token_generated",
        target=token,
        details={"replaces": previous.masked} if previous else {},
    )
    detail = f"Token: {token.masked} (the full token is never sent by email)."
    if previous is not None:
        detail += (
            f"\nThe previous token {previous.masked} was revoked at once: "
            "SCIM requests with it now fail until Okta has the new token."
        )
    owner_change_notice_on_commit(
        org=org, subject="A new SCIM token was generated", actor=actor, detail=detail
    )
    return token, raw


@transaction.atomic
def scim_token_revoke(*, org: Organization, actor: Actor) -> ScimToken | None:
    """Revoke the org's live token, if any; SCIM requests with it get 401 from now on."""
    token = _revoke_live(org, actor)
    if token is not None:
        owner_change_notice_on_commit(
            org=org,
            subject="The SCIM token was revoked",
            actor=actor,
            detail=f"Token: {token.masked}.",
        )
    return token


@sensitive_variables("raw_header_value", "parts")
def _parse_authorization(raw_header_value: str | None) -> str | None:
    """The token from an Authorization value: `Bearer <t>`, a bare `<t>`, or Okta's
    doubled `Bearer Bearer <t>` (its Header Auth sends the field verbatim)."""
    if not raw_header_value:
        return None
    parts = raw_header_value.strip().split()
    while len(parts) > 1 and parts[0].lower() == "bearer":
        parts = parts[1:]
    if len(parts) != 1 or not parts[0].startswith(TOKEN_PREFIX) or len(parts[0]) > 200:
        return None
    return parts[0]


@sensitive_variables("raw_header_value", "raw")
def scim_token_authenticate(raw_header_value: str | None) -> tuple[Organization, ScimToken] | None:
    """The org and token behind an Authorization header value, or None.

    Rejects unknown and revoked tokens, and orgs whose SCIM or SSO is off. `last_used_at` is
    written at most once a minute, so steady SCIM traffic does not write on every request.
    """
    raw = _parse_authorization(raw_header_value)
    if raw is None:
        return None
    digest = scim_token_digest(raw)
    token = (
        ScimToken.objects.select_related("org", "org__scim", "org__sso")
        .filter(digest=digest, revoked_at__isnull=True)
        .first()
    )
    # The lookup is by digest, so timing reveals nothing about the token; compare anyway.
    if token is None or not hmac.compare_digest(token.digest, digest):
        return None
    org = token.org
    scim = getattr(org, "scim", None)
    sso = getattr(org, "sso", None)
    if scim is None or not scim.enabled or sso is None or sso.state != SSOConnection.State.ENABLED:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        # Conditional, so concurrent requests (several web processes) write it once, not each.
        stale = Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_RESOLUTION)
        ScimToken.objects.filter(stale, pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return org, token
