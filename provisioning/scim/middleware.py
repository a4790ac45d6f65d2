"""The outermost layer of /scim/v2/: every request is recorded in the provisioning log, and
every error leaves as a SCIM error body, whatever produced it (a Django 404 or 500 too)."""

import json
import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from provisioning.scim.auth import client_address
from provisioning.scim.constants import SCIM_CONTENT_TYPE, SCIM_PREFIX
from provisioning.scim.errors import scim_error_response
from provisioning.scim.redaction import body_for_log, response_body_for_log
from provisioning.services.log import provisioning_log_record

logger = logging.getLogger(__name__)

_GENERIC_DETAIL = {
    400: "Bad request.",
    404: "Not found.",
    405: "Method not allowed.",
    413: "The request body is too large.",
    500: "The server could not complete the request. It has been logged; try again later.",
}


_NOT_STORED = "[body not stored: see the server log]"


class ScimRequestMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(SCIM_PREFIX):
            return self.get_response(request)
        started = time.monotonic()
        if len(request.get_full_path()) > settings.SCIM_MAX_URL_LENGTH:
            # A proxy or gunicorn (--limit-request-line) may refuse longer URLs first, with
            # HTML: the README says how to set them above this limit so this answer wins.
            response = scim_error_response(
                414,
                f"The request URL is longer than {settings.SCIM_MAX_URL_LENGTH} characters; "
                "send a long filter in the body of POST …/.search instead.",
            )
        else:
            response = self.get_response(request)
        if response.status_code >= 400 and not _is_scim_json(response):
            detail = _GENERIC_DETAIL.get(response.status_code, "The request failed.")
            replacement = scim_error_response(response.status_code, detail)
            for header in ("Retry-After", "Allow", "WWW-Authenticate"):
                if header in response:
                    replacement[header] = response[header]
            response = replacement
        if getattr(request, "scim_log_skip", False):
            return response  # a throttled flood: its first request of the window is logged
        duration_ms = int((time.monotonic() - started) * 1000)
        address = getattr(request, "scim_client_address", None) or client_address(request)
        try:
            body = body_for_log(request, max_body_bytes=settings.SCIM_MAX_BODY_BYTES)
        except Exception:  # the body is the only part that may fail to render
            logger.exception("Could not render the request body for the provisioning log.")
            body = _NOT_STORED
        try:
            answer = response_body_for_log(response, method=request.method or "GET")
        except Exception:
            logger.exception("Could not render the response body for the provisioning log.")
            answer = _NOT_STORED
        for attempt_body, attempt_answer in ((body, answer), (_NOT_STORED, _NOT_STORED)):
            try:
                provisioning_log_record(
                    request=request,
                    response=response,
                    duration_ms=duration_ms,
                    body=attempt_body,
                    response_body=attempt_answer,
                    client_address=address,
                )
                break
            except Exception:  # the log must never fail the IdP's request; retry without body
                logger.exception("Could not write the provisioning log entry.")
        return response


def _is_scim_json(response: HttpResponse) -> bool:
    if not response.get("Content-Type", "").startswith(SCIM_CONTENT_TYPE):
        return False
    try:
        return "schemas" in json.loads(response.content)
    except (ValueError, AttributeError):
        return False
