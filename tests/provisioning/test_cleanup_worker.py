"""The cleanup audit through real Celery workers on Redis (not eager), end to end.

The workers are `celery -A kisiscim worker` subprocesses with the test settings, the same
PostgreSQL test database as the test, Redis db 15 as broker and result store, and a
file-based mail backend the test reads. People are created and deactivated through the SCIM
endpoint; the clock is moved by suspending them 40 days in the past (time-machine), so the
workers, running at the real time, see 40-day suspensions.
"""

import datetime as dt
import email
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.utils import timezone

from accounts.models import Person
from provisioning.models import CleanupFinding
from tests.provisioning.scim.client import PATCH_OP, ScimClient, issue_token, okta_user
from tests.support import require_service

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

REDIS_URL = os.environ.get("WORKER_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
ROOT = Path(__file__).resolve().parent.parent.parent
CELERY = str(Path(sys.executable).with_name("celery"))
DEACTIVATE = {"schemas": [PATCH_OP], "Operations": [{"op": "replace", "value": {"active": False}}]}


def _redis_available() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except Exception:  # any failure means: not available here
        return False


@pytest.fixture
def probe():
    """A Celery client on the same Redis: sends tasks by name and reads their results."""
    require_service("PostgreSQL", connection.vendor == "postgresql", "set TEST_DATABASE_URL to run")
    require_service("Redis", _redis_available(), f"start redis-server ({REDIS_URL})")
    import redis
    from celery import Celery

    redis.Redis.from_url(REDIS_URL).flushdb()
    # Not the current app: the test process itself keeps running its tasks eagerly.
    app = Celery("probe", broker=REDIS_URL, backend=REDIS_URL, set_as_current=False)
    app.conf.update(task_serializer="json", result_serializer="json", accept_content=["json"])
    yield app
    app.close()


@pytest.fixture
def mailbox(tmp_path) -> Path:
    path = tmp_path / "mail"
    path.mkdir()
    return path


@pytest.fixture
def start_workers(probe, mailbox, tmp_path) -> Iterator[Callable[..., list[str]]]:
    """Start real worker processes; each is stopped (by its own pid) before the database
    is flushed."""
    procs: list[subprocess.Popen] = []
    db = connection.settings_dict
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("TEST_DB_SUFFIX",)},
        "DJANGO_SETTINGS_MODULE": "kisiscim.settings.test",
        "TEST_DATABASE_URL": (
            f"postgresql://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}"
        ),
        "REDIS_URL": REDIS_URL,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "TEST_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "TEST_EMAIL_FILE_PATH": str(mailbox),
        "KISISCIM_SITE_URL": "https://console.example.com",
    }

    def start(
        count: int = 1, *, concurrency: int = 1, batch_size: int = 500, **extra_env: str
    ) -> list[str]:
        names = []
        for _ in range(count):
            name = f"w{len(procs) + 1}@kisiscim-test"
            log = open(tmp_path / f"{name}.log", "w")  # noqa: SIM115 (closed with the process)
            procs.append(
                subprocess.Popen(
                    [
                        CELERY,
                        "-A",
                        "kisiscim",
                        "worker",
                        "-n",
                        name,
                        "--pool=prefork",
                        f"--concurrency={concurrency}",
                        "--without-gossip",
                        "--without-mingle",
                        "--loglevel=INFO",
                    ],
                    cwd=ROOT,
                    env={**env, "CLEANUP_AUDIT_BATCH_SIZE": str(batch_size), **extra_env},
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
            names.append(name)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            replies = probe.control.ping(timeout=0.5) or []
            if {n for r in replies for n in r} >= set(names):
                return names
            if any(p.poll() is not None for p in procs[-count:]):
                break
        logs = "\n".join(f.read_text() for f in tmp_path.glob("w*.log"))
        pytest.fail(f"Celery worker did not start:\n{logs[-4000:]}")

    start.procs = procs  # type: ignore[attr-defined]
    yield start
    for proc in procs:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def read_mail(mailbox: Path) -> list[email.message.Message]:
    messages = []
    for path in sorted(mailbox.glob("*.log")):
        # The file backend writes each message followed by a line of dashes.
        for chunk in path.read_text().split("-" * 79):
            if chunk.strip():
                messages.append(email.message_from_string(chunk.strip()))
    return messages


def wait_for(predicate: Callable[[], object], timeout: float = 60) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail("timed out waiting")


def wait_until_idle(probe, names: list[str], quiet: float = 2.0) -> None:
    """Until the queue is empty and no worker runs or holds a task for `quiet` seconds."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    inspector = probe.control.inspect(destination=names, timeout=1)
    calm_since = None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        busy = client.llen("celery") > 0 or any(
            tasks
            for reply in ((inspector.active() or {}), (inspector.reserved() or {}))
            for tasks in reply.values()
        )
        if busy:
            calm_since = None
        elif calm_since is None:
            calm_since = time.monotonic()
        elif time.monotonic() - calm_since >= quiet:
            return
        time.sleep(0.2)
    pytest.fail("the workers never became idle")


def deactivated_40_days_ago(scim: ScimClient, user_names: list[str]) -> list[str]:
    """Create people through SCIM now, then deactivate them through SCIM 40 days ago."""
    ids = []
    for user_name in user_names:
        r = scim.post("Users", okta_user(user_name, sendEmails=False))
        assert r.status == 201, r.json
        ids.append(r.json["id"])
    with time_machine.travel(timezone.now() - dt.timedelta(days=40), tick=False):
        for uid in ids:
            r = scim.patch(f"Users/{uid}", DEACTIVATE)
            assert (r.status, r.json["active"]) == (200, False)
    return ids


def test_beat_audit_runs_on_a_real_worker_flags_once_and_sends_one_digest_per_org(
    probe, start_workers, mailbox, org, other_org
):
    scim = ScimClient(issue_token(org))
    scim_other = ScimClient(issue_token(other_org))
    deactivated_40_days_ago(scim, ["ada@acme.example.com", "bob@acme.example.com"])
    scim.post("Users", okta_user("still.here@acme.example.com", sendEmails=False))
    deactivated_40_days_ago(scim_other, ["eve@globex.example.com"])
    names = start_workers(1, concurrency=2)
    # The test process waits on results as a client, never inside a task; Celery's guard
    # against joins in a task keys off process-wide state that earlier eager tests may set.
    beat_task = settings.CELERY_BEAT_SCHEDULE["cleanup-audit-daily"]["task"]

    assert (
        probe.send_task(beat_task).get(timeout=60, disable_sync_subtasks=False) == 2
    )  # one audit task per org
    digests = wait_for(lambda: len(read_mail(mailbox)) >= 2 and read_mail(mailbox))
    wait_until_idle(probe, names)

    assert sorted(
        CleanupFinding.objects.filter(status="open").values_list("org__slug", "user_name")
    ) == [
        ("acme", "ada@acme.example.com"),
        ("acme", "bob@acme.example.com"),
        ("globex", "eve@globex.example.com"),
    ]
    assert sorted((m["To"], m["Subject"]) for m in digests) == [
        ("owner@acme.example.com", "[KisiSCIM] 2 suspended people to review"),
        ("owner@globex.example.com", "[KisiSCIM] 1 suspended person to review"),
    ]
    acme = next(m for m in digests if m["To"] == "owner@acme.example.com")
    body = acme.get_payload()
    assert "suspended 40 days ago" in body
    assert "https://console.example.com/o/acme/cleanup/" in body

    # The next day's run: nothing new, so no new finding and no second digest.
    assert probe.send_task(beat_task).get(timeout=60, disable_sync_subtasks=False) == 2
    wait_until_idle(probe, names)
    assert CleanupFinding.objects.count() == 3
    assert len(read_mail(mailbox)) == 2


def test_two_workers_auditing_one_org_at_once_flag_each_person_once(
    probe, start_workers, mailbox, org
):
    """Four audit tasks for one org on two worker processes, in batches of 10: every
    suspension is flagged once, reported once, and announced in exactly one digest."""
    scim = ScimClient(issue_token(org))
    ids = deactivated_40_days_ago(scim, [f"p{i}@acme.example.com" for i in range(60)])
    names = start_workers(2, concurrency=2, batch_size=10)

    results = [
        probe.send_task("provisioning.tasks.cleanup_audit_org_task", args=[org.pk])
        for _ in range(4)
    ]
    flagged = sum(r.get(timeout=120, disable_sync_subtasks=False)["flagged"] for r in results)
    wait_until_idle(probe, names)

    assert flagged == 60
    assert CleanupFinding.objects.filter(org=org).count() == 60
    assert set(CleanupFinding.objects.values_list("scim_id", flat=True)) == set(ids)
    assert not CleanupFinding.objects.filter(notified_at__isnull=True).exists()
    announced = 0
    for message in read_mail(mailbox):
        assert message["To"] == "owner@acme.example.com"
        words = message["Subject"].split()
        announced += int(words[1])
    assert announced == 60
    assert Person.objects.filter(org=org, is_active=False).count() == 60


def test_a_task_of_a_sigkilled_worker_runs_again_after_the_visibility_timeout(
    probe, start_workers, org
):
    """The worker running the audit is SIGKILLed (its whole process group: no child lives on
    to finish the task); the task was not acknowledged, so Redis hands it to the next worker
    once the visibility timeout (5 s here, 600 s by default) has passed, and the audit
    completes, each person flagged once."""
    from accounts.usernames import user_name_key

    long_ago = timezone.now() - dt.timedelta(days=40)
    names = [f"gone{i}@acme.example.com" for i in range(3000)]
    Person.objects.bulk_create(
        [
            Person(org=org, user_name=n, user_name_key=user_name_key(n), is_active=False,
                   suspended_at=long_ago)
            for n in names
        ]
    )  # fmt: skip
    short = {
        "CELERY_VISIBILITY_TIMEOUT": "5",
        "CELERY_TASK_TIME_LIMIT": "300",
        "CELERY_TASK_SOFT_TIME_LIMIT": "280",
    }
    start_workers(1, batch_size=1, **short)
    first = start_workers.procs[-1]
    probe.send_task("provisioning.tasks.cleanup_audit_org_task", args=[org.pk])
    wait_for(lambda: CleanupFinding.objects.filter(org=org).count() > 20)
    os.killpg(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    partial = CleanupFinding.objects.filter(org=org).count()
    assert partial < 3000, "the audit finished before the kill; make it longer"

    killed_at = time.monotonic()
    start_workers(1, batch_size=500, **short)
    wait_for(lambda: CleanupFinding.objects.filter(org=org).count() == 3000, timeout=120)
    # Measured here: about 100 s with a 5 s timeout (kombu restores unacknowledged tasks on
    # its own schedule); minutes, not the hour it took with a 3600 s timeout.
    assert time.monotonic() - killed_at < 180
    assert CleanupFinding.objects.filter(org=org).values("person_id").distinct().count() == 3000
