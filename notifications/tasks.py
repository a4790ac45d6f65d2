"""Celery tasks that send email: each loads by id and calls one `sending` service; each is
safe to run twice. Their registered names predate this package and stay, so messages already
queued under them are still delivered."""

from celery import shared_task
from django.db import OperationalError

from accounts.models import Organization
from notifications.sending import (
    outbox_deliver,
    outbox_undelivered_ids,
    owner_notice_send,
    person_email_send,
)

# Database hiccups (a failover, a lock timeout) are worth retrying; the tasks are idempotent.
RETRY_ON = (OSError, OperationalError)


@shared_task(
    name="notifications.tasks.outbox_deliver_task",
    autoretry_for=RETRY_ON,
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def outbox_deliver_task(message_id: int) -> str:
    """Deliver one outbox message (at most once once it succeeded)."""
    return outbox_deliver(message_id=message_id)


@shared_task(name="notifications.tasks.outbox_requeue_task")
def outbox_requeue_task() -> int:
    """Beat: queue delivery of every message left undelivered (the broker was down at the
    commit, or the task ran out of retries). Returns how many were queued."""
    ids = outbox_undelivered_ids()
    for message_id in ids:
        outbox_deliver_task.delay(message_id)
    return len(ids)


# The two tasks below predate the outbox; they stay registered so that messages queued under
# their names before an upgrade are still delivered.
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
