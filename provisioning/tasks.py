"""Celery tasks: each loads by id and calls one service; each is safe to run twice."""

from celery import shared_task

from accounts.models import Organization
from provisioning.services.notices import owner_notice_send


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def owner_notice_task(org_id: int, subject: str, body: str) -> bool:
    org = Organization.objects.filter(pk=org_id).first()
    if org is None:
        return False
    return owner_notice_send(org=org, subject=subject, body=body)
