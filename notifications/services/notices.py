"""Queueing email: notices to the org's owner about security-relevant changes (SSO, SCIM,
tokens, alerts) and emails to the org's people.

They go out through a Celery task after the transaction commits, so a rolled-back change
never announces itself and no request waits on SMTP. They never contain a token. The tasks
call `sending.py`, which checks, at send time, whether a person may be emailed at all.
"""

from django.db import transaction

from accounts.actor import Actor
from accounts.models import Organization, Person
from notifications.services.sending import PERSON_EMAIL_KINDS
from notifications.tasks import owner_notice_task, person_email_task


def owner_notice_body(*, org: Organization, subject: str, actor: Actor, detail: str = "") -> str:
    body = f"{subject} for {org.name} by {actor.description}.\n"
    if detail:
        body += f"{detail}\n"
    return body + (
        "If this was not expected, review Settings → SSO & SCIM in the KisiSCIM console.\n"
    )


def owner_notice_on_commit(*, org: Organization, subject: str, body: str) -> None:
    """Queue an email to the org's owner once the current transaction commits."""
    org_id = org.pk
    # Robust: the change is committed by then, so a broker outage is logged, not raised. Else
    # the caller would fail after the fact, and a freshly generated token, with the old one
    # already revoked, would never reach the page that shows it once.
    transaction.on_commit(lambda: owner_notice_task.delay(org_id, subject, body), robust=True)


def owner_change_notice_on_commit(
    *, org: Organization, subject: str, actor: Actor, detail: str = ""
) -> None:
    """Tell the org's owner, after commit, that `actor` made a change (subject, details)."""
    owner_notice_on_commit(
        org=org,
        subject=f"[KisiSCIM] {subject}",
        body=owner_notice_body(org=org, subject=subject, actor=actor, detail=detail),
    )


def person_email_on_commit(*, person: Person, kind: str) -> None:
    """Queue the email `kind` to the person once the current transaction commits.

    Nothing is queued for a person with sendEmails false; the worker checks again anyway.
    """
    if kind not in PERSON_EMAIL_KINDS:
        raise ValueError(f"Unknown person email kind {kind!r}.")
    if not person.send_emails:
        return
    person_id = person.pk
    # robust: a broker outage is logged; it never turns the committed create into a 500.
    transaction.on_commit(lambda: person_email_task.delay(person_id, kind), robust=True)
