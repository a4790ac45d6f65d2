"""On PostgreSQL, with real threads and connections: door checks run while the IdP suspends
the person. Every check sent after the suspension's response (its commit) denies; checks
sent before may allow. Nothing waits on a cache."""

import threading
import time

import pytest
from django.db import connection, connections

from accounts.models import Group
from tests.access.support import ApiClient, api_key, make_door, make_grant, make_place
from tests.provisioning.scim.client import (
    GROUP_SCHEMA,
    PATCH_OP,
    ScimClient,
    issue_token,
    okta_user,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

CHECKERS = 3


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is tested on PostgreSQL (SQLite serialises all writers)")


def test_checks_after_a_concurrent_suspension_commits_deny(org):
    scim = ScimClient(issue_token(org))
    uid = scim.post("Users", okta_user("ada@okta.local")).json["id"]
    gid = scim.post(
        "Groups", {"schemas": [GROUP_SCHEMA], "displayName": "Staff", "members": [{"value": uid}]}
    ).json["id"]
    door = make_door(make_place(org))
    make_grant(Group.objects.get(scim_id=gid), door)
    key = api_key(org)

    stop = threading.Event()
    results: list[tuple[float, str]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def checker() -> None:
        api = ApiClient(key)
        try:
            while not stop.is_set():
                sent = time.monotonic()
                response = api.post(f"doors/{door.pk}/check", {"person": uid})
                assert response.status == 200, response.json
                with lock:
                    results.append((sent, response.json["reason"]))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=checker) for _ in range(CHECKERS)]
    for t in threads:
        t.start()
    try:
        time.sleep(0.5)
        response = scim.patch(
            f"Users/{uid}",
            {"schemas": [PATCH_OP], "Operations": [{"op": "replace", "value": {"active": False}}]},
        )
        committed = time.monotonic()
        assert response.status == 200
        time.sleep(0.5)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=30)
    assert not errors, errors
    before = [reason for sent, reason in results if sent < committed]
    after = [reason for sent, reason in results if sent > committed]
    assert "allowed" in before
    assert after, "no check ran after the suspension"
    assert set(after) == {"person_suspended"}, after
