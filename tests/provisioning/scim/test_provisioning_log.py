"""The provisioning log: one entry per SCIM request, authenticated or not, with what was
asked, what was answered and how long it took; secrets never reach it."""

import json

import pytest

from accounts.actor import Actor
from accounts.services.people import person_create
from provisioning.models import ProvisioningLogEntry, ScimToken
from tests.provisioning.scim.client import ScimClient, okta_user
from tests.provisioning.scim.support import patch

pytestmark = pytest.mark.django_db


def entries() -> list[ProvisioningLogEntry]:
    return list(ProvisioningLogEntry.objects.order_by("id"))


def test_each_request_writes_one_entry_with_its_details(scim, org, scim_other):
    before = ProvisioningLogEntry.objects.count()
    r = scim.post("Users?attributes=id", okta_user("ada@example.com"))
    uid = r.json["id"]
    scim.get('Users?filter=userName eq "x"&count=5')
    scim.patch(f"Users/{uid}", patch({"op": "replace", "path": "nope", "value": 1}))
    log = entries()[before:]
    assert len(log) == 3
    token = ScimToken.objects.get(org=org, revoked_at__isnull=True)
    created, listed, refused = log
    for entry in log:
        assert (entry.org, entry.token, entry.user_agent) == (
            org,
            token,
            "Okta SCIM Client 1.0.0",
        )
        assert entry.duration_ms >= 0
        assert entry.remote_addr == "127.0.0.1"
    assert (created.method, created.path, created.query, created.status, created.outcome) == (
        "POST",
        "/scim/v2/Users",
        "attributes=id",
        201,
        f"created user {uid}",
    )
    assert (listed.method, listed.path, listed.query, listed.status, listed.outcome) == (
        "GET",
        "/scim/v2/Users",
        'filter=userName eq "x"&count=5',  # as the client sent it
        200,
        "listed 0 of 0",
    )
    assert (refused.method, refused.status, refused.outcome) == (
        "PATCH",
        400,
        "Unknown attribute in PATCH path 'nope'.",
    )
    assert json.loads(refused.request_body) == patch({"op": "replace", "path": "nope", "value": 1})
    assert listed.request_body == ""


def test_unauthenticated_requests_are_logged_without_an_org(scim, scim_other):
    before = ProvisioningLogEntry.objects.count()
    ScimClient("", authorization="Bearer kscim_not-a-real-token-at-all").get("Users")
    ScimClient("", authorization="").get("Foo")
    first, second = entries()[before:]
    assert (first.org, first.token, first.status, first.path) == (None, None, 401, "/scim/v2/Users")
    assert first.outcome.startswith("Authentication failed")
    assert (second.org, second.status, second.outcome) == (
        None,
        404,
        "No SCIM resource at /scim/v2/Foo.",
    )


def test_other_orgs_requests_are_logged_under_their_org(scim, scim_other, org, other_org):
    before = ProvisioningLogEntry.objects.count()
    scim_other.get("Users")
    scim.get("Groups")
    theirs, mine = entries()[before:]
    assert (theirs.org, theirs.path, mine.org, mine.path) == (
        other_org,
        "/scim/v2/Users",
        org,
        "/scim/v2/Groups",
    )


def test_passwords_and_tokens_are_removed_from_the_stored_body(scim, scim_other, org):
    token = scim.token
    body = okta_user(
        "ada@example.com",
        Password="1mz050nq",
        nested={"PASSWORD": "s3cret", "list": [{"password": "deep"}, f"see {token}"]},
        note=f"token {token} pasted",
        externalId="kscim_abcdefghijklmnop",
    )
    before = ProvisioningLogEntry.objects.count()
    r = scim.post("Users", body)
    assert r.status == 201
    stored = entries()[before].request_body
    for secret in ("1mz050nq", "s3cret", "deep", token, "kscim_abcdefghijklmnop"):
        assert secret not in stored
    doc = json.loads(stored)
    assert doc["password"] == doc["Password"] == "[redacted]"
    assert doc["nested"] == {
        "PASSWORD": "[redacted]",
        "list": [{"password": "[redacted]"}, "see [redacted]"],
    }
    assert doc["note"] == "token [redacted] pasted"
    assert doc["userName"] == "ada@example.com"


def test_a_token_in_the_query_string_is_removed(scim, scim_other):
    before = ProvisioningLogEntry.objects.count()
    scim.get(f"Users?access_token={scim.token}")
    assert entries()[before].query == "access_token=[redacted]"


def test_a_patch_body_with_a_password_is_redacted(scim, scim_other, org):
    person = person_create(org=org, user_name="ada@example.com", actor=Actor.system())
    before = ProvisioningLogEntry.objects.count()
    r = scim.patch(
        f"Users/{person.scim_id}", patch({"op": "replace", "value": {"password": "n3w-pass"}})
    )
    assert r.status == 200
    entry = entries()[before]
    assert "n3w-pass" not in entry.request_body
    assert entry.outcome == f"patched user {person.scim_id} (password ignored (not stored))"


@pytest.mark.parametrize(
    "op",
    [
        {"op": "replace", "path": "password", "value": "n3w-pass"},
        {
            "op": "replace",
            "path": "urn:ietf:params:scim:schemas:core:2.0:User:password",
            "value": "n3w-pass",
        },
        {
            "op": "replace",
            "value": {"urn:ietf:params:scim:schemas:core:2.0:User:password": "n3w-pass"},
        },
    ],
)
def test_a_password_in_any_patch_shape_is_redacted(scim, scim_other, org, op):
    person = person_create(org=org, user_name="ada@example.com", actor=Actor.system())
    before = ProvisioningLogEntry.objects.count()
    assert scim.patch(f"Users/{person.scim_id}", patch(op)).status == 200
    entry = entries()[before]
    assert "n3w-pass" not in entry.request_body
    assert "[redacted]" in entry.request_body


def test_a_deeply_nested_body_is_a_400_and_still_logged(scim, scim_other, org):
    nested = "[" * 100_000 + "]" * 100_000
    raw = '{"userName": "deep@example.com", "title": ' + nested + "}"
    before = ProvisioningLogEntry.objects.count()
    r = scim.request("POST", "Users", raw=raw)
    assert (r.status, r.json["scimType"]) == (400, "invalidSyntax")
    assert r.json["detail"] == "The request body is nested too deeply."
    entry = entries()[before]
    assert (entry.status, entry.request_body) == (
        400,
        f"[{len(raw)} bytes, nested too deeply: not stored]",
    )
    # Deep but parseable: created, and logged without the body.
    raw = '{"userName": "deep@example.com", "title": ' + "[" * 700 + "]" * 700 + "}"
    r = scim.request("POST", "Users", raw=raw)
    assert r.status == 201
    assert entries()[before + 1].status == 201


def test_bodies_that_are_not_json_are_not_stored(scim, scim_other):
    before = ProvisioningLogEntry.objects.count()
    scim.request("POST", "Users", raw="password=hunter2")
    entry = entries()[before]
    assert (entry.status, entry.request_body) == (400, "[16 bytes, not JSON: not stored]")
