"""The provisioning log: one row per SCIM request, with secrets removed from the body, and the
pruning of old rows."""

import datetime as dt
import json
import re
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.request import RawPostDataException
from django.utils import timezone

from provisioning.models import ProvisioningLogEntry

REDACTED = "[redacted]"
MAX_STORED_BODY = 64 * 1024
# Keys whose values are secrets wherever they appear in a body, compared case-insensitively.
SECRET_KEYS = frozenset({"password", "token", "secret", "authorization", "access_token"})
_TOKEN_RE = re.compile(r"kscim_[A-Za-z0-9_\-]{8,}")


def _text(value: str, limit: int) -> str:
    """Storable text: PostgreSQL refuses NUL characters and lone surrogates (`\\ud800`), which
    a hostile request may carry; both are stored as visible escapes."""
    value = value.replace("\x00", "\\x00")
    return value.encode("utf-8", "backslashreplace").decode("utf-8")[:limit]


def _is_secret(name: object) -> bool:
    """`password`, also fully qualified (`urn:…:User:password`) or as a PATCH path."""
    return isinstance(name, str) and name.rsplit(":", 1)[-1].lower() in SECRET_KEYS


def _redact(value: Any) -> Any:
    if isinstance(value, dict):
        # A PATCH operation {"path": "password", "value": "…"} carries the secret in "value".
        secret_op = _is_secret(value.get("path"))
        return {
            k: REDACTED if _is_secret(k) or (secret_op and k == "value") else _redact(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_redact(v) for v in value]
    if isinstance(value, str):
        return _TOKEN_RE.sub(REDACTED, value)
    return value


def redacted_body(raw: bytes) -> str:
    """The request body as stored: JSON with secrets replaced, or a note when not JSON."""
    if not raw:
        return ""
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return f"[{len(raw)} bytes, not JSON: not stored]"
    except RecursionError:
        return f"[{len(raw)} bytes, nested too deeply: not stored]"
    try:
        text = json.dumps(_redact(doc), ensure_ascii=False)
    except RecursionError:
        return f"[{len(raw)} bytes, nested too deeply: not stored]"
    if len(text) > MAX_STORED_BODY:
        return text[:MAX_STORED_BODY] + f"… [truncated, {len(text)} characters in all]"
    return text


def _outcome(request: HttpRequest, response: HttpResponse) -> str:
    outcome = getattr(request, "scim_outcome", "")
    if not outcome and response.status_code >= 400:
        try:
            outcome = json.loads(response.content).get("detail", "")
        except (ValueError, AttributeError):
            outcome = ""
    return str(outcome)[:512]


def provisioning_log_record(
    *, request: HttpRequest, response: HttpResponse, duration_ms: int, store_body: bool = True
) -> ProvisioningLogEntry:
    """Record one SCIM request. With `store_body` false (the retry after a failed write), the
    body is replaced by a note, so the request is still on record."""
    if not store_body:
        return _entry_create(request, response, duration_ms, "[body not stored: see the log]")
    try:
        body = request.body
    except RawPostDataException:
        body = b""
    except Exception:  # RequestDataTooBig and the like: never read it again
        body = b""
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if not body and declared.isdigit() and int(declared) > settings.SCIM_MAX_BODY_BYTES:
        stored = f"[{declared} bytes: over the size limit, not stored]"
    else:
        stored = redacted_body(body)
    return _entry_create(request, response, duration_ms, stored)


def _entry_create(
    request: HttpRequest, response: HttpResponse, duration_ms: int, stored: str
) -> ProvisioningLogEntry:
    return ProvisioningLogEntry.objects.create(
        org=getattr(request, "scim_org", None),
        token=getattr(request, "scim_token", None),
        method=_text(request.method or "", 10),
        path=_text(request.path, 2048),
        query=_text(_TOKEN_RE.sub(REDACTED, request.META.get("QUERY_STRING", "")), 4096),
        status=response.status_code,
        duration_ms=max(duration_ms, 0),
        user_agent=_text(request.headers.get("User-Agent", ""), 512),
        remote_addr=request.META.get("REMOTE_ADDR") or None,
        outcome=_text(_outcome(request, response), 512),
        request_body=_text(stored, MAX_STORED_BODY + 100),
    )


PRUNE_BATCH_SIZE = 5000


def provisioning_log_prune(
    *,
    retention_days: int | None = None,
    now: dt.datetime | None = None,
    batch_size: int = PRUNE_BATCH_SIZE,
) -> int:
    """Delete provisioning log entries older than the retention (PROVISIONING_LOG_RETENTION_DAYS
    by default), in batches, so no single statement locks or holds a large table. Idempotent.
    Returns how many were deleted."""
    days = settings.PROVISIONING_LOG_RETENTION_DAYS if retention_days is None else retention_days
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    old = ProvisioningLogEntry.objects.filter(created_at__lt=cutoff)
    deleted = 0
    while True:
        pks = list(old.order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not pks:
            return deleted
        count, _ = ProvisioningLogEntry.objects.filter(pk__in=pks).delete()
        deleted += count
