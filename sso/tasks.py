"""Celery tasks of sso: each calls one service and is safe to run twice. Registered names are
explicit and never change: beat's schedule refers to them."""

from celery import shared_task
from django.db import OperationalError

from accounts.actor import Actor
from sso.selectors import sso_connections_with_metadata_url
from sso.services import sso_metadata_refresh
from sso.sign_in import saml_state_prune

RETRY_ON = (OSError, OperationalError)


@shared_task(name="sso.tasks.sso_metadata_refresh_task")
def sso_metadata_refresh_task() -> int:
    """The daily refresh (beat): one task per connection fetched by URL. Returns how many
    were queued."""
    queued = 0
    for sso_id in sso_connections_with_metadata_url().values_list("pk", flat=True):
        sso_metadata_refresh_one_task.delay(sso_id)
        queued += 1
    return queued


@shared_task(
    name="sso.tasks.sso_metadata_refresh_one_task",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def sso_metadata_refresh_one_task(sso_id: int) -> bool:
    # A failed fetch is not retried here: the service keeps the old metadata and tells the
    # owner, and tomorrow's run tries again.
    return sso_metadata_refresh(sso_id=sso_id, actor=Actor.system())


@shared_task(
    name="sso.tasks.saml_state_prune_task",
    autoretry_for=RETRY_ON,
    retry_backoff=True,
    max_retries=3,
)
def saml_state_prune_task() -> dict[str, int]:
    """Hourly: forget AuthnRequests and accepted assertions past their use."""
    return saml_state_prune()
