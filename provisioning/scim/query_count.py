"""Opt-in `X-Query-Count` on SCIM and REST API responses, for the benchmark (`make bench`).

Enabled only when KISISCIM_QUERY_COUNT_HEADER=1 (the settings add it to MIDDLEWARE then), so
production never carries it. It sits outside ScimRequestMiddleware, so the count is everything
a SCIM request costs the database: the token lookup, the view's queries, savepoints and the
provisioning log entry.
"""

from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

from django.db import connections
from django.http import HttpRequest, HttpResponse

from provisioning.scim.constants import SCIM_PREFIX

API_PREFIX = "/api/v1/"

HEADER = "X-Query-Count"


class QueryCountHeaderMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith((SCIM_PREFIX, API_PREFIX)):
            return self.get_response(request)
        count = 0

        def counter(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with ExitStack() as stack:
            for alias in connections:
                stack.enter_context(connections[alias].execute_wrapper(counter))
            response = self.get_response(request)
        response[HEADER] = str(count)
        return response
