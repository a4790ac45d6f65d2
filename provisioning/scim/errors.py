"""SCIM error responses (RFC 7644 §3.12): every non-2xx answer of the endpoint is one.

`status` is a string, as the RFC's examples and Okta's SPEC test expect; `scimType` is set
where the RFC defines one. Okta shows `detail` to admins, so it says what to fix and never
carries internals.
"""

import json
from typing import Any

import orjson
from django.http import HttpResponse

from provisioning.scim.constants import ERROR_SCHEMA, SCIM_CONTENT_TYPE


def scim_json_dumps(doc: Any) -> bytes:
    """Compact UTF-8 JSON: what `json.dumps(doc, ensure_ascii=False, separators=(",", ":"))`
    writes, byte for byte, by orjson (several times faster on a page of 100 resources). A
    document orjson refuses (an integer beyond 64 bits) is written by the standard library."""
    try:
        return orjson.dumps(doc)
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()


def scim_json_response(doc: dict, *, status: int = 200) -> HttpResponse:
    """Every SCIM JSON answer of the endpoint: resources, lists, discovery, errors."""
    return HttpResponse(scim_json_dumps(doc), status=status, content_type=SCIM_CONTENT_TYPE)


def scim_error_response(status: int, detail: str, scim_type: str | None = None) -> HttpResponse:
    doc: dict = {"schemas": [ERROR_SCHEMA], "status": str(status), "detail": detail}
    if scim_type:
        doc["scimType"] = scim_type
    return scim_json_response(doc, status=status)


class ScimError(Exception):
    """Raised anywhere below a SCIM view; rendered as a SCIM error response."""

    status = 400
    scim_type: str | None = None

    def __init__(self, detail: str, *, scim_type: str | None = None, status: int | None = None):
        super().__init__(detail)
        self.detail = detail
        if scim_type is not None:
            self.scim_type = scim_type
        if status is not None:
            self.status = status

    def response(self) -> HttpResponse:
        return scim_error_response(self.status, self.detail, self.scim_type)


class InvalidValue(ScimError):
    scim_type = "invalidValue"


class InvalidSyntax(ScimError):
    scim_type = "invalidSyntax"


class InvalidFilter(ScimError):
    scim_type = "invalidFilter"


class InvalidPath(ScimError):
    scim_type = "invalidPath"


class NoTarget(ScimError):
    scim_type = "noTarget"


class Mutability(ScimError):
    scim_type = "mutability"


class Uniqueness(ScimError):
    status = 409
    scim_type = "uniqueness"


class NotFound(ScimError):
    status = 404


class TooLarge(ScimError):
    status = 413
