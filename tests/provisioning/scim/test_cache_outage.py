"""A cache (Redis) outage: the SCIM endpoint keeps answering (no 5xx) on a local fallback
count that still enforces the rate limit, the console keeps working, and the shared count
comes back by itself once Redis answers again. The outage is real: the test's own
redis-server process is stopped and started again."""

import time

import pytest
import redis
import time_machine
from django.test import override_settings

from kisiscim import counters
from tests.kisiscim.redis_server import OwnRedis
from tests.provisioning.scim.client import okta_user
from tests.support import require_service

pytestmark = pytest.mark.django_db


@pytest.fixture
def own_redis(tmp_path):
    require_service("redis-server", OwnRedis.available(), "apt-get install redis-server")
    server = OwnRedis(tmp_path)
    server.start()
    caches = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": server.url(),
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    with override_settings(CACHES=caches, SCIM_RATE_LIMIT=6):
        yield server
    server.stop()
    counters.fallback_clear()


def _window_keys(server: OwnRedis) -> list[bytes]:
    return redis.Redis.from_url(server.url()).keys("*window:scim:rate:*")


def test_scim_answers_through_an_outage_and_recovers(own_redis, scim, owner_client):
    # Start well inside a minute window, so the budget cannot reset during the test.
    into = time.time() % 60
    if into > 40:
        time.sleep(60 - into + 0.1)
    assert scim.post("Users", okta_user("before@example.com")).status == 201
    assert _window_keys(own_redis)

    own_redis.stop()
    statuses = [scim.get("Users?filter=userName%20eq%20%22before@example.com%22").status
                for _ in range(8)]  # fmt: skip
    # Counted locally from zero while Redis is down: the limit of 6 still holds.
    assert statuses == [200] * 6 + [429] * 2
    assert counters.shared_cache_down()
    assert owner_client.get("/o/acme/people/").status_code == 200

    own_redis.start()
    with time_machine.travel(time.time() + counters.OUTAGE_RETRY_SECONDS + 1, tick=True):
        assert not counters.shared_cache_down()
        assert scim.get("Users?count=1").status == 200
    assert _window_keys(own_redis)  # counted in Redis again
