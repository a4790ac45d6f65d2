"""The org's audit trail for its owners and admins: who did what, filtered, and as CSV."""

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.models import AuditEvent
from accounts.permissions import owner_or_admin_required
from accounts.selectors.audit import audit_action_list, audit_event_list
from console.forms import AuditFilterForm
from console.selectors import actor_words
from kisiscim.csv_export import csv_lines

PAGE_SIZE = 50
EXPORT_COLUMNS = ["time (UTC)", "who", "actor kind", "action", "target type", "target id",
                  "target", "details"]  # fmt: skip
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).


def _filters(request: HttpRequest) -> tuple[AuditFilterForm, dict[str, Any]]:
    """The form and the selector's filters: what is valid of it (a bad date drops only
    itself). Dates are whole UTC days, the end day included."""
    form = AuditFilterForm(request.GET or None)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    since, until = data.get("since"), data.get("until")
    return form, {
        "actor": data.get("actor", ""),
        "action": data.get("action", ""),
        "target": data.get("target", ""),
        "since": dt.datetime.combine(since, dt.time(), dt.UTC) if since else None,
        "until": (
            dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), dt.UTC) if until else None
        ),
    }


@require_GET
@owner_or_admin_required
def audit_trail(request: HttpRequest) -> HttpResponse:
    form, filters = _filters(request)
    events = audit_event_list(org=request.org, **filters)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "console/audit_trail.html",
        {
            "form": form,
            "page": page,
            "rows": [(e, actor_words(e), details_pairs(e.details)) for e in page],
            "actions": audit_action_list(org=request.org),
            "query": query.urlencode(),
            "filtered": bool(query),
            "nav": "audit",
        },
    )


def _detail_text(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_detail_text(v) for v in value) or "none"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_detail_text(v)}" for k, v in value.items()) or "none"
    return str(value)


def details_pairs(details: dict[str, Any] | None) -> list[tuple[str, str]]:
    """An event's details as the page shows them: readable words, each value cut short (the
    CSV export keeps them whole)."""
    pairs = []
    for key, value in (details or {}).items():
        text = _detail_text(value)
        pairs.append((key.replace("_", " "), text if len(text) <= 120 else f"{text[:119]}…"))
    return pairs


def _csv_rows(events: Any) -> Iterator[tuple[object, ...]]:
    yield tuple(EXPORT_COLUMNS)
    for e in events.iterator(chunk_size=500):
        yield (
            e.created_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S"),
            actor_words(e),
            e.actor_kind,
            e.action,
            e.target_type,
            e.target_id,
            e.target_label,
            _details_text(e),
        )


def _details_text(event: AuditEvent) -> str:
    return json.dumps(event.details, ensure_ascii=False, sort_keys=True) if event.details else ""


@require_GET
@owner_or_admin_required
def audit_export_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The filtered trail as CSV, streamed (any size, constant memory)."""
    _, filters = _filters(request)
    events = audit_event_list(org=request.org, **filters)
    response = StreamingHttpResponse(
        csv_lines(_csv_rows(events)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="audit-{request.org.slug}-{timezone.now():%Y%m%d}.csv"'
    )
    response["Cache-Control"] = "no-store"
    return response
