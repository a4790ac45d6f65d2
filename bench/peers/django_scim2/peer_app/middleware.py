"""Bearer-token auth through django-scim2's AUTH_CHECK_MIDDLEWARE hook.

The library authenticates nothing itself (README: "This app does not implement
authorization and authentication"); its middleware only checks request.user with the
GET_IS_AUTHENTICATED_PREDICATE (default: `user.is_authenticated`). This subclass sets
request.user to the Token row found for `Authorization: Bearer <token>` (one indexed
lookup of its SHA-256 digest) and then runs the stock check, which answers 401 with
WWW-Authenticate when nothing was set."""

import hashlib

from django_scim.middleware import SCIMAuthCheckMiddleware

from peer_app.models import Token


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class BearerTokenSCIMAuthCheckMiddleware(SCIMAuthCheckMiddleware):
    def process_request(self, request):
        scheme, _, token = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            found = Token.objects.filter(digest=digest(token.strip())).first()
            if found is not None:
                request.user = found
        return super().process_request(request)
