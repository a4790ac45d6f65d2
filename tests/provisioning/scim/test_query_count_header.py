"""`X-Query-Count` (the benchmark's view of each SCIM request's cost) is absent unless
KISISCIM_QUERY_COUNT_HEADER turns it on, and then equals the queries the request ran."""

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from accounts.actor import Actor
from accounts.services.people import person_create
from tests.provisioning.scim.client import ScimClient

pytestmark = pytest.mark.django_db

COUNTER = "provisioning.scim.query_count.QueryCountHeaderMiddleware"


def with_counter() -> list[str]:
    middleware = list(settings.MIDDLEWARE)
    middleware.insert(
        middleware.index("provisioning.scim.middleware.ScimRequestMiddleware"), COUNTER
    )
    return middleware


def test_off_by_default_no_header(scim, org):
    assert COUNTER not in settings.MIDDLEWARE
    r = scim.get("Users")
    assert r.status == 200
    assert "X-Query-Count" not in r.headers


def test_on_the_header_is_the_real_count(scim, org):
    for i in range(3):
        person_create(org=org, user_name=f"p{i}@example.com", actor=Actor.system())
    scim.get("ServiceProviderConfig")  # the token's last-used time is written once a minute
    with override_settings(MIDDLEWARE=with_counter()):
        counted = ScimClient(scim.token)  # a client loads the middleware on its first request
        for path in ("ServiceProviderConfig", "Users?count=2", 'Users?filter=userName eq "p1"'):
            with CaptureQueriesContext(connection) as ctx:
                r = counted.get(path)
            assert r.status == 200
            assert r.headers["X-Query-Count"] == str(len(ctx.captured_queries)), path
        assert int(r.headers["X-Query-Count"]) > 0


def test_on_only_under_scim(owner_client):
    with override_settings(MIDDLEWARE=with_counter()):
        r = owner_client.get("/")
    assert "X-Query-Count" not in r.headers
