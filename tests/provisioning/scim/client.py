"""A SCIM client that speaks like Okta (Django's test client with a bearer token and SCIM
content types), real tokens from the token service, and Okta's request bodies."""

import json
from dataclasses import dataclass
from typing import Any

from django.test import Client

from accounts.actor import Actor
from accounts.models import Organization
from provisioning.services.scim_config import scim_enable
from provisioning.services.tokens import scim_token_generate

OKTA_HEADERS = {
    "HTTP_ACCEPT": "application/scim+json",
    "HTTP_ACCEPT_CHARSET": "utf-8",
    "HTTP_USER_AGENT": "Okta SCIM Client 1.0.0",
}
SCIM_JSON = "application/scim+json; charset=utf-8"
BASE = "/scim/v2"


@dataclass
class ScimResponse:
    status: int
    json: Any
    headers: Any
    content: bytes


class ScimClient:
    """Django's test client with a bearer token and SCIM content types."""

    def __init__(self, token: str, *, authorization: str | None = None) -> None:
        self.client = Client()
        self.authorization = authorization if authorization is not None else f"Bearer {token}"
        self.token = token

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        content_type: str = SCIM_JSON,
        raw: bytes | str | None = None,
        **extra: Any,
    ) -> ScimResponse:
        headers = {**OKTA_HEADERS, **extra}
        if self.authorization:
            headers["HTTP_AUTHORIZATION"] = self.authorization
        url = path if path.startswith("/") else f"{BASE}/{path}"
        data = raw if raw is not None else (json.dumps(body) if body is not None else "")
        response = self.client.generic(method, url, data, content_type=content_type, **headers)
        parsed = None
        if response.content:
            parsed = json.loads(response.content)
        return ScimResponse(response.status_code, parsed, response.headers, response.content)

    def get(self, path: str, **extra: Any) -> ScimResponse:
        return self.request("GET", path, **extra)

    def post(self, path: str, body: Any, **extra: Any) -> ScimResponse:
        return self.request("POST", path, body, **extra)

    def put(self, path: str, body: Any, **extra: Any) -> ScimResponse:
        return self.request("PUT", path, body, **extra)

    def patch(self, path: str, body: Any, **extra: Any) -> ScimResponse:
        return self.request("PATCH", path, body, **extra)

    def delete(self, path: str, **extra: Any) -> ScimResponse:
        return self.request("DELETE", path, **extra)


def issue_token(org: Organization) -> str:
    scim_enable(org=org, actor=Actor.system())
    _, raw = scim_token_generate(org=org, actor=Actor.system())
    return raw


PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"


def okta_user(user_name: str = "test.user@okta.local", **overrides: Any) -> dict[str, Any]:
    """Okta's create-user body, verbatim from its SCIM 2.0 reference."""
    body = {
        "schemas": [USER_SCHEMA],
        "userName": user_name,
        "name": {"givenName": "Test", "familyName": "User"},
        "emails": [{"primary": True, "value": user_name, "type": "work"}],
        "displayName": "Test User",
        "locale": "en-US",
        "externalId": "00ujl29u0le5T6Aj10h7",
        "groups": [],
        "password": "1mz050nq",
        "active": True,
    }
    body.update(overrides)
    return body
