"""Who is calling the SCIM endpoint, and whether they may right now.

`ScimTokenAuthCheck` replaces django-scim2's default check (which accepts any session-logged-in
account) through the AUTH_CHECK_MIDDLEWARE setting. Before any view code runs it answers:
401 for a missing, wrong or revoked token (or SCIM/SSO off), 429 past the per-token rate
limit, 413 for oversized bodies and 415 for bodies that are not JSON. Each is a SCIM error.
"""

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django_scim.middleware import SCIMAuthCheckMiddleware

from kisiscim.counters import window_hit, window_peek
from kisiscim.http import client_address
from provisioning.models import ScimToken
from provisioning.scim.errors import scim_error_response
from provisioning.services.tokens import TokenCheck, scim_token_check

JSON_MEDIA_TYPES = ("application/scim+json", "application/json")
BODY_METHODS = ("POST", "PUT", "PATCH")
RATE_WINDOW_SECONDS = 60

logger = logging.getLogger(__name__)


def _unauthenticated_key(address: str | None) -> str:
    return f"scim:unauth:{address or 'unknown'}"


def unauthenticated_throttled(request: HttpRequest) -> int | None:
    """Before authentication: whether the caller's address has used up its budget of
    unauthenticated requests (SCIM_UNAUTHENTICATED_RATE_LIMIT per minute, counted in the shared
    cache). Returns the seconds until the window resets, or None. Costs no database query.

    Only the first throttled request of a window is written to the provisioning log; a flood
    past it leaves one warning in the server log and nothing on disk.
    """
    limit = settings.SCIM_UNAUTHENTICATED_RATE_LIMIT
    if not limit:
        return None
    key = _unauthenticated_key(request.scim_client_address)  # type: ignore[attr-defined]
    if window_peek(key, window_seconds=RATE_WINDOW_SECONDS) < limit:
        return None
    hit = window_hit(key, window_seconds=RATE_WINDOW_SECONDS)
    if hit.count > limit + 1:
        request.scim_log_skip = True  # type: ignore[attr-defined]
    else:
        logger.warning(
            "Throttling unauthenticated SCIM requests from %s for this minute.",
            request.scim_client_address,  # type: ignore[attr-defined]
        )
    return max(1, int(hit.resets_in + 0.999))


def unauthenticated_note(request: HttpRequest) -> None:
    """Count a request that failed authentication against its address's budget."""
    if settings.SCIM_UNAUTHENTICATED_RATE_LIMIT:
        key = _unauthenticated_key(request.scim_client_address)  # type: ignore[attr-defined]
        window_hit(key, window_seconds=RATE_WINDOW_SECONDS)


def rate_limit_hit(token: ScimToken, *, now: float | None = None) -> int | None:
    """Count one request against the token's per-minute budget (SCIM_RATE_LIMIT).

    Returns None while within budget, else the seconds until the window resets. The counter
    lives in the cache (Redis in production), so every web process shares it.
    """
    limit = settings.SCIM_RATE_LIMIT
    if not limit:
        return None
    hit = window_hit(f"scim:rate:{token.pk}", window_seconds=RATE_WINDOW_SECONDS, now=now)
    if hit.count <= limit:
        return None
    return max(1, int(hit.resets_in + 0.999))


class ScimTokenAuthCheck(SCIMAuthCheckMiddleware):
    """django-scim2's auth-check hook, resolving the org from the bearer token."""

    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        request.scim_client_address = client_address(request)  # type: ignore[attr-defined]
        retry_after = unauthenticated_throttled(request)
        if retry_after is not None:
            response = scim_error_response(
                429,
                "Too many unauthenticated requests from this address. "
                f"Retry after {retry_after} seconds.",
            )
            response["Retry-After"] = str(retry_after)
            return response
        check = scim_token_check(
            request.headers.get("Authorization"), user_agent=request.headers.get("User-Agent", "")
        )
        if not check.ok:
            if check.org is None:
                unauthenticated_note(request)
            return self._refused(request, check)
        token = check.token
        request.scim_org = check.org  # type: ignore[attr-defined]
        request.scim_token = token  # type: ignore[attr-defined]

        retry_after = rate_limit_hit(token)
        if retry_after is not None:
            response = scim_error_response(
                429,
                f"Too many requests for this token (limit {settings.SCIM_RATE_LIMIT} per "
                f"minute). Retry after {retry_after} seconds.",
            )
            response["Retry-After"] = str(retry_after)
            return response

        if request.method in BODY_METHODS:
            return self._check_body(request)
        return None

    def _refused(self, request: HttpRequest, check: TokenCheck) -> HttpResponse:
        """401, saying why. A token of an org's that is revoked or expired is recorded in
        that org's provisioning log as a rejected request, so the owner sees that Okta still
        uses it."""
        token = check.token
        if token is not None and check.refusal in (TokenCheck.REVOKED, TokenCheck.EXPIRED):
            request.scim_org = check.org  # type: ignore[attr-defined]
            request.scim_token = token  # type: ignore[attr-defined]
            request.scim_rejected = check.refusal  # type: ignore[attr-defined]
            request.scim_outcome = f"Rejected: {check.refusal} token {token.masked}"  # type: ignore[attr-defined]
            if check.refusal == TokenCheck.EXPIRED:
                detail = (
                    f"The SCIM token {token.masked} expired on {token.expires_at:%Y-%m-%d}. "
                    "Generate a new one in Settings → SSO & SCIM and paste it into Okta."
                )
            else:
                detail = (
                    f"The SCIM token {token.masked} was revoked. Paste the current token from "
                    "Settings → SSO & SCIM into Okta."
                )
        else:
            detail = (
                "Authentication failed: send the SCIM token from Settings → SSO & SCIM as "
                "'Authorization: Bearer <token>'. The token may have been regenerated or "
                "SCIM disabled."
            )
        response = scim_error_response(401, detail)
        response["WWW-Authenticate"] = 'Bearer realm="KisiSCIM"'
        return response

    def _check_body(self, request: HttpRequest) -> HttpResponse | None:
        limit = settings.SCIM_MAX_BODY_BYTES
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > limit:
            return scim_error_response(413, f"The request body is larger than {limit} bytes.")
        content_type = (request.content_type or "").lower()
        if content_type and content_type not in JSON_MEDIA_TYPES:
            return scim_error_response(
                415,
                f"Unsupported Content-Type {content_type!r}: send application/scim+json "
                "or application/json.",
            )
        return None

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        return response
