"""Email to the org's people. `person_email_send` is the only function that emails a person.

A person created with `sendEmails: false` gets no email of any kind from the product. The
flag is checked here, at send time inside the worker, on a fresh read of the person: whatever
code path queues an email, and whenever, nothing reaches such a person. Emails to console
accounts (owner notices, digests, alerts) are a different audience and go through
`services/notices.py`.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string

from accounts.models import Person
from accounts.services.audit import audit_record
from provisioning.models import PersonEmailSent


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
    address = person.primary_email
    if not address and "@" in person.user_name:
        # Okta's default userName is the person's email address.
        address = person.user_name
    return address


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
            actor=None,
            action="person.emailed",
            target=person,
            details={"kind": kind},
        )
    return SENT


def person_email_on_commit(*, person: Person, kind: str) -> None:
    """Queue the email `kind` to the person once the current transaction commits.

    Nothing is queued for a person with sendEmails false; the worker checks again anyway.
    """
    if kind not in PERSON_EMAIL_KINDS:
        raise ValueError(f"Unknown person email kind {kind!r}.")
    if not person.send_emails:
        return
    from provisioning.tasks import person_email_task

    person_id = person.pk
    # robust: a broker outage is logged; it never turns the committed create into a 500.
    transaction.on_commit(lambda: person_email_task.delay(person_id, kind), robust=True)
