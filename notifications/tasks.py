"""Celery tasks that send email: each loads by id and calls one `sending` service; each is
safe to run twice. Their registered names predate this package and stay, so messages already
queued under them are still delivered."""

from celery import shared_task
from django.db import OperationalError

from accounts.models import Organization
from notifications.sending import owner_notice_send, person_email_send

# Database hiccups (a failover, a lock timeout) are worth retrying; the tasks are idempotent.
RETRY_ON = (OSError, OperationalError)


@shared_task(
    name="provisioning.tasks.owner_notice_task",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def owner_notice_task(org_id: int, subject: str, body: str) -> bool:
    org = Organization.objects.filter(pk=org_id).first()
    if org is None:
        return False
    return owner_notice_send(org=org, subject=subject, body=body)


@shared_task(
    name="provisioning.tasks.person_email_task",
    autoretry_for=RETRY_ON,
    retry_backoff=True,
    max_retries=5,
)
def person_email_task(person_id: int, kind: str) -> str:
    return person_email_send(person_id=person_id, kind=kind)
