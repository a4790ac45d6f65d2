"""SCIM tokens: named, at most two live per org, expiring; generated once, stored as a digest,
checked on every SCIM request.

Format: `kscim_` + 32 random bytes, URL-safe base64. Only the SHA-256 digest (unique,
indexed) and the last four characters are kept; the plaintext exists only in the return
value of `scim_token_generate` / `scim_token_add` and must go straight to the one response
that shows it.

Rotation without downtime: `scim_token_add` issues a second token while the first still
works; once Okta has it, `scim_token_revoke` ends the first. `scim_token_generate` is the
clean cut (revoke every token, issue one).
"""

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from accounts.actor import Actor
from accounts.models import Organization
from accounts.services.audit import audit_record
from notifications.services import owner_change_notice_on_commit
from provisioning.models import ScimConfig, ScimToken
from provisioning.services.connection import scim_silence_clear
from sso.models import SSOConnection

TOKEN_PREFIX = "kscim_"  # noqa: S105 (a public prefix that makes leaked tokens recognisable)
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)
# What the owner may choose; None is "no expiry", which the page warns about.
EXPIRY_CHOICES_DAYS: tuple[int | None, ...] = (30, 90, 365, None)
DEFAULT_EXPIRY_DAYS = 365
DEFAULT_NAME = "Okta"
# The page warns about a token this close to its expiry (the first reminder email's day).
EXPIRY_WARNING_DAYS = 30
NAME_MAX_LENGTH = ScimToken._meta.get_field("name").max_length
USER_AGENT_MAX_LENGTH = ScimToken._meta.get_field("last_used_user_agent").max_length


def scim_token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": ["Give the token a name (e.g. “Okta”)."]}, code="required")
    if len(name) > NAME_MAX_LENGTH or any(ord(c) < 32 for c in name):
        raise ValidationError(
            {"name": [f"The name is at most {NAME_MAX_LENGTH} printable characters."]}
        )
    return name


def _expiry(expires_in_days: int | None, now: dt.datetime) -> dt.datetime | None:
    if expires_in_days is None:
        return None
    if not isinstance(expires_in_days, int) or not 1 <= expires_in_days <= 3650:
        raise ValidationError(
            {"expires_in_days": ["A token expires after 1 to 3,650 days, or never."]}
        )
    return now + dt.timedelta(days=expires_in_days)


def _scim_config_locked(org: Organization) -> ScimConfig:
    """The org's SCIM row, locked: every token change of one org happens one at a time."""
    config = ScimConfig.objects.select_for_update().filter(org=org).first()
    if config is None or not config.enabled:
        raise ValidationError("Enable SCIM before generating a token.", code="scim_disabled")
    return config


def _live(org: Organization) -> list[ScimToken]:
    return list(ScimToken.objects.filter(org=org, revoked_at__isnull=True).order_by("slot"))


def _revoke(token: ScimToken, actor: Actor, *, reason: str = "") -> None:
    token.revoked_at = timezone.now()
    token.revoked_by = actor.account
    token.slot = None
    token.save(update_fields=["revoked_at", "revoked_by", "slot"])
    audit_record(
        org=token.org,
        actor=actor,
        action="scim.token_revoked",
        target=token,
        details={"name": token.name, **({"reason": reason} if reason else {})},
    )


# Keeps the plaintext out of the tracebacks that error reports (AdminEmailHandler) carry.
@sensitive_variables("raw")
def _issue(
    *, org: Organization, actor: Actor, name: str, expires_in_days: int | None, slot: int
) -> tuple[ScimToken, str]:
    now = timezone.now()
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    try:
        with transaction.atomic():
            token = ScimToken.objects.create(
                org=org,
                name=name,
                digest=scim_token_digest(raw),
                last4=raw[-4:],
                slot=slot,
                created_by=actor.account,
                created_at=now,
                expires_at=_expiry(expires_in_days, now),
            )
    except IntegrityError as exc:
        raise ValidationError(
            {"name": [f"A live token is already named {name!r}: choose another name."]},
            code="name_taken",
        ) from exc
    audit_record(
        org=org,
        actor=actor,
        action="scim.token_generated",
        target=token,
        details={
            "name": token.name,
            "expires_at": token.expires_at.isoformat() if token.expires_at else None,
        },
    )
    return token, raw


def _expires_text(token: ScimToken) -> str:
    return f"expires {token.expires_at:%Y-%m-%d}" if token.expires_at else "never expires"


@sensitive_variables("raw")
@transaction.atomic
def scim_token_generate(
    *,
    org: Organization,
    actor: Actor,
    name: str = DEFAULT_NAME,
    expires_in_days: int | None = DEFAULT_EXPIRY_DAYS,
) -> tuple[ScimToken, str]:
    """Issue a new token for the org and revoke every other one at once (the clean cut).

    Returns the stored token and the plaintext, which is never stored or logged. Refused
    unless SCIM is enabled.
    """
    _scim_config_locked(org)
    name = _clean_name(name)
    previous = _live(org)
    for token in previous:
        _revoke(token, actor, reason="replaced")
    token, raw = _issue(org=org, actor=actor, name=name, expires_in_days=expires_in_days, slot=1)
    detail = (
        f"Token: {token.name} {token.masked}, {_expires_text(token)} "
        "(the full token is never sent by email)."
    )
    for old in previous:
        detail += (
            f"\nThe previous token {old.name} {old.masked} was revoked at once: SCIM requests "
            "with it now fail until Okta has the new token."
        )
    owner_change_notice_on_commit(
        org=org, subject="A new SCIM token was generated", actor=actor, detail=detail
    )
    return token, raw


@sensitive_variables("raw")
@transaction.atomic
def scim_token_add(
    *,
    org: Organization,
    actor: Actor,
    name: str,
    expires_in_days: int | None = DEFAULT_EXPIRY_DAYS,
) -> tuple[ScimToken, str]:
    """Issue one more token and keep the live one working (rotation without downtime).

    Refused with a clear message when the org already holds two live tokens. A live token
    past its expiry holds its slot until revoked; an expired one is revoked here, to make
    room (it works for nothing anyway).
    """
    _scim_config_locked(org)
    name = _clean_name(name)
    live = _live(org)
    for token in [t for t in live if t.is_expired()]:
        _revoke(token, actor, reason="expired")
        live.remove(token)
    free = [s for s in ScimToken.SLOTS if s not in {t.slot for t in live}]
    if not free:
        raise ValidationError(
            "This organization already has two active SCIM tokens: revoke one before adding "
            "another.",
            code="two_tokens",
        )
    token, raw = _issue(
        org=org, actor=actor, name=name, expires_in_days=expires_in_days, slot=free[0]
    )
    owner_change_notice_on_commit(
        org=org,
        subject="A second SCIM token was added",
        actor=actor,
        detail=(
            f"Token: {token.name} {token.masked}, {_expires_text(token)} (the full token is "
            "never sent by email). The other tokens keep working until they are revoked."
        ),
    )
    return token, raw


@transaction.atomic
def scim_token_revoke(*, org: Organization, token_id: int, actor: Actor) -> ScimToken | None:
    """Revoke one of the org's live tokens (another org's id finds nothing). SCIM requests
    with it get 401 from now on; the org's other token keeps working."""
    token = (
        ScimToken.objects.select_for_update()
        .filter(org=org, pk=token_id, revoked_at__isnull=True)
        .first()
    )
    if token is None:
        return None
    _revoke(token, actor)
    owner_change_notice_on_commit(
        org=org,
        subject="A SCIM token was revoked",
        actor=actor,
        detail=f"Token: {token.name} {token.masked}.",
    )
    return token


@transaction.atomic
def scim_tokens_revoke_all(*, org: Organization, actor: Actor) -> list[ScimToken]:
    """Revoke every live token of the org (SCIM is being turned off)."""
    tokens = list(ScimToken.objects.select_for_update().filter(org=org, revoked_at__isnull=True))
    for token in tokens:
        _revoke(token, actor)
    if tokens:
        owner_change_notice_on_commit(
            org=org,
            subject="The SCIM token was revoked"
            if len(tokens) == 1
            else "The SCIM tokens were revoked",
            actor=actor,
            detail="Tokens: " + ", ".join(f"{t.name} {t.masked}" for t in tokens) + ".",
        )
    return tokens


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


@dataclass(frozen=True)
class TokenCheck:
    """What an Authorization header is worth. `token` (and `org`) are set whenever the token
    is one of an org's, even a refused one, so the refusal is recorded in that org's log."""

    REVOKED = "revoked"
    EXPIRED = "expired"
    SCIM_OFF = "scim_off"
    UNKNOWN = "unknown"

    org: Organization | None = None
    token: ScimToken | None = None
    refusal: str | None = None

    @property
    def ok(self) -> bool:
        return self.refusal is None


@sensitive_variables("raw_header_value", "raw")
def scim_token_check(raw_header_value: str | None, *, user_agent: str = "") -> TokenCheck:
    """Check an Authorization header value: the org and token it names, or why not.

    One query (by digest, unique): refused when the token is unknown, revoked or expired, or
    the org's SCIM or SSO is off. `last_used_at` (and the user agent) is written at most once
    a minute, so steady SCIM traffic does not write on every request; that write also ends
    an open silence alert.
    """
    raw = _parse_authorization(raw_header_value)
    if raw is None:
        return TokenCheck(refusal=TokenCheck.UNKNOWN)
    digest = scim_token_digest(raw)
    token = (
        ScimToken.objects.select_related("org", "org__scim", "org__sso")
        .filter(digest=digest)
        .first()
    )
    # The lookup is by digest, so timing reveals nothing about the token; compare anyway.
    if token is None or not hmac.compare_digest(token.digest, digest):
        return TokenCheck(refusal=TokenCheck.UNKNOWN)
    org = token.org
    now = timezone.now()
    if token.revoked_at is not None:
        return TokenCheck(org=org, token=token, refusal=TokenCheck.REVOKED)
    if token.is_expired(now):
        return TokenCheck(org=org, token=token, refusal=TokenCheck.EXPIRED)
    scim = getattr(org, "scim", None)
    sso = getattr(org, "sso", None)
    if scim is None or not scim.enabled or sso is None or sso.state != SSOConnection.State.ENABLED:
        return TokenCheck(org=org, token=token, refusal=TokenCheck.SCIM_OFF)
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        # Conditional, so concurrent requests (several web processes) write it once, not each.
        stale = Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_RESOLUTION)
        agent = user_agent[:USER_AGENT_MAX_LENGTH]
        if ScimToken.objects.filter(stale, pk=token.pk).update(
            last_used_at=now, last_used_user_agent=agent
        ):
            # The IdP is talking again: a silence alert, if one is open, is over.
            scim_silence_clear(org=org)
        token.last_used_at, token.last_used_user_agent = now, agent
    return TokenCheck(org=org, token=token)


def scim_token_authenticate(raw_header_value: str | None) -> tuple[Organization, ScimToken] | None:
    """The org and token behind an Authorization header value, or None if it is refused."""
    check = scim_token_check(raw_header_value)
    return (check.org, check.token) if check.ok else None  # type: ignore[return-value]
