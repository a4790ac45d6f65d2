"""The audit trail: every service that changes something records who did it."""

from typing import Any

from django.db import models

from accounts.actor import Actor
from accounts.models import AuditEvent, Organization


def audit_record(
    *,
    org: Organization | None,
    actor: Actor,
    action: str,
    target: models.Model | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event."""
    return AuditEvent.objects.create(
        org=org,
        actor_kind=actor.kind,
        actor=actor.account,
        actor_label=actor.label,
        action=action,
        target_type=target._meta.model_name if target is not None else "",
        target_id=str(getattr(target, "scim_id", None) or target.pk) if target is not None else "",
        target_label=str(target)[:320] if target is not None else "",
        details=details or {},
    )
