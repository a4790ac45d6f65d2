"""Console sign-in throttling (django-axes): how an attempt's account is named, and the audit
event of a lockout. Settings: AXES_* in kisiscim/settings/base.py."""

from typing import Any

from django.http import HttpRequest

from accounts.actor import Actor
from accounts.services.audit import audit_record


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """The account an attempt is counted against: the email as sign-in looks it up (trimmed,
    lower-cased), so `ADA@x` and `ada@x` share one count."""
    source = credentials if credentials is not None else request.POST
    return str((source or {}).get("username") or "").strip().lower()


def lockout_audit(sender: Any, request: HttpRequest, username: str, ip_address: str, **_: Any):
    """Record a lockout in the audit trail (no org: it happens before anyone is known)."""
    audit_record(
        org=None,
        actor=Actor.system(),
        action="account.locked_out",
        details={"username": username[:320], "ip_address": ip_address},
    )
