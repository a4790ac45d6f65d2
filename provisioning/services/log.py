"""The provisioning log: one row per SCIM request, with secrets removed from the body, and the
pruning of old rows."""

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from provisioning.models import ProvisioningLogEntry

REDACTED = "[redacted]"
MAX_STORED_BODY = 64 * 1024
# Keys whose values are secrets wherever they appear in a body, compared case-insensitively.
SECRET_KEYS = frozenset({"password", "token", "secret", "authorization", "access_token"})
_TOKEN_RE = re.compile(r"kscim_[A-Za-z0-9_\-]{8,}")
# The end of a SCIM path (only SCIM requests are logged): …/Users, …/Users/<id>;
# …/Users/.search is a search of users, not a resource id.
_RESOURCE_RE = re.compile(r"/(Users|Groups)(?:/(\.search|[^/.][^/]*))?/?$", re.IGNORECASE)


@dataclass(frozen=True)
class LogChange:
    """What a SCIM view did, for the log's plain words: an action of
    ProvisioningLogEntry.Action, the resource's SCIM id and name (a snapshot, so the row
    still reads after a rename or a deletion) and the details (old → new name, counts)."""

    action: str
    resource_id: str = ""
    target_label: str = ""
    change: dict[str, Any] = field(default_factory=dict)


def _resource(path: str) -> tuple[str, str]:
    """("users" | "groups" | "other", the id in the path or "")."""
    match = _RESOURCE_RE.search(path)
    if match is None:
        return ProvisioningLogEntry.Resource.OTHER, ""
    kind, name = match.group(1).lower(), match.group(2) or ""
    return kind, "" if name.startswith(".") else name[:64]


def _text(value: str, limit: int) -> str:
    """Storable text: PostgreSQL refuses NUL characters and lone surrogates (`\\ud800`), which
    a hostile request may carry; both are stored as visible escapes."""
    value = value.replace("\x00", "\\x00")
    return value.encode("utf-8", "backslashreplace").decode("utf-8")[:limit]


def redact_tokens(value: str) -> str:
    """Text with anything shaped like a SCIM token replaced."""
    return _TOKEN_RE.sub(REDACTED, value)


def _outcome(request: HttpRequest, response: HttpResponse) -> str:
    outcome = getattr(request, "scim_outcome", "")
    if not outcome and response.status_code >= 400:
        try:
            outcome = json.loads(response.content).get("detail", "")
        except (ValueError, AttributeError):
            outcome = ""
    return str(outcome)[:512]


def provisioning_log_record(
    *,
    request: HttpRequest,
    response: HttpResponse,
    duration_ms: int,
    body: str,
    client_address: str | None,
    response_body: str = "",
) -> ProvisioningLogEntry:
    """Record one SCIM request. `body` and `response_body` are what to store of the request's
    and the answer's bodies (already redacted of secrets by provisioning.scim.redaction);
    token-like strings are removed from every column. What happened comes from the view
    (`request.scim_change`); a refused token is "rejected" whatever the view did."""
    resource_type, path_id = _resource(request.path)
    change: LogChange | None = getattr(request, "scim_change", None)
    if response.status_code >= 400:
        change = None  # a failed write changed nothing (its transaction was rolled back)
    if getattr(request, "scim_rejected", None):
        change = LogChange(action=ProvisioningLogEntry.Action.REJECTED)
    change = change or LogChange(action="")
    return ProvisioningLogEntry.objects.create(
        action=change.action,
        resource_type=resource_type,
        resource_id=_text(redact_tokens(change.resource_id or path_id), 64),
        target_label=_text(change.target_label, 320),
        change=change.change,
        response_body=_text(redact_tokens(response_body), MAX_STORED_BODY + 100),
        org=getattr(request, "scim_org", None),
        token=getattr(request, "scim_token", None),
        method=_text(request.method or "", 10),
        path=_text(redact_tokens(request.path), 2048),
        query=_text(redact_tokens(request.META.get("QUERY_STRING", "")), 4096),
        status=response.status_code,
        duration_ms=max(duration_ms, 0),
        user_agent=_text(redact_tokens(request.headers.get("User-Agent", "")), 512),
        remote_addr=client_address or None,
        outcome=_text(redact_tokens(_outcome(request, response)), 512),
        request_body=_text(redact_tokens(body), MAX_STORED_BODY + 100),
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
