"""The audit trail: every service that changes something records who did it."""

from typing import Any

from django.db import models

from accounts.models import Account, AuditEvent, Organization, Person


def actor_kind_for(actor: Account | None, source: str) -> str:
    """Who acted: a console account, the IdP over SCIM, or the system itself."""
    if actor is not None:
        return AuditEvent.ActorKind.ACCOUNT
    return (
        AuditEvent.ActorKind.SCIM if source == Person.Source.SCIM else AuditEvent.ActorKind.SYSTEM
    )


def audit_record(
    *,
    org: Organization | None,
    actor: Account | None,
    action: str,
    target: models.Model | None = None,
    details: dict[str, Any] | None = None,
    actor_kind: str | None = None,
) -> AuditEvent:
    """Append one audit event. With no account and no kind, the actor is the system."""
    if actor_kind is None:
        actor_kind = AuditEvent.ActorKind.ACCOUNT if actor else AuditEvent.ActorKind.SYSTEM
    return AuditEvent.objects.create(
        org=org,
        actor_kind=actor_kind,
        actor=actor,
        actor_label=actor.email if actor else "",
        action=action,
        target_type=target._meta.model_name if target is not None else "",
        target_id=str(getattr(target, "scim_id", None) or target.pk) if target is not None else "",
        target_label=str(target)[:320] if target is not None else "",
        details=details or {},
    )
