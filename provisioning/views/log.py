"""The owner's Provisioning log page: every SCIM request of the org, newest first."""

import json

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.permissions import owner_required
from provisioning.selectors.log import provisioning_connection_stats, provisioning_log_list

PAGE_SIZE = 50


def _pretty(body: str) -> str:
    try:
        return json.dumps(json.loads(body), indent=2, ensure_ascii=False)
    except ValueError:
        return body


@owner_required
@require_GET
def provisioning_log(request: HttpRequest) -> HttpResponse:
    errors_only = request.GET.get("status") == "errors"
    page = Paginator(
        provisioning_log_list(org=request.org, errors_only=errors_only), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    for entry in page:
        entry.pretty_body = _pretty(entry.request_body)
    return render(
        request,
        "provisioning/provisioning_log.html",
        {
            "nav": "provisioning_log",
            "page": page,
            "errors_only": errors_only,
            "query": "status=errors" if errors_only else "",
            "stats": provisioning_connection_stats(org=request.org),
        },
    )
