"""REST API keys: per org, named, shown once, stored as a digest (like the SCIM token).

Format: `kapi_` + 32 random bytes, URL-safe base64. Only the SHA-256 digest (unique,
indexed) and the last four characters are kept; the plaintext exists only in the return
value of `api_key_create` and must go straight to the one response (or stdout) that shows
it. An org may hold several live keys, one per integration, each revoked on its own.
"""

import datetime as dt
import hashlib
import hmac
import secrets

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from access.models import ApiKey
from accounts.actor import Actor
from accounts.models import Organization
from accounts.services.audit import audit_record
from kisiscim.exceptions import Conflict
from notifications.services import owner_change_notice_on_commit

KEY_PREFIX = "kapi_"  # a public prefix that makes leaked keys recognisable
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)
NAME_MAX = 100


def api_key_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _name_clean(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError({"name": ["Give the key a name (what uses it)."]}, code="required")
    name = value.strip()
    if len(name) > NAME_MAX or not name.isprintable():
        raise ValidationError({"name": [f"A key name is at most {NAME_MAX} printable characters."]})
    return name


@sensitive_variables("raw")
@transaction.atomic
def api_key_create(*, org: Organization, name: str, actor: Actor) -> tuple[ApiKey, str]:
    """Issue a named key for the org. Returns the stored key and the plaintext, which is
    never stored or logged. A live key of the same name (any case) is a Conflict."""
    name = _name_clean(name)
    raw = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(
        org=org, name=name, digest=api_key_digest(raw), last4=raw[-4:], created_by=actor.account
    )
    try:
        with transaction.atomic():
            key.save(force_insert=True)
    except IntegrityError as exc:
        raise Conflict(f"A live API key named {name!r} exists already.", field="name") from exc
    audit_record(org=org, actor=actor, action="api_key.created", target=key)
    owner_change_notice_on_commit(
        org=org,
        subject="A new API key was created",
        actor=actor,
        detail=f"Key: {name} ({key.masked}; the full key is never sent by email).",
    )
    return key, raw


@transaction.atomic
def api_key_revoke(*, key: ApiKey, actor: Actor) -> bool:
    """Revoke the key: requests with it get 401 from the commit on. Idempotent."""
    now = timezone.now()
    changed = ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(
        revoked_at=now, revoked_by=actor.account
    )
    if changed:
        key.revoked_at = now
        audit_record(org=key.org, actor=actor, action="api_key.revoked", target=key)
        owner_change_notice_on_commit(
            org=key.org,
            subject="An API key was revoked",
            actor=actor,
            detail=f"Key: {key.name} ({key.masked}).",
        )
    return bool(changed)


@sensitive_variables("raw_header_value", "parts")
def _parse_authorization(raw_header_value: str | None) -> str | None:
    if not raw_header_value:
        return None
    parts = raw_header_value.strip().split()
    if len(parts) != 2 or parts[0].lower() != "bearer":
        return None
    key = parts[1]
    if not key.startswith(KEY_PREFIX) or len(key) > 200:
        return None
    return key


@sensitive_variables("raw_header_value", "raw")
def api_key_authenticate(raw_header_value: str | None) -> ApiKey | None:
    """The live key (with its org) behind `Authorization: Bearer <key>`, or None.

    One query; `last_used_at` is written at most once a minute (conditionally, so several
    web processes write it once)."""
    raw = _parse_authorization(raw_header_value)
    if raw is None:
        return None
    digest = api_key_digest(raw)
    key = (
        ApiKey.objects.select_related("org").filter(digest=digest, revoked_at__isnull=True).first()
    )
    if key is None or not hmac.compare_digest(key.digest, digest):
        return None
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_RESOLUTION:
        stale = Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_RESOLUTION)
        ApiKey.objects.filter(stale, pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key
