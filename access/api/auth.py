"""The REST API's authentication: `Authorization: Bearer <API key>`; the key names the org.

No session and no basic authentication: the API never reads a console login, so it needs
no CSRF protection and never redirects to a login page. A missing, wrong or revoked key is
401 with `{"detail": …}` and `WWW-Authenticate: Bearer`.
"""

from typing import Any

from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from access.models import ApiKey
from access.services.api_keys import api_key_authenticate
from accounts.actor import Actor
from accounts.models import Organization


class ApiPrincipal:
    """`request.user` of an API request: the integration holding one of the org's keys."""

    is_authenticated = True
    is_anonymous = False
    is_staff = False

    def __init__(self, key: ApiKey) -> None:
        self.key = key
        self.org: Organization = key.org

    @property
    def actor(self) -> Actor:
        return Actor.of_api_key(self.key.name)

    def __str__(self) -> str:
        return f"API key {self.key.name}"


class ApiKeyAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[ApiPrincipal, ApiKey] | None:
        header = request.META.get("HTTP_AUTHORIZATION")
        if not header:
            return None
        key = api_key_authenticate(header)
        if key is None:
            raise AuthenticationFailed(
                "Invalid or revoked API key. Send 'Authorization: Bearer <API key>'."
            )
        return ApiPrincipal(key), key

    def authenticate_header(self, request: Request) -> str:
        # Makes DRF answer 401 (not 403) when no key was sent.
        return 'Bearer realm="api"'


class HasApiKey(BasePermission):
    message = "Send 'Authorization: Bearer <API key>' (Settings → API keys)."

    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.auth, ApiKey)
