"""JSON bodies, bounded: at most API_MAX_BODY_BYTES (413 above), UTF-8, any depth refused
cleanly (Python's decoder raises RecursionError on JSON nested 100,000 deep, which DRF's
own parser would let through as a 500)."""

import json
from typing import Any

from django.conf import settings
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser


class BodyTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "too_large"


class StrictJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        limit = settings.API_MAX_BODY_BYTES
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise BodyTooLarge(f"The request body is larger than {limit} bytes.")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ParseError("The request body is not UTF-8.") from exc
        try:
            # No NaN or Infinity: they are not JSON (RFC 8259).
            return json.loads(text, parse_constant=_refuse_constant)
        except RecursionError as exc:
            raise ParseError("The request body is nested too deeply.") from exc
        except ValueError as exc:
            raise ParseError(f"The request body is not valid JSON: {exc}") from exc


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")
