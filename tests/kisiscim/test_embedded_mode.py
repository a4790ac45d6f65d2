"""Embedded mode on a fresh checkout, without `make run`: the product makes the folders its
SQLite file and filesystem broker need (under KISISCIM_VAR_DIR), so commands that queue
tasks exit 0 and what they queue reaches the broker."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent

pytestmark = pytest.mark.slow


def _manage(var_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("REDIS_URL", "DATABASE_URL", "CELERY_TASK_ALWAYS_EAGER")
        and not k.startswith("TEST_")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="kisiscim.settings.base",
        DJANGO_DEBUG="1",
        KISISCIM_VAR_DIR=str(var_dir),
    )
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_fresh_var_dir_is_made_and_queued_tasks_reach_the_broker(tmp_path):
    var_dir = tmp_path / "fresh-var"
    assert _manage(var_dir, "migrate", "--noinput").returncode == 0
    assert (var_dir / "db.sqlite3").exists()
    seeded = _manage(var_dir, "seed_demo")
    assert seeded.returncode == 0, seeded.stderr
    # The demo flags its people suspended 35 and 60 days ago at once; backdate the one
    # suspended 10 days ago, so the audit flags them too and queues the owner's digest.
    backdate = _manage(
        var_dir,
        "shell",
        "-c",
        "import datetime as dt; from django.utils import timezone; "
        "from accounts.models import Person; "
        "Person.objects.filter(user_name__startswith='edsger.').update("
        "suspended_at=timezone.now() - dt.timedelta(days=40))",
    )
    assert backdate.returncode == 0, backdate.stderr

    audit = _manage(var_dir, "audit_suspended")

    assert audit.returncode == 0, audit.stderr
    assert "Traceback" not in audit.stderr
    assert "Flagged 1 person" in audit.stdout
    for folder in ("broker", "results", "control"):
        assert (var_dir / "celery" / folder).is_dir()
    # The digest (and the seed's owner notices) wait in the embedded broker for a worker.
    assert list((var_dir / "celery" / "broker").iterdir())
    # Nothing was written to the checkout's own var/ or the working directory.
    assert not (ROOT / "control").exists()


def test_embedded_processes_share_one_rate_limit_count(tmp_path):
    """Without Redis, web processes count in one store under VAR_DIR (the file cache), so a
    second process sees the first one's requests: several gunicorn workers on SQLite share
    the SCIM rate limit instead of each allowing the whole budget."""
    var_dir = tmp_path / "var"
    code = (
        "from kisiscim.counters import window_hit; "
        "print(window_hit('scim:rate:shared-test', window_seconds=3600).count)"
    )
    counts = [_manage(var_dir, "shell", "-c", code).stdout.split()[-1] for _ in range(3)]
    assert counts == ["1", "2", "3"]
