"""Celery tasks of provisioning: each loads by id and calls one service; each is safe to run
twice. Registered names are explicit and never change: queued messages and beat's schedule
refer to them."""

from celery import shared_task
from django.db import OperationalError

from accounts.models import Organization
from provisioning.selectors.cleanup import org_ids_iter
from provisioning.services.cleanup import cleanup_audit_run, cleanup_digest_send
from provisioning.services.connection import scim_silence_check, scim_token_reminders_send
from provisioning.services.log import provisioning_log_prune

# Database hiccups (a failover, a lock timeout) are worth retrying; the tasks are idempotent.
RETRY_ON = (OSError, OperationalError)


@shared_task(
    name="provisioning.tasks.cleanup_audit_task",
    autoretry_for=RETRY_ON,
    retry_backoff=True,
    max_retries=3,
)
def cleanup_audit_task() -> int:
    """The daily cleanup audit (beat): one task per org, so several workers share the work
    and one large org does not hold up the others. Returns how many orgs were queued."""
    queued = 0
    for org_id in org_ids_iter():
        cleanup_audit_org_task.delay(org_id)
        queued += 1
    return queued


@shared_task(
    name="provisioning.tasks.cleanup_audit_org_task",
    autoretry_for=RETRY_ON,
    retry_backoff=True,
    max_retries=5,
)
def cleanup_audit_org_task(org_id: int) -> dict[str, int]:
    org = Organization.objects.filter(pk=org_id).first()
    if org is None:
        return {"flagged": 0, "resolved": 0}
    result = cleanup_audit_run(org=org)
    return {"flagged": result.flagged_count, "resolved": result.resolved}


@shared_task(
    name="provisioning.tasks.cleanup_digest_task",
    autoretry_for=RETRY_ON,
    retry_backoff=True,
    max_retries=5,
)
def cleanup_digest_task(org_id: int) -> int:
    """The audit announces its findings itself now; this stays for digests queued before."""
    org = Organization.objects.filter(pk=org_id).first()
    if org is None:
        return 0
    return cleanup_digest_send(org=org)


@shared_task(
    name="provisioning.tasks.provisioning_log_prune_task",
    autoretry_for=RETRY_ON,
    retry_backoff=True,
    max_retries=3,
)
def provisioning_log_prune_task() -> int:
    return provisioning_log_prune()


@shared_task(
    name="provisioning.tasks.scim_connection_health_task",
    autoretry_for=RETRY_ON,
    retry_backoff=True,
    max_retries=3,
)
def scim_connection_health_task() -> dict[str, int]:
    """Hourly (beat): token expiry reminders and silence alerts, each sent once."""
    return {"reminders": scim_token_reminders_send(), "silence_alerts": scim_silence_check()}
