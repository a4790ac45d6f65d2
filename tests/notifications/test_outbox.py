"""The transactional outbox: every owner notice and person email is a row written in the
same transaction as the change, so a broker outage at commit loses nothing. Delivery is a
retried Celery task, and beat re-queues whatever is left undelivered. The outage is real:
the Celery app is pointed at a port where no broker answers."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from accounts.actor import Actor
from kisiscim.celery import app as celery_app
from notifications.models import OutboxMessage
from notifications.tasks import outbox_requeue_task
from provisioning.services.scim_config import scim_enable
from provisioning.services.tokens import scim_token_generate
from tests.kisiscim.redis_server import free_port
from tests.provisioning.scim.client import ScimClient, okta_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def broker_down():
    """Tasks are published to a broker that does not answer (as during a Redis outage)."""
    conf = celery_app.conf
    saved = (conf.task_always_eager, conf.broker_url, conf.broker_transport_options)
    conf.task_always_eager = False
    conf.broker_url = f"redis://127.0.0.1:{free_port()}/9"
    # As the settings configure Redis: publishing fails at once when it does not answer.
    conf.broker_transport_options = {"socket_connect_timeout": 1, "max_retries": 0}
    _reset_pool()
    yield
    conf.task_always_eager, conf.broker_url, conf.broker_transport_options = saved
    _reset_pool()


def _reset_pool() -> None:
    """Drop the producer pool, so the next publish connects to the broker now configured."""
    if celery_app._pool is not None:
        celery_app._pool.force_close_all()
        celery_app._pool = None
    celery_app.amqp._producer_pool = None


def owner_mail() -> list:
    return [m for m in mail.outbox if m.to == ["owner@acme.example.com"]]


def test_a_broker_outage_at_commit_loses_no_owner_notice(org, owner_client, broker_down):
    scim_enable(org=org, actor=Actor.system())
    mail.outbox.clear()
    r = owner_client.post(f"/o/{org.slug}/settings/sso-scim/scim/token/")
    assert r.status_code in (200, 302)
    assert owner_mail() == []
    pending = OutboxMessage.objects.filter(org=org, sent_at__isnull=True)
    assert "[KisiSCIM] A new SCIM token was generated" in [m.subject for m in pending]


def test_the_beat_sweep_delivers_what_the_outage_left_once(org, broker_down):
    scim_enable(org=org, actor=Actor.system())
    scim_token_generate(org=org, actor=Actor.system())
    mail.outbox.clear()
    pending = OutboxMessage.objects.filter(sent_at__isnull=True).count()
    assert pending >= 2
    celery_app.conf.task_always_eager = True  # the broker is back
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=10)):
        assert outbox_requeue_task.delay().get() == pending
        assert outbox_requeue_task.delay().get() == 0
    subjects = [m.subject for m in owner_mail()]
    for subject in ("A new SCIM token was generated", "SCIM provisioning was enabled"):
        assert subjects.count(f"[KisiSCIM] {subject}") == 1
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()


def test_a_person_email_survives_the_outage_too(org, broker_down):
    scim_enable(org=org, actor=Actor.system())
    _, raw = scim_token_generate(org=org, actor=Actor.system())
    token = ScimClient(raw)
    assert token.post("Users", okta_user("ada@acme.example.com")).status == 201
    welcome = OutboxMessage.objects.get(person__user_name="ada@acme.example.com")
    assert (welcome.kind, welcome.email_kind, welcome.sent_at) == ("person_email", "welcome", None)
    celery_app.conf.task_always_eager = True
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=10)):
        outbox_requeue_task.delay().get()
    assert [m.to for m in mail.outbox if "Welcome" in m.subject] == [["ada@acme.example.com"]]


def test_a_change_that_rolls_back_leaves_no_message(org):
    from django.db import transaction

    scim_enable(org=org, actor=Actor.system())
    before = OutboxMessage.objects.count()

    @transaction.atomic
    def generate_then_fail() -> None:
        scim_token_generate(org=org, actor=Actor.system())
        raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        generate_then_fail()
    assert OutboxMessage.objects.count() == before
