"""Malformed values and wrong JSON types found by the security review: each is a 400 SCIM
error (invalidFilter / invalidValue), logged once, and changes nothing; invalid Unicode is
refused before anything is written, and the request is still in the provisioning log."""

import logging
from urllib.parse import quote

import pytest

from accounts.models import Person
from provisioning.models import ProvisioningLogEntry
from tests.provisioning.scim.client import ERROR_SCHEMA, okta_user
from tests.provisioning.scim.support import org_snapshot

pytestmark = pytest.mark.django_db

SEARCH = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"


def assert_400(r, scim_type: str) -> None:
    assert r.status == 400, r.json
    assert r.json["schemas"] == [ERROR_SCHEMA]
    assert r.json["status"] == "400"
    assert r.json["scimType"] == scim_type
    assert r.json["detail"]


@pytest.mark.parametrize(
    "text",
    [
        'meta.created gt "0000-01-01T00:00:00Z"',
        'meta.created gt "2024-01-01T00:00:00+99:00"',
        'meta.lastModified lt "9999-12-31T23:59:59-14:00"',
        'meta.created gt "0001-01-01T00:00:00+14:00"',
        'meta.created gt "2024-13-45T00:00:00Z"',
    ],
)
def test_an_impossible_date_time_in_a_filter_is_invalid_filter(scim, text, caplog):
    with caplog.at_level(logging.INFO):
        r = scim.get(f"Users?filter={quote(text)}")
    assert_400(r, "invalidFilter")
    # Logged once: Django's one warning for the 400, no traceback.
    records = [rec for rec in caplog.records if rec.levelno >= logging.WARNING]
    assert [rec.getMessage() for rec in records] == ["Bad Request: /scim/v2/Users"]
    assert not any(rec.exc_info for rec in caplog.records)


@pytest.mark.parametrize("value", ["5", "true", "1e308", "{}", "[]", '["userName pr"]'])
@pytest.mark.parametrize("path", ["/scim/v2/.search", "/scim/v2/Users/.search"])
def test_a_search_filter_that_is_not_a_string_is_invalid_filter(scim, path, value):
    raw = f'{{"schemas": ["{SEARCH}"], "filter": {value}}}'
    r = scim.request("POST", path, raw=raw)
    assert_400(r, "invalidFilter")


@pytest.mark.parametrize("field", ["startIndex", "count"])
@pytest.mark.parametrize("value", ["1e999", "-1e999", "NaN", "true", '"ten"', "[1]", "1.5"])
@pytest.mark.parametrize("path", ["/scim/v2/.search", "/scim/v2/Groups/.search"])
def test_paging_values_that_are_not_integers_are_invalid_value(scim, path, field, value):
    raw = f'{{"schemas": ["{SEARCH}"], "{field}": {value}}}'
    r = scim.request("POST", path, raw=raw)
    assert_400(r, "invalidValue")


def test_an_integer_of_thousands_of_digits_is_invalid_value(scim, org):
    before = org_snapshot(org)
    raw = '{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "a@x.test",'
    raw += ' "externalId": ' + "9" * 5000 + "}"
    r = scim.request("POST", "Users", raw=raw)
    assert_400(r, "invalidValue")
    assert org_snapshot(org) == before


@pytest.mark.parametrize("user_name", [42, 4.2, ["a@x.test"], {"value": "a"}, True])
def test_a_user_name_that_is_not_a_string_is_invalid_value(scim, org, user_name):
    r = scim.post("Users", okta_user(userName=user_name))
    assert_400(r, "invalidValue")
    assert not Person.objects.filter(org=org).exists()


def test_a_user_name_that_is_not_a_string_in_a_patch_is_invalid_value(scim, org):
    created = scim.post("Users", okta_user("ada@example.com")).json
    body = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "path": "userName", "value": 12345}],
    }
    assert_400(scim.patch(f"Users/{created['id']}", body), "invalidValue")
    assert Person.objects.get(org=org).user_name == "ada@example.com"


@pytest.mark.parametrize(
    "raw",
    [
        '"userName": "a\\ud800@x.test"',
        '"userName": "a@x.test", "displayName": "\\udfff"',
        '"userName": "a@x.test", "name": {"givenName": "x\\ud83d"}',
        '"userName": "a@x.test", "\\ud800": "key"',
    ],
)
def test_a_lone_surrogate_is_refused_before_anything_is_written(scim, org, raw):
    body = '{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], ' + raw + "}"
    r = scim.request("POST", "Users", raw=body)
    assert_400(r, "invalidValue")
    assert not Person.objects.filter(org=org).exists()
    entry = ProvisioningLogEntry.objects.get()
    assert entry.status == 400
    assert entry.org == org
    assert "\\ud8" in entry.request_body or "\\udf" in entry.request_body


def test_a_lone_surrogate_in_a_patch_of_a_stored_field_is_refused(scim, org):
    created = scim.post("Users", okta_user("ada@example.com")).json
    raw = (
        '{"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": '
        '[{"op": "replace", "path": "displayName", "value": "Ada \\ud800"}]}'
    )
    assert_400(scim.request("PATCH", f"Users/{created['id']}", raw=raw), "invalidValue")
    assert Person.objects.get(org=org).display_name == "Test User"
    assert ProvisioningLogEntry.objects.filter(status=400, method="PATCH").count() == 1


def test_an_over_long_url_is_a_scim_414(scim):
    r = scim.get("Users?filter=" + quote('userName eq "' + "a" * 9000 + '"'))
    assert r.status == 414
    assert r.json["schemas"] == [ERROR_SCHEMA]
    assert r.json["status"] == "414"
    assert "8000" in r.json["detail"]
    assert ProvisioningLogEntry.objects.get().status == 414
