"""The owner's Provisioning log page: every SCIM request of the org, newest first, each row
saying in plain words what happened to whom, with filters."""

import json
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.permissions import owner_required
from provisioning.forms import LogFilterForm
from provisioning.selectors.log import provisioning_connection_stats, provisioning_log_list

PAGE_SIZE = 50
FILTERS = ("outcome", "resource", "target", "date_from", "date_to")


def _pretty(body: str) -> str:
    try:
        return json.dumps(json.loads(body), indent=2, ensure_ascii=False)
    except ValueError:
        return body


@owner_required
@require_GET
def provisioning_log(request: HttpRequest) -> HttpResponse:
    params = request.GET.copy()
    if params.get("status") == "errors" and "outcome" not in params:
        params["outcome"] = "error"  # the older "Errors only" link
    form = LogFilterForm({k: params[k] for k in FILTERS if k in params})
    form.is_valid()
    # A field that does not validate (a date typed by hand) filters nothing: the form shows
    # its error above the unfiltered rows, never a 400 or a 500.
    filters = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
    page = Paginator(provisioning_log_list(org=request.org, **filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for entry in page:
        entry.pretty_body = _pretty(entry.request_body)
        entry.pretty_response = _pretty(entry.response_body)
    return render(
        request,
        "provisioning/provisioning_log.html",
        {
            "nav": "provisioning_log",
            "page": page,
            "form": form,
            "filtered": bool(filters),
            "query": urlencode({k: params[k] for k in FILTERS if params.get(k)}),
            "stats": provisioning_connection_stats(org=request.org),
        },
    )
