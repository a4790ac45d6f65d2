"""Email to people honours sendEmails: a person created with sendEmails false gets no email
of any kind, whatever code path asks, because the one sending function refuses at send
time. SCIM creates with sendEmails true get one welcome email, sent after commit."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from accounts.actor import Actor
from accounts.models import Person
from accounts.services.people import person_create, person_suspend
from notifications.models import PersonEmailSent
from notifications.sending import PERSON_EMAIL_KINDS, SENT, Refused, person_email_send
from notifications.services import person_email_on_commit
from notifications.tasks import person_email_task
from provisioning.services.cleanup import cleanup_audit_run
from tests.provisioning.cleanup_support import make_person
from tests.provisioning.scim.client import PATCH_OP, ScimClient, issue_token, okta_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def scim(org) -> ScimClient:
    return ScimClient(issue_token(org))


def recipients() -> list[str]:
    return [address for message in mail.outbox for address in message.to]


def test_scim_create_queues_one_welcome_after_commit(
    scim, org, other_org, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        r = scim.post("Users", okta_user("ada@acme.example.com", sendEmails=True))
        assert r.status == 201
        assert mail.outbox == []  # nothing before the commit
    assert len(callbacks) >= 1
    for callback in callbacks:
        callback()

    assert recipients() == ["ada@acme.example.com"]
    assert mail.outbox[0].subject == "Welcome to Org acme's door access"
    assert "Org acme has given you door access" in mail.outbox[0].body
    person = Person.objects.get(org=org)
    assert PersonEmailSent.objects.filter(person=person, kind="welcome").count() == 1


def test_scim_create_with_send_emails_false_queues_nothing(
    scim, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        r = scim.post("Users", okta_user("quiet@acme.example.com", sendEmails=False))
    assert r.status == 201
    assert r.json["sendEmails"] is False
    assert mail.outbox == []


def test_scim_create_without_send_emails_defaults_to_a_welcome(
    scim, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        r = scim.post("Users", okta_user("default@acme.example.com"))
    assert r.status == 201
    assert recipients() == ["default@acme.example.com"]


def test_people_made_in_the_console_or_suspended_get_no_welcome(
    org, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        make_person(org, "manual@acme.example.com", actor=Actor.system())
        make_person(org, "inactive@acme.example.com", active=False)
    assert mail.outbox == []


@pytest.mark.parametrize("kind", sorted(PERSON_EMAIL_KINDS))
def test_every_kind_reaches_a_person_who_allows_email(org, kind):
    person = make_person(org, "yes@acme.example.com", send_emails=True)
    assert person_email_send(person_id=person.pk, kind=kind) == SENT
    assert recipients() == ["yes@acme.example.com"]


@pytest.mark.parametrize("kind", sorted(PERSON_EMAIL_KINDS))
def test_no_kind_reaches_a_person_with_send_emails_false(org, kind):
    """Asked directly, through the task, or through the queuing helper: nothing is sent."""
    person = make_person(org, "no@acme.example.com", send_emails=False)

    assert person_email_send(person_id=person.pk, kind=kind) == Refused.SEND_EMAILS_FALSE
    assert person_email_task.delay(person.pk, kind).get() == Refused.SEND_EMAILS_FALSE
    person_email_on_commit(person=person, kind=kind)
    assert mail.outbox == []
    assert not PersonEmailSent.objects.filter(person=person).exists()


def test_the_flag_is_read_at_send_time_not_at_queue_time(org):
    """A task queued for a person with a stale in-memory copy still sees the stored flag."""
    person = make_person(org, "stale@acme.example.com", send_emails=False)
    stale = Person.objects.get(pk=person.pk)
    stale.send_emails = True  # what a buggy caller might hold; never saved
    assert person_email_send(person_id=stale.pk, kind="welcome") == Refused.SEND_EMAILS_FALSE
    assert mail.outbox == []


def test_gone_suspended_and_addressless_people_get_nothing(org):
    suspended = make_person(org, "s@acme.example.com")
    person_suspend(person=suspended, actor=Actor.scim())
    no_address = make_person(org, "no-address", emails=[])
    gone = make_person(org, "gone@acme.example.com")
    gone_pk = gone.pk
    gone.delete()

    assert person_email_send(person_id=suspended.pk, kind="sign_in") == Refused.SUSPENDED
    assert person_email_send(person_id=no_address.pk, kind="sign_in") == Refused.NO_ADDRESS
    assert person_email_send(person_id=gone_pk, kind="sign_in") == Refused.GONE
    assert mail.outbox == []


def test_the_welcome_is_sent_once_even_if_the_task_runs_twice(org):
    """acks_late may redeliver a task after a worker crash; the welcome is not repeated."""
    person = make_person(org, "twice@acme.example.com")
    assert person_email_task.delay(person.pk, "welcome").get() == SENT
    assert person_email_task.delay(person.pk, "welcome").get() == Refused.ALREADY_SENT
    assert person_email_send(person_id=person.pk, kind="sign_in") == SENT
    assert person_email_send(person_id=person.pk, kind="sign_in") == SENT
    assert [m.subject for m in mail.outbox] == [
        "Welcome to Org acme's door access",
        "How to open Org acme's doors",
        "How to open Org acme's doors",
    ]


def test_username_is_the_address_when_the_idp_sends_no_emails(org):
    person = person_create(
        org=org, user_name="only-username@acme.example.com", actor=Actor.system()
    )
    assert person_email_send(person_id=person.pk, kind="sign_in") == SENT
    assert recipients() == ["only-username@acme.example.com"]


def test_a_send_emails_false_person_never_appears_in_any_email_of_the_product(
    scim, org, settings, django_capture_on_commit_callbacks
):
    """The whole lifecycle of a quiet person, with every email the product can send to
    people asked for on their behalf, plus the owner's alert and digest: the quiet person's
    address is never a recipient."""
    settings.MASS_DEACTIVATION_COUNT = 1
    quiet_address = "quiet@acme.example.com"
    with django_capture_on_commit_callbacks(execute=True):
        r = scim.post("Users", okta_user(quiet_address, sendEmails=False))
        uid = r.json["id"]
        # Okta may resend sendEmails later; it is ignored (immutable after creation).
        scim.patch(
            f"Users/{uid}",
            {
                "schemas": [PATCH_OP],
                "Operations": [{"op": "replace", "value": {"sendEmails": True}}],
            },
        )
        person = Person.objects.get(scim_id=uid)
        assert person.send_emails is False
        for kind in PERSON_EMAIL_KINDS:
            person_email_on_commit(person=person, kind=kind)
            person_email_task.delay(person.pk, kind)
    # Suspended (deactivated by Okta) 40 days ago: the alert and then the digest follow.
    with (
        time_machine.travel(timezone.now() - dt.timedelta(days=40), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        scim.patch(
            f"Users/{uid}",
            {"schemas": [PATCH_OP], "Operations": [{"op": "replace", "value": {"active": False}}]},
        )
    with django_capture_on_commit_callbacks(execute=True):
        assert cleanup_audit_run(org=org).flagged_count == 1

    assert quiet_address not in recipients()
    # The owner did hear of it (alert, digest): the rule is about the person, not the org.
    assert [m.subject for m in mail.outbox] == [
        "[KisiSCIM] Alert: mass deactivation in Org acme",
        "[KisiSCIM] 1 suspended person to review",
    ]
    assert recipients() == ["owner@acme.example.com", "owner@acme.example.com"]
