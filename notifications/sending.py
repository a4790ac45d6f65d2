"""Sending email, now: what the worker's tasks run. Everything else queues through
`services.py`, after the change that asked for the email commits.

`person_email_send` is the only function that emails one of the org's people. A person created
with `sendEmails: false` gets no email of any kind from the product: the flag is checked here,
at send time inside the worker, on a fresh read of the person, so whatever code path queues an
email, and whenever, nothing reaches such a person. `owner_notice_send` emails the org's owner
(a console account: a different audience, with no such flag).
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.actor import Actor
from accounts.models import Organization, Person
from accounts.selectors.orgs import org_owner
from accounts.services.audit import audit_record
from accounts.services.people import email_address_is_valid
from notifications.models import OutboxMessage, PersonEmailSent


@dataclass(frozen=True)
class PersonEmailKind:
    subject: str
    template: str
    # A once-only email is recorded when sent, so a redelivered task never repeats it.
    once: bool


# Every email the product sends to people. Tests iterate over this registry, so a new kind
# is covered by the sendEmails guarantee as soon as it is added.
PERSON_EMAIL_KINDS: dict[str, PersonEmailKind] = {
    "welcome": PersonEmailKind(
        subject="Welcome to {org}'s door access",
        template="emails/person_welcome.txt",
        once=True,
    ),
    "sign_in": PersonEmailKind(
        subject="How to open {org}'s doors",
        template="emails/person_sign_in.txt",
        once=False,
    ),
}


class Refused:
    """Why `person_email_send` sent nothing (the values are what the task returns)."""

    GONE = "gone"
    SEND_EMAILS_FALSE = "send_emails_false"
    SUSPENDED = "suspended"
    NO_ADDRESS = "no_address"
    ALREADY_SENT = "already_sent"


SENT = "sent"


def _address(person: Person) -> str:
    """The address to write to: the primary email, else the userName when it is an address
    (Okta's default). Validated here, at send time, whatever is stored: never a list, a
    display name or a line break."""
    address = person.primary_email
    if not address and "@" in person.user_name:
        # Okta's default userName is the person's email address.
        address = person.user_name
    return address if email_address_is_valid(address) else ""


def person_email_send(*, person_id: int, kind: str) -> str:
    """Send the email `kind` to one person, now. Returns `SENT` or a `Refused` value.

    Refuses, whatever asked for the email, when the person was created with sendEmails
    false, no longer exists, is suspended, or has no address; and for once-only kinds, when
    it was sent before. The check reads the person afresh, at send time.
    """
    spec = PERSON_EMAIL_KINDS[kind]
    with transaction.atomic():
        person = (
            Person.objects.select_related("org")
            .prefetch_related("emails")
            .select_for_update(of=("self",))
            .filter(pk=person_id)
            .first()
        )
        if person is None:
            return Refused.GONE
        if not person.send_emails:
            return Refused.SEND_EMAILS_FALSE
        if not person.is_active:
            return Refused.SUSPENDED
        address = _address(person)
        if not address:
            return Refused.NO_ADDRESS
        if spec.once:
            try:
                with transaction.atomic():
                    PersonEmailSent.objects.create(person=person, kind=kind)
            except IntegrityError:
                return Refused.ALREADY_SENT
        subject = spec.subject.format(org=person.org.name)
        body = render_to_string(
            spec.template,
            {"person": person, "org": person.org, "site_url": settings.KISISCIM_SITE_URL},
        )
        # Inside the transaction: if the mail server fails, the once-only record rolls back
        # and the task's retry sends it.
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address])
        audit_record(
            org=person.org,
            actor=Actor.system(),
            action="person.emailed",
            target=person,
            details={"kind": kind},
        )
    return SENT


def owner_notice_send(*, org: Organization, subject: str, body: str) -> bool:
    """Send a notice to the org's owner now. Returns False if the org has no active owner."""
    owner = org_owner(org=org)
    if owner is None or not owner.is_active:
        return False
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [owner.email])
    return True


# The outbox -------------------------------------------------------------------------------

# A message younger than this is left to the task its commit queued.
OUTBOX_GRACE = dt.timedelta(minutes=2)
OUTBOX_MAX_REQUEUES = 100
OUTBOX_SWEEP_BATCH = 500


def outbox_deliver(*, message_id: int) -> str:
    """Deliver one outbox message now; returns its outcome. A message already delivered is
    not sent again (the row is locked while it is sent). A failure to send raises (the task
    retries) and leaves the message undelivered for beat's sweep."""
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(of=("self",))
            .select_related("org")
            .filter(pk=message_id)
            .first()
        )
        if message is None:
            return Refused.GONE
        if message.sent_at is not None:
            return message.outcome or SENT
        if message.kind == OutboxMessage.Kind.PERSON_EMAIL:
            outcome = (
                person_email_send(person_id=message.person_id, kind=message.email_kind)
                if message.person_id
                else Refused.GONE
            )
        else:
            sent = owner_notice_send(org=message.org, subject=message.subject, body=message.body)
            outcome = SENT if sent else "no_owner"
        message.sent_at = timezone.now()
        message.outcome = outcome
        message.save(update_fields=["sent_at", "outcome"])
    return outcome


def outbox_undelivered_ids(*, now: dt.datetime | None = None) -> list[int]:
    """Ids of messages still undelivered past the grace period (oldest first, one batch),
    each counted as re-queued once more; a message re-queued OUTBOX_MAX_REQUEUES times is
    left alone (it stays visible in the admin)."""
    cutoff = (now or timezone.now()) - OUTBOX_GRACE
    ids = list(
        OutboxMessage.objects.filter(
            sent_at__isnull=True, created_at__lt=cutoff, requeues__lt=OUTBOX_MAX_REQUEUES
        )
        .order_by("created_at", "id")
        .values_list("pk", flat=True)[:OUTBOX_SWEEP_BATCH]
    )
    OutboxMessage.objects.filter(pk__in=ids).update(requeues=F("requeues") + 1)
    return ids
