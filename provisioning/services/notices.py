"""Notices to the org's owner about security-relevant changes (SSO, SCIM, tokens).

They go out through a Celery task after the transaction commits, so a rolled-back change
never announces itself and no request waits on SMTP. They never contain a token.
"""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from accounts.models import Account, Organization
from accounts.selectors.orgs import org_owner


def owner_notice_on_commit(
    *, org: Organization, subject: str, actor: Account | None, detail: str = ""
) -> None:
    """Queue an email to the org's owner once the current transaction commits."""
    from provisioning.tasks import owner_notice_task

    who = actor.email if actor else "an operator"
    body = f"{subject} for {org.name} by {who}.\n"
    if detail:
        body += f"{detail}\n"
    body += "If this was not expected, review Settings → SSO & SCIM in the KisiSCIM console.\n"
    org_id = org.pk
    # Robust: the change is committed by then, so a broker outage is logged, not raised. Else
    # the caller would fail after the fact, and a freshly generated token, with the old one
    # already revoked, would never reach the page that shows it once.
    transaction.on_commit(
        lambda: owner_notice_task.delay(org_id, f"[KisiSCIM] {subject}", body), robust=True
    )


def owner_notice_send(*, org: Organization, subject: str, body: str) -> bool:
    """Send a notice to the org's owner now. Returns False if the org has no owner."""
    owner = org_owner(org=org)
    if owner is None or not owner.is_active:
        return False
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [owner.email])
    return True
