"""The base of every SCIM view: csrf-exempt, authenticated by django-scim2's auth-check hook
(AUTH_CHECK_MIDDLEWARE: our bearer-token check), answering a SCIM error for every failure,
plus paging and `attributes` projection.

The views are ours, not django-scim2's SCIMView subclasses: the library's views read one
tenant-less model manager, count a list by iterating it, and render error statuses as
integers (RFC 7644 §3.12 has strings). See docs/architecture.md.
"""

import json
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import View
from django_scim.settings import scim_settings

from provisioning.scim.constants import GROUP_SCHEMA, LIST_RESPONSE, USER_SCHEMA
from provisioning.scim.errors import (
    InvalidSyntax,
    InvalidValue,
    ScimError,
    scim_error_response,
    scim_json_response,
)
from provisioning.scim.patch import get_ci

ALWAYS_RETURNED = ("schemas", "id")


def _attribute_list(raw: Any) -> set[str]:
    if raw is None or raw == "":
        return set()
    if isinstance(raw, str):
        raw = raw.split(",")
    if not isinstance(raw, list) or not all(isinstance(a, str) for a in raw):
        raise InvalidValue("'attributes' and 'excludedAttributes' are comma-separated names.")
    names = set()
    for name in raw:
        name = name.strip()
        # Fully qualified names: urn:…:User:userName → userName.
        for uri in (USER_SCHEMA, GROUP_SCHEMA):
            if name.lower().startswith(uri.lower() + ":"):
                name = name[len(uri) + 1 :]
        if name:
            names.add(name.split(".")[0].lower())
    return names


class Projection:
    """`attributes` / `excludedAttributes` (RFC 7644 §3.9), on top-level attributes."""

    def __init__(self, attributes: Any = None, excluded: Any = None) -> None:
        self.only = _attribute_list(attributes)
        self.excluded = _attribute_list(excluded) - set(ALWAYS_RETURNED)

    def wants(self, name: str) -> bool:
        name = name.lower()
        if self.only:
            return name in self.only or name in ALWAYS_RETURNED
        return name not in self.excluded

    def apply(self, doc: dict[str, Any]) -> dict[str, Any]:
        if not self.only and not self.excluded:
            return doc  # nothing asked: every attribute (the usual request)
        return {k: v for k, v in doc.items() if self.wants(k)}


def paging(start_raw: Any, count_raw: Any) -> tuple[int, int]:
    """1-based startIndex (values below 1 mean 1) and count, capped at SCIM_MAX_PAGE_SIZE
    (RFC 7644 §3.4.2.4)."""
    start = _integer(start_raw, 1)
    count = _integer(count_raw, settings.SCIM_DEFAULT_PAGE_SIZE)
    return max(start, 1), min(max(count, 0), settings.SCIM_MAX_PAGE_SIZE)


MAX_PAGING_DIGITS = 18


def _integer(raw: Any, default: int) -> int:
    """An integer paging value: a JSON integer or a string of digits (query parameters are
    text). Booleans, fractions, infinities and absurdly long numbers are InvalidValue."""
    if raw is None or raw == "":
        return default
    if isinstance(raw, int) and not isinstance(raw, bool):
        if len(str(abs(raw))) <= MAX_PAGING_DIGITS:
            return raw
    elif isinstance(raw, float) and raw.is_integer() and abs(raw) < 10**MAX_PAGING_DIGITS:
        return int(raw)
    elif isinstance(raw, str):
        text = raw.strip()
        digits = text[1:] if text[:1] in "+-" else text
        if digits.isascii() and digits.isdigit() and len(digits) <= MAX_PAGING_DIGITS:
            return int(text)
    raise InvalidValue("'startIndex' and 'count' must be integers.")


class ScimBaseView(View):
    """Authenticates through AUTH_CHECK_MIDDLEWARE and turns every failure into a SCIM error.

    Write methods run in one transaction: a request that fails changes nothing.
    """

    http_method_names = ["get", "post", "put", "patch", "delete"]

    @method_decorator(csrf_exempt)
    @method_decorator(scim_settings.AUTH_CHECK_MIDDLEWARE)
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            if request.method in ("POST", "PUT", "PATCH", "DELETE"):
                with transaction.atomic():
                    return super().dispatch(request, *args, **kwargs)
            return super().dispatch(request, *args, **kwargs)
        except ScimError as exc:
            request.scim_outcome = exc.detail  # type: ignore[attr-defined]
            return exc.response()

    def http_method_not_allowed(
        self, request: HttpRequest, *args: Any, **kwargs: Any
    ) -> HttpResponse:
        allowed = ", ".join(self.allowed_methods())
        response = scim_error_response(405, f"{request.method} is not supported here ({allowed}).")
        response["Allow"] = allowed
        return response

    def allowed_methods(self) -> list[str]:
        return [m.upper() for m in self._allowed_methods() if m != "options"]

    def options(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.http_method_not_allowed(request, *args, **kwargs)

    def load_body(self, body: bytes) -> dict[str, Any]:
        try:
            doc = json.loads(body.decode("utf-8") or "null")
        except UnicodeDecodeError as exc:
            raise InvalidSyntax("The request body is not UTF-8.") from exc
        except json.JSONDecodeError as exc:
            raise InvalidSyntax(f"The request body is not valid JSON: {exc.msg}.") from exc
        except RecursionError as exc:
            raise InvalidSyntax("The request body is nested too deeply.") from exc
        except ValueError as exc:
            # Python refuses integers of more than 4,300 digits (CVE-2020-10735).
            raise InvalidValue("The request body holds a number too large to read.") from exc
        if not isinstance(doc, dict):
            raise InvalidSyntax("The request body must be a JSON object.")
        if _has_lone_surrogate(doc):
            # JSON's \ud800 escapes decode to text no database can store (PostgreSQL refuses
            # it, and the write would fail half-way): refused before anything is written.
            raise InvalidValue(
                "The request body contains invalid Unicode (a lone surrogate escape)."
            )
        return doc

    def note(self, text: str) -> None:
        self.request.scim_outcome = text  # type: ignore[attr-defined]

    def projection(self, source: Any) -> Projection:
        return Projection(get_ci(source, "attributes"), get_ci(source, "excludedAttributes"))


def _has_lone_surrogate(doc: Any) -> bool:
    """Whether any key or string in the parsed document is not encodable as UTF-8."""
    stack = [doc]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
    return False


def list_response(resources: list[dict[str, Any]], total: int, start: int) -> HttpResponse:
    """A ListResponse (RFC 7644 §3.4.2) with integer counters, as Okta requires."""
    return scim_json_response(
        {
            "schemas": [LIST_RESPONSE],
            "totalResults": total,
            "itemsPerPage": len(resources),
            "startIndex": start,
            "Resources": resources,
        }
    )
