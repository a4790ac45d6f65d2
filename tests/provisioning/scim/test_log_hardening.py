"""The provisioning log is safe and bounded (security review): a password is redacted from
the same parsed PATCH path the adapter applies, token-like strings are redacted in every
column, unauthenticated requests store no body and are throttled per client address before
authentication."""

import json

import pytest
from django.test import override_settings

from provisioning.models import ProvisioningLogEntry
from tests.provisioning.scim.client import USER_SCHEMA, ScimClient, okta_user
from tests.provisioning.scim.support import patch

pytestmark = pytest.mark.django_db

SECRET = "Hunter2-plaintext"


def stored_text(entry: ProvisioningLogEntry) -> str:
    return " ".join(
        [entry.method, entry.path, entry.query, entry.user_agent, entry.outcome,
         entry.request_body]
    )  # fmt: skip


@pytest.mark.parametrize(
    "operation",
    [
        {"op": "replace", "path": " Password", "value": SECRET},
        {"op": "replace", "path": "password ", "value": SECRET},
        {"op": "replace", "path": "password.value", "value": SECRET},
        {"op": "replace", "path": 'password[value eq "a"]', "value": SECRET},
        {"op": "replace", "path": f"{USER_SCHEMA}:PASSWORD", "value": SECRET},
        {"op": "replace", "value": {" password ": SECRET}},
        {"op": "replace", "path": USER_SCHEMA, "value": {"Password": SECRET}},
        {"op": "Replace", "PATH": "password", "VALUE": SECRET},
    ],
)
def test_a_password_in_any_patch_path_spelling_is_redacted(scim, org, operation):
    uid = scim.post("Users", okta_user("ada@example.com")).json["id"]
    r = scim.patch(f"Users/{uid}", patch(operation))
    assert r.status == 200
    entry = ProvisioningLogEntry.objects.filter(method="PATCH").get()
    assert SECRET not in entry.request_body
    assert "[redacted]" in entry.request_body


def test_an_unparseable_path_redacts_its_value_too(scim, org):
    uid = scim.post("Users", okta_user("ada@example.com")).json["id"]
    r = scim.patch(f"Users/{uid}", patch({"op": "replace", "path": "pass word", "value": SECRET}))
    assert r.status == 400
    assert SECRET not in ProvisioningLogEntry.objects.get(method="PATCH").request_body


def test_token_like_strings_are_redacted_in_every_column(scim, org, scim_token):
    lookalike = "kscim_" + "A1b2C3d4" * 5
    r = scim.get(f"Users/{lookalike}", HTTP_USER_AGENT=f"curl {lookalike} {scim_token}")
    assert r.status == 404
    r = scim.get(f'Users?filter=userName eq "{lookalike}"')
    entries = list(ProvisioningLogEntry.objects.order_by("id"))
    assert len(entries) == 2
    for entry in entries:
        text = stored_text(entry)
        assert lookalike not in text
        assert scim_token not in text
        assert "kscim_" not in text.replace("[redacted]", "")
    assert entries[0].path == "/scim/v2/Users/[redacted]"


def test_an_unauthenticated_request_stores_no_body(org):
    body = okta_user("ada@example.com", displayName="x" * 5000)
    r = ScimClient("", authorization="Bearer kscim_wrong").post("Users", body)
    assert r.status == 401
    entry = ProvisioningLogEntry.objects.get()
    assert entry.org is None
    assert entry.request_body == "[not stored: the request was not authenticated]"


@override_settings(SCIM_UNAUTHENTICATED_RATE_LIMIT=5)
def test_unauthenticated_requests_are_throttled_per_address_before_authentication(
    scim, org, django_assert_max_num_queries
):
    attacker = ScimClient("", authorization="Bearer kscim_wrong")
    statuses = [attacker.get("Users", REMOTE_ADDR="203.0.113.9").status for _ in range(5)]
    assert statuses == [401] * 5
    throttled = attacker.get("Users", REMOTE_ADDR="203.0.113.9")
    assert throttled.status == 429
    assert int(throttled.headers["Retry-After"]) >= 1
    assert throttled.json["detail"].startswith("Too many unauthenticated requests")
    # Before authentication: a throttled request costs no token lookup; only its one log row
    # (the first of the window), later ones none at all.
    with django_assert_max_num_queries(0):
        again = attacker.get("Users", REMOTE_ADDR="203.0.113.9")
    assert again.status == 429
    assert ProvisioningLogEntry.objects.filter(remote_addr="203.0.113.9").count() == 6
    # Other addresses, and the org's IdP calling from its own, are unaffected.
    assert attacker.get("Users", REMOTE_ADDR="203.0.113.10").status == 401
    assert scim.get("Users", REMOTE_ADDR="198.51.100.1").status == 200


@override_settings(SCIM_UNAUTHENTICATED_RATE_LIMIT=2, TRUSTED_PROXY_COUNT=1)
def test_behind_a_proxy_the_client_address_is_the_forwarded_one(org):
    attacker = ScimClient("", authorization="Bearer kscim_wrong")
    for _ in range(2):
        attacker.get("Users", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert attacker.get("Users", HTTP_X_FORWARDED_FOR="198.51.100.7").status == 429
    assert attacker.get("Users", HTTP_X_FORWARDED_FOR="198.51.100.8").status == 401
    entry = ProvisioningLogEntry.objects.order_by("id").last()
    assert entry.remote_addr == "198.51.100.8"
    assert json.dumps(entry.request_body)
