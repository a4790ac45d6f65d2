"""Every non-2xx answer of /scim/v2/ is a SCIM Error JSON (application/scim+json, string
status, a useful detail), whatever produced it; a refused request changes nothing."""

import json

import pytest
from django.http import HttpResponse, HttpResponseNotFound, HttpResponseServerError
from django.test import RequestFactory, override_settings

from accounts.actor import Actor
from accounts.models import Person
from accounts.services.groups import group_create
from accounts.services.people import person_create
from provisioning.models import ProvisioningLogEntry
from provisioning.scim.middleware import ScimRequestMiddleware
from provisioning.services.scim_config import scim_disable
from provisioning.services.tokens import scim_token_generate
from sso.services import sso_disable
from tests.provisioning.scim.client import ERROR_SCHEMA, GROUP_SCHEMA, ScimClient, okta_user
from tests.provisioning.scim.support import error, listing, org_snapshot, patch, user_doc

pytestmark = pytest.mark.django_db

AUTH_DETAIL = (
    "Authentication failed: send the SCIM token from Settings → SSO & SCIM as "
    "'Authorization: Bearer <token>'. The token may have been regenerated or SCIM disabled."
)


@pytest.fixture
def ada(org, scim_other) -> Person:
    return person_create(
        org=org, user_name="ada@example.com", given_name="Ada", actor=Actor.system()
    )


def assert_scim_error(r, status: int, detail: str, scim_type: str | None = None) -> None:
    assert r.status == status
    assert r.json == error(status, detail, scim_type)
    assert r.headers["Content-Type"] == "application/scim+json"


# 401 -------------------------------------------------------------------------------------


def test_missing_token_is_401(scim, scim_other):
    r = ScimClient("", authorization="").get("Users")
    assert_scim_error(r, 401, AUTH_DETAIL)
    assert r.headers["WWW-Authenticate"] == 'Bearer realm="KisiSCIM"'


@pytest.mark.parametrize(
    "authorization", ["Bearer kscim_wrong", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer a b"]
)
def test_a_wrong_token_is_401(scim, scim_other, authorization):
    r = ScimClient("", authorization=authorization).get("Users")
    assert_scim_error(r, 401, AUTH_DETAIL)


def revoked_detail(raw: str) -> str:
    return (
        f"The SCIM token kscim_…{raw[-4:]} was revoked. Paste the current token from "
        "Settings → SSO & SCIM into Okta."
    )


def test_a_revoked_token_is_401_and_says_so(scim, org, scim_other):
    scim_token_generate(org=org, actor=Actor.system())
    assert_scim_error(scim.get("Users"), 401, revoked_detail(scim.token))
    assert scim_other.get("Users").status == 200


def test_scim_disabled_is_401(scim, org, scim_other):
    """Disabling SCIM revokes its tokens, so Okta's next request is told its token was."""
    scim_disable(org=org, actor=Actor.system())
    assert_scim_error(scim.get("Users"), 401, revoked_detail(scim.token))
    assert_scim_error(scim.post("Users", okta_user()), 401, revoked_detail(scim.token))
    assert not Person.objects.filter(org=org).exists()
    assert scim_other.get("Users").status == 200


def test_sso_disabled_is_401(scim, org, scim_other):
    sso_disable(org=org, actor=Actor.system())
    assert_scim_error(scim.get("Users"), 401, AUTH_DETAIL)
    assert scim_other.get("Users").status == 200


@pytest.mark.parametrize("form", ["Bearer Bearer {t}", "{t}", "bearer {t}", "  Bearer   {t} "])
def test_doubled_bearer_and_bare_tokens_are_accepted(scim, scim_other, form):
    client = ScimClient(scim.token, authorization=form.format(t=scim.token))
    r = client.get("Users")
    assert (r.status, r.json) == (200, listing([]))


# 404 and routing -------------------------------------------------------------------------


@pytest.mark.parametrize("resource", ["Users", "Groups"])
@pytest.mark.parametrize("bad_id", ["010101001010101011001010101011", "00919288221112222", "%00"])
def test_unknown_ids_are_404(scim, scim_other, ada, resource, bad_id):
    kind = resource[:-1]
    for method in ("GET", "PUT", "PATCH", "DELETE"):
        body = patch({"op": "replace", "value": {"active": False}}) if method == "PATCH" else None
        if method == "PUT":
            body = okta_user() if kind == "User" else {"displayName": "x"}
        r = scim.request(method, f"{resource}/{bad_id}", body)
        if bad_id == "%00":  # a NUL (PostgreSQL refuses it in queries): the detail quotes it
            assert (r.status, r.json["status"], r.json["schemas"]) == (404, "404", [ERROR_SCHEMA])
            assert r.json["detail"].startswith(f"{kind} ")
            continue
        assert_scim_error(r, 404, f"{kind} {bad_id} not found.")


@pytest.mark.parametrize(
    "path", ["/scim/v2/Foo", "/scim/v2/Foo/", "/scim/v2/", "/scim/v2/Users/x/y", "/scim/v2/Foo/1"]
)
@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
def test_unknown_paths_are_404(scim, scim_other, path, method):
    r = scim.request(method, path, {} if method == "POST" else None)
    assert_scim_error(r, 404, f"No SCIM resource at {path}.")


def test_every_route_answers_with_and_without_a_trailing_slash(scim, scim_other, ada, org):
    group = group_create(org=org, display_name="Door A", actor=Actor.system())
    gets = [
        "Users",
        f"Users/{ada.scim_id}",
        "Groups",
        f"Groups/{group.scim_id}",
        "ServiceProviderConfig",
        "ResourceTypes",
        "ResourceTypes/User",
        "Schemas",
        "Schemas/urn:ietf:params:scim:schemas:core:2.0:User",
    ]
    for path in gets:
        plain, slashed = scim.get(path), scim.get(path + "/")
        assert (plain.status, slashed.status) == (200, 200), path
        assert plain.json == slashed.json
    r = scim.post("Users/", okta_user("slash@example.com"))
    assert r.status == 201
    uid = r.json["id"]
    assert scim.put(f"Users/{uid}/", okta_user("slash@example.com")).status == 200
    r = scim.patch(f"Users/{uid}/", patch({"op": "replace", "path": "active", "value": False}))
    assert (r.status, r.json["active"]) == (200, False)
    assert scim.delete(f"Users/{uid}/").status == 204
    r = scim.post("Groups/", {"schemas": [GROUP_SCHEMA], "displayName": "Door B"})
    gid = r.json["id"]
    assert r.status == 201
    assert scim.put(f"Groups/{gid}/", {"displayName": "Door C"}).status == 200
    assert scim.patch(f"Groups/{gid}/", patch({"op": "replace", "value": {}})).status == 204
    assert scim.delete(f"Groups/{gid}/").status == 204
    search = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"]}
    for path in ("Users/.search", "Groups/.search", ".search"):
        assert scim.post(path, search).status == 200
        assert scim.post(path + "/", search).status == 200


# 405 -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("DELETE", "ServiceProviderConfig", "GET"),
        ("POST", "ServiceProviderConfig/", "GET"),
        ("PUT", "Schemas", "GET"),
        ("GET", "Users/.search", "POST"),
        ("OPTIONS", "Users", "GET, POST"),
    ],
)
def test_methods_not_allowed_are_405(scim, scim_other, method, path, allow):
    r = scim.request(method, path)
    assert_scim_error(r, 405, f"{method} is not supported here ({allow}).")
    assert r.headers["Allow"] == allow


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "Users/{uid}"),
        ("PUT", "Users"),
        ("PATCH", "Users"),
        ("DELETE", "Users"),
        ("DELETE", "Groups"),
    ],
)
def test_methods_on_the_wrong_kind_of_resource_are_405(scim, scim_other, ada, method, path):
    before = org_snapshot(ada.org)
    r = scim.request(method, path.format(uid=ada.scim_id), okta_user("x@example.com"))
    assert r.status == 405
    assert r.json["schemas"] == error(405, "")["schemas"]
    assert (r.json["status"], r.json["detail"].startswith(f"{method} is not supported")) == (
        "405",
        True,
    )
    assert "Allow" in r.headers
    assert org_snapshot(ada.org) == before


# 413 and 415 -----------------------------------------------------------------------------


@override_settings(SCIM_MAX_BODY_BYTES=200)
def test_a_body_over_the_limit_is_413_and_changes_nothing(scim, scim_other, ada):
    before = org_snapshot(ada.org)
    body = okta_user("big@example.com", displayName="x" * 300)
    assert_scim_error(scim.post("Users", body), 413, "The request body is larger than 200 bytes.")
    r = scim.put(f"Users/{ada.scim_id}", body)
    assert_scim_error(r, 413, "The request body is larger than 200 bytes.")
    assert org_snapshot(ada.org) == before
    assert scim.post("Users", {"userName": "small@example.com"}).status == 201


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", "multipart/form-data"])
def test_a_body_that_is_not_json_is_415(scim, scim_other, ada, content_type):
    before = org_snapshot(ada.org)
    r = scim.request(
        "POST", "Users", raw=json.dumps(okta_user("t@example.com")), content_type=content_type
    )
    assert_scim_error(
        r,
        415,
        f"Unsupported Content-Type {content_type!r}: send application/scim+json "
        "or application/json.",
    )
    assert org_snapshot(ada.org) == before


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "application/scim+json",
        "application/scim+json; charset=utf-8",
        "application/json; charset=UTF-8",
    ],
)
def test_json_content_types_are_accepted_and_answers_are_scim_json(scim, scim_other, content_type):
    r = scim.request("POST", "Users", okta_user("ct@example.com"), content_type=content_type)
    assert r.status == 201
    assert r.headers["Content-Type"] == "application/scim+json"
    assert r.json == user_doc(r.json["id"])


# 400: bodies -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "detail"),
    [
        ("{", "The request body is not valid JSON: Expecting property name enclosed in "
         "double quotes."),
        ('{"userName": "a",}', "The request body is not valid JSON: Expecting property name "
         "enclosed in double quotes."),
        ("", "The request body must be a JSON object."),
        ("[]", "The request body must be a JSON object."),
        ('[{"userName": "a@example.com"}]', "The request body must be a JSON object."),
        ('"userName"', "The request body must be a JSON object."),
        ("null", "The request body must be a JSON object."),
        (b"\xff\xfe", "The request body is not UTF-8."),
    ],
)  # fmt: skip
def test_malformed_bodies_are_400_invalid_syntax_and_change_nothing(
    scim, scim_other, ada, raw, detail
):
    before = org_snapshot(ada.org)
    for method, path in (
        ("POST", "Users"),
        ("PUT", f"Users/{ada.scim_id}"),
        ("PATCH", f"Users/{ada.scim_id}"),
        ("POST", "Groups"),
    ):
        r = scim.request(method, path, raw=raw)
        assert_scim_error(r, 400, detail, "invalidSyntax")
    assert org_snapshot(ada.org) == before


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"userName": ["a"]}, "'userName' must be a string, not list."),
        ({"userName": True}, "'userName' must be a string, not a boolean."),
        ({"userName": "a@x", "active": "maybe"}, "'active' must be a boolean (true or false), "
         "not 'maybe'."),
        ({"userName": "a@x", "name": "Ada"}, "'name' must be an object."),
        ({"userName": "a@x", "emails": "a@x"}, "'emails' must be a list of email objects."),
        ({"userName": "a@x", "emails": ["a@x"]}, "Each email must be an object with a 'value'."),
        ({"userName": "a@x", "emails": [{"value": 5, "primary": "yes"}]},
         "'emails.primary' must be a boolean (true or false), not 'yes'."),
        ({"userName": "a@x", "externalId": {"id": 1}}, "'externalId' must be a string, not dict."),
        ({"userName": "x" * 300}, "user_name is longer than 255 characters."),
    ],
)  # fmt: skip
def test_wrong_types_are_400_and_change_nothing(scim, scim_other, ada, body, detail):
    before = org_snapshot(ada.org)
    assert_scim_error(scim.post("Users", body), 400, detail, "invalidValue")
    assert_scim_error(scim.put(f"Users/{ada.scim_id}", body), 400, detail, "invalidValue")
    assert org_snapshot(ada.org) == before


@pytest.mark.parametrize(
    ("body", "detail", "scim_type"),
    [
        ({}, "A PATCH body needs a non-empty 'Operations' array.", "invalidSyntax"),
        ({"Operations": []}, "A PATCH body needs a non-empty 'Operations' array.", "invalidSyntax"),
        ({"Operations": {"op": "add"}}, "A PATCH body needs a non-empty 'Operations' array.",
         "invalidSyntax"),
        ({"Operations": ["add"]}, "Operation 0 is not an object.", "invalidSyntax"),
        ({"Operations": [{"op": "move", "path": "active"}]},
         "Operation 0 needs 'op' add, remove or replace, not 'move'.", "invalidSyntax"),
        ({"Operations": [{"op": "replace", "path": 5, "value": 1}]},
         "Operation 0 has a non-string 'path'.", "invalidPath"),
        ({"Operations": [{"op": "replace", "value": [1]}]}, "'value' must be an object.",
         "invalidValue"),
        ({"Operations": [{"op": "replace", "path": "active", "value": None}]},
         "'active' must be a boolean (true or false), not None.", "invalidValue"),
        ({"Operations": [{"op": "remove", "path": "userName"}]},
         "'userName' is required and cannot be removed.", "mutability"),
        ({"Operations": [{"op": "replace", "path": "emails[type eq]", "value": "x"}]},
         "Invalid value filter in PATCH path 'emails[type eq]'.", "invalidFilter"),
    ],
)  # fmt: skip
def test_bad_patch_bodies_are_400_and_change_nothing(
    scim, scim_other, ada, body, detail, scim_type
):
    before = org_snapshot(ada.org)
    assert_scim_error(scim.patch(f"Users/{ada.scim_id}", body), 400, detail, scim_type)
    assert org_snapshot(ada.org) == before


# The middleware, for errors from outside the SCIM views ----------------------------------


@pytest.mark.parametrize(
    ("inner", "status", "detail"),
    [
        (lambda: HttpResponseServerError("<h1>Server Error (500)</h1>"), 500,
         "The server could not complete the request. It has been logged; try again later."),
        (lambda: HttpResponseNotFound("Not Found", content_type="text/plain"), 404,
         "Not found."),
        (lambda: HttpResponse('{"detail": "x"}', status=502, content_type="application/json"),
         502, "The request failed."),
        (lambda: HttpResponse('{"detail": "x"}', status=409,
                              content_type="application/scim+json"), 409, "The request failed."),
    ],
)  # fmt: skip
def test_the_middleware_turns_any_error_into_a_scim_error_and_logs_it(
    scim_other, inner, status, detail
):
    middleware = ScimRequestMiddleware(lambda request: inner())
    request = RequestFactory().post(
        "/scim/v2/Users?x=1",
        data='{"userName": "a", "password": "hunter2"}',
        content_type="application/scim+json",
        HTTP_USER_AGENT="Okta SCIM Client 1.0.0",
    )
    before = ProvisioningLogEntry.objects.count()
    response = middleware(request)
    assert response.status_code == status
    assert response["Content-Type"] == "application/scim+json"
    assert json.loads(response.content) == error(status, detail)
    assert ProvisioningLogEntry.objects.count() == before + 1
    entry = ProvisioningLogEntry.objects.order_by("-id").first()
    assert (entry.org, entry.method, entry.path, entry.query, entry.status, entry.outcome) == (
        None,
        "POST",
        "/scim/v2/Users",
        "x=1",
        status,
        detail,
    )
    assert "hunter2" not in entry.request_body


def test_the_middleware_keeps_scim_errors_and_leaves_other_paths_alone(scim_other):
    scim_error = HttpResponse(
        json.dumps(error(409, "taken", "uniqueness")),
        status=409,
        content_type="application/scim+json",
    )
    middleware = ScimRequestMiddleware(lambda request: scim_error)
    before = ProvisioningLogEntry.objects.count()
    assert middleware(RequestFactory().get("/scim/v2/Users")) is scim_error
    html = HttpResponseNotFound("<h1>Not Found</h1>")
    middleware = ScimRequestMiddleware(lambda request: html)
    assert middleware(RequestFactory().get("/people/")) is html
    assert ProvisioningLogEntry.objects.count() == before + 1


# NUL characters (PostgreSQL refuses them in text: they must never reach a query) ----------


def test_nul_characters_are_refused_with_a_400_and_change_nothing(scim, scim_other, ada, org):
    group = group_create(
        org=org, display_name="Door A", member_ids=[ada.scim_id], actor=Actor.system()
    )
    before = org_snapshot(org)
    assert_scim_error(
        scim.post("Users", {"userName": "a\x00b@example.com"}),
        400,
        "'userName' contains a NUL character.",
        "invalidValue",
    )
    assert_scim_error(
        scim.put(f"Users/{ada.scim_id}", {"userName": "ada", "emails": [{"value": "a\x00"}]}),
        400,
        "'emails.value' contains a NUL character.",
        "invalidValue",
    )
    for resource in ("Users", "Groups"):
        r = scim.get(f'{resource}?filter=id eq "a%00"')
        assert_scim_error(r, 400, "The filter contains a NUL character.", "invalidFilter")
    for body in (
        patch({"op": "add", "path": "members", "value": [{"value": "\x00"}]}),
        patch({"op": "remove", "path": 'members[value eq "\x00"]'}),
    ):
        assert_scim_error(
            scim.patch(f"Groups/{group.scim_id}", body),
            400,
            "No person with id \x00 exists in this organization.",
            "invalidValue",
        )
    assert org_snapshot(org) == before


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("POST", "Users/{id}", "GET, PUT, PATCH, DELETE"),
        ("PUT", "Users", "GET, POST"),
        ("DELETE", "Groups/", "GET, POST"),
        ("POST", "ServiceProviderConfig", "GET"),
    ],
)
def test_405_names_only_the_methods_that_work_there(scim, org, method, path, allow):
    uid = scim.post("Users", {"userName": "allow@acme.example.com"}).json["id"]
    r = scim.request(method, path.format(id=uid), {"userName": "x"})
    assert r.status == 405
    assert r.headers["Allow"] == allow
    assert r.json["status"] == "405"


@pytest.mark.parametrize(("method", "path"), [("GET", "Me"), ("POST", "Bulk"), ("PATCH", "Me/")])
def test_me_and_bulk_are_501(scim, method, path):
    r = scim.request(method, path, {"schemas": [], "Operations": []})
    assert r.status == 501
    assert r.json["schemas"] == [ERROR_SCHEMA]
    assert r.json["status"] == "501"
