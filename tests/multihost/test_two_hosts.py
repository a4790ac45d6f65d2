"""Many hosts: two web servers (two gunicorn processes on two ports) against one PostgreSQL
and one Redis share the SCIM rate limit, console sessions and the SAML replay cache. (Two
Celery workers auditing one org at once flag each person once:
tests/provisioning/test_cleanup_worker.py.)"""

import base64
import json
import os
import urllib.parse

import pytest
from django.db import connection
from django.test import Client

from accounts.actor import Actor
from accounts.services.people import person_create
from tests.multihost.hosts import Browser, start_hosts, stop_hosts
from tests.provisioning.scim.client import issue_token, okta_user
from tests.provisioning.scim.test_rate_limit import redis_available
from tests.sso.saml_idp import SamlIdP
from tests.sso.support import SP, idp_trust, refusals, sign_ins, sp_metadata
from tests.support import PASSWORD, require_service

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
LIMIT = 10


@pytest.fixture
def hosts(tmp_path):
    require_service("PostgreSQL", connection.vendor == "postgresql", "set TEST_DATABASE_URL")
    require_service("Redis", redis_available(), f"start redis-server ({REDIS_URL})")
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    db = connection.settings_dict
    url = (
        f"postgresql://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )
    started = start_hosts(
        2,
        database_url=url,
        redis_url=REDIS_URL,
        log_dir=tmp_path,
        SCIM_RATE_LIMIT=str(LIMIT),
        SCIM_UNAUTHENTICATED_RATE_LIMIT=str(LIMIT),
    )
    yield started
    stop_hosts(started)


def test_the_rate_limit_is_shared_by_both_hosts(hosts, org):
    token = issue_token(org)
    browser = Browser()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/scim+json"}
    statuses = []
    for i in range(LIMIT + 4):
        host = hosts[i % 2]
        body = json.dumps(okta_user(f"p{i}@acme.example.com")).encode()
        statuses.append(browser.request("POST", host.base + "/scim/v2/Users", body, headers).status)
    assert statuses.count(201) == LIMIT
    assert statuses[LIMIT:] == [429] * 4


def test_a_session_made_on_one_host_works_on_the_other(hosts, org, owner):
    browser = Browser()
    signed_in = browser.sign_in(hosts[0], owner.email, PASSWORD)
    assert signed_in.status == 302
    page = browser.request("GET", hosts[1].base + f"/o/{org.slug}/people/")
    assert page.status == 200
    assert b"People" in page.body


def test_the_unauthenticated_throttle_is_shared_by_both_hosts(hosts, org):
    browser = Browser()
    headers = {"Authorization": "Bearer kscim_wrong"}
    statuses = [
        browser.request("GET", hosts[i % 2].base + "/scim/v2/Users", None, headers).status
        for i in range(LIMIT + 2)
    ]
    assert statuses == [401] * LIMIT + [429] * 2


def test_an_assertion_accepted_by_one_host_is_refused_by_the_other(hosts, org):
    """Both hosts answer for one public name (the load balancer's; here the test client's
    `testserver`), so one IdP response is valid on either: the replay cache must be shared."""
    idp = SamlIdP()
    try:
        idp_trust(org, idp)
        idp.register_sp(sp_metadata(Client(), org.slug))
        person_create(org=org, user_name="ada@acme.example.com", actor=Actor.scim())
        sp = SP(org.slug)
        xml = idp.response_xml(
            sp_entity_id=sp.entity_id, acs_url=sp.acs, email="ada@acme.example.com"
        )
    finally:
        idp.close()
    form = urllib.parse.urlencode({"SAMLResponse": base64.b64encode(xml.encode()).decode()})
    headers = {"Host": "testserver", "Content-Type": "application/x-www-form-urlencoded"}
    first, second = (
        Browser().request(
            "POST", host.base + sp.acs.removeprefix("http://testserver"), form.encode(), headers
        )
        for host in hosts
    )
    assert first.status == 302, first.body[:300]
    assert second.status == 400, second.body[:300]
    assert b"was used before" in second.body
    assert refusals(org) == ["replay"]
    assert len(sign_ins(org)) == 1
