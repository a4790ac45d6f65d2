"""What the product tells people, queued: notices to the org's owner about security-relevant
changes (SSO, SCIM, tokens), emails to the org's people, and the console's alerts.

Every email is first a row of the outbox (`OutboxMessage`), written in the same transaction
as the change that asks for it: a rolled-back change never announces itself, a committed one
always does, even when the broker is down at commit. A Celery task (tasks.py → sending.py)
delivers it after the commit, retrying; beat re-queues anything left undelivered. No
request waits on SMTP. Notices never
contain a token. `sending.py` checks, at send time, whether a person may be emailed at all.

The mass-deactivation alert: an unusual share of an org's people suspended by the IdP in a
short window (a wrong group rule, an emptied assignment) is brought to the owner at once.
The decision is cheap and never blocks the IdP: one cache increment and one multi-get per
SCIM suspension, counted in a sliding window of six buckets (kisiscim.counters: Redis in
production, so every web process adds to the same counters). The org's head count is cached
for a few minutes. Crossing the threshold raises one alert per org until it is dismissed: a
console banner and an email to the owner, sent by the worker.
"""

import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.actor import Actor
from accounts.models import Organization, Person
from accounts.services.audit import audit_record
from kisiscim.counters import shared_cache as cache
from kisiscim.counters import window_hit
from notifications.models import OrgAlert, OutboxMessage
from notifications.sending import PERSON_EMAIL_KINDS
from notifications.tasks import outbox_deliver_task

logger = logging.getLogger(__name__)


SSO_SCIM_FOOTER = "If this was not expected, review Settings → SSO & SCIM in the KisiSCIM console."


def owner_notice_body(
    *,
    org: Organization,
    subject: str,
    actor: Actor,
    detail: str = "",
    footer: str = SSO_SCIM_FOOTER,
) -> str:
    body = f"{subject} for {org.name} by {actor.description}.\n"
    if detail:
        body += f"{detail}\n"
    return body + f"{footer}\n"


def _deliver_on_commit(message: OutboxMessage) -> None:
    message_id = message.pk
    # robust: the message is committed with the change, so a broker outage is logged and
    # beat's sweep (outbox_requeue_task) delivers it later; the change itself never fails.
    transaction.on_commit(lambda: outbox_deliver_task.delay(message_id), robust=True)


def owner_notice_on_commit(*, org: Organization, subject: str, body: str) -> None:
    """Owe the org's owner an email: written now, in the caller's transaction (so it exists
    exactly when the change commits), and delivered by the worker after the commit."""
    message = OutboxMessage.objects.create(
        org=org, kind=OutboxMessage.Kind.OWNER_NOTICE, subject=subject[:300], body=body
    )
    _deliver_on_commit(message)


def owner_change_notice_on_commit(
    *,
    org: Organization,
    subject: str,
    actor: Actor,
    detail: str = "",
    footer: str = SSO_SCIM_FOOTER,
) -> None:
    """Tell the org's owner, after commit, that `actor` made a change (subject, details)."""
    owner_notice_on_commit(
        org=org,
        subject=f"[KisiSCIM] {subject}",
        body=owner_notice_body(org=org, subject=subject, actor=actor, detail=detail, footer=footer),
    )


def person_email_on_commit(*, person: Person, kind: str) -> None:
    """Owe the person the email `kind`: written in the caller's transaction, delivered by the
    worker after the commit.

    Nothing is written for a person with sendEmails false; the sender checks again anyway.
    """
    if kind not in PERSON_EMAIL_KINDS:
        raise ValueError(f"Unknown person email kind {kind!r}.")
    if not person.send_emails:
        return
    message = OutboxMessage.objects.create(
        org_id=person.org_id, kind=OutboxMessage.Kind.PERSON_EMAIL, person=person, email_kind=kind
    )
    _deliver_on_commit(message)


# The mass-deactivation alert ---------------------------------------------------------------

BUCKETS = 6
HEADCOUNT_TTL = 300


def _window_seconds() -> int:
    return max(int(settings.MASS_DEACTIVATION_WINDOW_MINUTES * 60), BUCKETS)


def mass_deactivation_threshold_reached(*, count: int, headcount: int) -> bool:
    """At least MASS_DEACTIVATION_COUNT people, or at least MASS_DEACTIVATION_PERCENT of the
    org's people when that is at least MASS_DEACTIVATION_MIN_COUNT people."""
    if count >= settings.MASS_DEACTIVATION_COUNT:
        return True
    return (
        count >= settings.MASS_DEACTIVATION_MIN_COUNT
        and headcount > 0
        and count * 100 >= settings.MASS_DEACTIVATION_PERCENT * headcount
    )


def mass_deactivation_note(*, org_id: int, person_id: int) -> OrgAlert | None:
    """Count one SCIM suspension for the org; raise the alert if the window crosses the
    threshold. Returns the alert when this call raised it.

    People are counted, not suspensions: a person suspended again within the window (after
    a reactivation) is not counted twice."""
    window = _window_seconds()
    if not cache.add(f"massdeact:{org_id}:person:{person_id}", True, timeout=window):
        return None
    count = window_hit(f"massdeact:{org_id}", window_seconds=window, buckets=BUCKETS).count
    alerted_key = f"massdeact:{org_id}:alerted"
    if cache.get(alerted_key):
        return None
    if count < min(settings.MASS_DEACTIVATION_COUNT, settings.MASS_DEACTIVATION_MIN_COUNT):
        return None
    headcount = cache.get_or_set(
        f"massdeact:{org_id}:headcount",
        lambda: Person.objects.filter(org_id=org_id).count(),
        timeout=HEADCOUNT_TTL,
    )
    if not mass_deactivation_threshold_reached(count=count, headcount=headcount):
        return None
    org = Organization.objects.filter(pk=org_id).first()
    if org is None:
        return None
    alert = org_alert_raise(
        org=org,
        kind=OrgAlert.Kind.MASS_DEACTIVATION,
        message=(
            f"{count} people were deactivated by your identity provider within "
            f"{settings.MASS_DEACTIVATION_WINDOW_MINUTES} minutes "
            f"({count * 100 // max(headcount, 1)}% of {headcount}). "
            "If this was not intended, check the app's assignments in your identity provider: "
            "suspended people keep their ids and groups and come back when reactivated."
        ),
        details={"count": count, "headcount": headcount},
    )
    cache.set(alerted_key, True, timeout=window)
    return alert


def mass_deactivation_note_on_commit(*, person: Person) -> None:
    """Count a SCIM suspension of `person` after the transaction commits. Failures are
    logged, never raised: the IdP's request has succeeded and must not be failed by the
    alert."""
    org_id, person_id = person.org_id, person.pk
    transaction.on_commit(
        lambda: mass_deactivation_note(org_id=org_id, person_id=person_id), robust=True
    )


@transaction.atomic
def org_alert_raise(
    *, org: Organization, kind: str, message: str, details: dict | None = None
) -> OrgAlert | None:
    """Raise the org's alert of this kind and email its owner, unless one is already open.
    Returns the new alert, or None when one was open."""
    if OrgAlert.objects.filter(org=org, kind=kind, dismissed_at__isnull=True).exists():
        return None
    try:
        with transaction.atomic():
            alert = OrgAlert.objects.create(
                org=org, kind=kind, message=message[:500], details=details or {}
            )
    except IntegrityError:  # another process raised it a moment ago
        return None
    audit_record(
        org=org, actor=Actor.system(), action=f"alert.{kind}", target=alert, details=details
    )
    subject = f"[KisiSCIM] Alert: {alert.get_kind_display().lower()} in {org.name}"
    body = f"{message}\n\nThe console shows this alert until you or an admin dismiss it.\n"
    owner_notice_on_commit(org=org, subject=subject, body=body)
    logger.info("Alert %s raised for org %s: %s", kind, org.slug, details)
    return alert


@transaction.atomic
def org_alert_dismiss(*, org: Organization, alert_id: int, actor: Actor) -> bool:
    """Dismiss one of the org's open alerts. Returns False if there was none to dismiss."""
    alert = (
        OrgAlert.objects.select_for_update()
        .filter(org=org, pk=alert_id, dismissed_at__isnull=True)
        .first()
    )
    if alert is None:
        return False
    alert.dismissed_at = timezone.now()
    alert.dismissed_by = actor.account
    alert.save(update_fields=["dismissed_at", "dismissed_by"])
    audit_record(org=org, actor=actor, action="alert.dismissed", target=alert)
    return True


def org_alert_resolve(*, org: Organization, kind: str) -> bool:
    """Close the org's open alert of this kind because its cause is gone (the system, not a
    person, dismisses it). One UPDATE when none is open, so callers on a hot path may call it
    freely. Returns whether one was open."""
    closed = OrgAlert.objects.filter(org=org, kind=kind, dismissed_at__isnull=True).update(
        dismissed_at=timezone.now()
    )
    if closed:
        audit_record(org=org, actor=Actor.system(), action="alert.resolved", details={"kind": kind})
    return bool(closed)
