"""The per-token rate limit: 429 with an integer Retry-After and a SCIM error body, counted in
the shared cache so that every web process draws on one budget."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.core.cache import cache
from django.test import override_settings

from provisioning.models import ScimToken
from provisioning.scim.auth import RATE_WINDOW_SECONDS
from tests.provisioning.scim.client import ERROR_SCHEMA
from tests.support import require_service

pytestmark = pytest.mark.django_db

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(autouse=True)
def _start_of_a_window():
    """The budget is per minute-window: start well inside one, so a window boundary during
    the test cannot reset the count."""
    into = time.time() % RATE_WINDOW_SECONDS
    if into > RATE_WINDOW_SECONDS - 15:
        time.sleep(RATE_WINDOW_SECONDS - into + 0.1)


def redis_available() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@override_settings(SCIM_RATE_LIMIT=5)
def test_over_the_limit_is_429_with_retry_after(scim, scim_other):
    cache.clear()
    assert [scim.get("Users?count=1").status for _ in range(5)] == [200] * 5
    r = scim.get("Users?count=1")
    assert r.status == 429
    assert r.json["schemas"] == [ERROR_SCHEMA]
    assert r.json["status"] == "429"
    assert "Retry after" in r.json["detail"]
    assert r.headers["Retry-After"].isdigit()
    assert 1 <= int(r.headers["Retry-After"]) <= 60
    # The budget is the token's: another org's token is unaffected.
    assert scim_other.get("Users?count=1").status == 200


@override_settings(SCIM_RATE_LIMIT=0)
def test_off_means_no_limit(scim):
    cache.clear()
    assert {scim.get("Users?count=1").status for _ in range(30)} == {200}


def test_the_budget_is_shared_across_processes_through_redis(scim, org):
    require_service("Redis", redis_available(), f"nothing answers at {REDIS_URL}")
    redis.Redis.from_url(REDIS_URL).flushdb()
    # As kisiscim.settings.base configures it when REDIS_URL is set (the subprocess's case).
    caches = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "kisiscim",
        }
    }
    token = ScimToken.objects.get(org=org, revoked_at__isnull=True)
    with override_settings(CACHES=caches, SCIM_RATE_LIMIT=5):
        assert scim.get("Users?count=1").status == 200
        # Another process spends the rest of this token's budget.
        script = (
            "import django; django.setup();"
            "from provisioning.models import ScimToken;"
            "from provisioning.scim.auth import rate_limit_hit;"
            f"print([rate_limit_hit(ScimToken(pk={token.pk})) for _ in range(4)])"
        )
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "kisiscim.settings.test",
            "REDIS_URL": REDIS_URL,
            "SCIM_RATE_LIMIT": "5",
        }
        out = subprocess.run(
            [sys.executable, "-c", script],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert out.returncode == 0, out.stderr
        assert out.stdout.strip() == "[None, None, None, None]"
        r = scim.get("Users?count=1")
        assert r.status == 429
        assert int(r.headers["Retry-After"]) >= 1
