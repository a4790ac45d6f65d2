"""The Cleanup audit page: open findings, bulk delete or keep, CSV export, the history of
decisions; the owner's threshold setting. Thin: check the role,
validate a form, call one service."""

from collections.abc import Iterator

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from access.selectors import people_doors_would_regain, people_last_door_use
from accounts.actor import Actor
from accounts.permissions import owner_or_admin_required, owner_required
from kisiscim.csv_export import csv_lines
from provisioning.forms import CleanupDecisionForm, CleanupThresholdForm, FindingIdsField
from provisioning.models import CleanupFinding
from provisioning.selectors.cleanup import (
    cleanup_finding_history,
    cleanup_finding_list_all,
    cleanup_finding_list_for_ids,
    cleanup_finding_list_open,
)
from provisioning.services.cleanup import (
    cleanup_findings_delete,
    cleanup_findings_keep,
    cleanup_threshold_set,
)

PAGE_SIZE = 100
HISTORY_SIZE = 50
REASON_MAX = CleanupDecisionForm.base_fields["reason"].max_length


def _people(n: int) -> str:
    return ngettext("%(n)d person", "%(n)d people", n) % {"n": n}


def _ticked(request: HttpRequest) -> set[int]:
    """The finding ids ticked in a submitted form, ignoring anything that is no id."""
    ids = set()
    for value in request.POST.getlist("findings")[: FindingIdsField.max_selection]:
        if value.isdigit() and len(value) < 19:
            ids.add(int(value))
    return ids


def _render_audit(
    request: HttpRequest,
    *,
    page_number: str | None,
    ticked: set[int] | None = None,
    reason: str = "",
    status: int = 200,
) -> HttpResponse:
    """The audit page; after a refused decision, with the owner's ticks and reason kept."""
    org = request.org
    page = Paginator(cleanup_finding_list_open(org=org), PAGE_SIZE).get_page(page_number)
    # What reactivating each person would give back, and when they last used a door: two
    # queries for the whole page, to help decide.
    people = [f.person for f in page if f.person is not None]
    regain = people_doors_would_regain(org=org, people=people)
    last_use = people_last_door_use(org=org, person_ids=[p.pk for p in people])
    for finding in page:
        finding.would_regain = regain.get(finding.person_id, [])
        finding.last_door_use = last_use.get(finding.person_id)
        finding.ticked = finding.pk in (ticked or ())
    return render(
        request,
        "provisioning/cleanup_audit.html",
        {
            "page": page,
            "query": "",
            "reason": reason,
            "history": cleanup_finding_history(org=org).select_related("decided_by")[:HISTORY_SIZE],
            "reason_max": REASON_MAX,
            "nav": "cleanup",
        },
        status=status,
    )


def _refused(request: HttpRequest, errors: list[str]) -> HttpResponse:
    """A decision that could not be made: say why on the same page, the ticks still there."""
    for error in errors:
        messages.error(request, error)
    return _render_audit(
        request,
        page_number=request.POST.get("page"),
        ticked=_ticked(request),
        reason=request.POST.get("reason", "")[:REASON_MAX],
        status=400,
    )


@require_GET
@owner_or_admin_required
def cleanup_audit(request: HttpRequest) -> HttpResponse:
    return _render_audit(request, page_number=request.GET.get("page"))


@require_POST
@owner_or_admin_required
def cleanup_decide(request: HttpRequest) -> HttpResponse:
    """Delete (after a confirmation page naming the count) or keep the ticked findings."""
    org = request.org
    form = CleanupDecisionForm(request.POST)
    if not form.is_valid():
        return _refused(request, [error for errors in form.errors.values() for error in errors])
    ids = form.cleaned_data["findings"]
    if form.cleaned_data["action"] == "keep":
        try:
            kept = cleanup_findings_keep(
                org=org,
                finding_ids=ids,
                actor=Actor.of(request.user),
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            return _refused(request, [" ".join(exc.messages)])
        else:
            messages.success(
                request,
                f"Kept {_people(kept)}. They are not flagged again until they are suspended anew.",
            )
        return redirect("cleanup:audit", org_slug=org.slug)
    if not form.cleaned_data["confirm"]:
        findings = list(cleanup_finding_list_for_ids(org=org, ids=ids))
        if not findings:
            messages.error(request, "Those findings were already decided.")
            return redirect("cleanup:audit", org_slug=org.slug)
        return render(
            request,
            "provisioning/cleanup_confirm_delete.html",
            {"findings": findings, "count": len(findings), "nav": "cleanup"},
        )
    deleted = cleanup_findings_delete(org=org, finding_ids=ids, actor=Actor.of(request.user))
    skipped = len(ids) - deleted
    messages.success(request, f"Deleted {_people(deleted)} permanently.")
    if skipped:
        messages.warning(
            request,
            f"{_people(skipped)} not deleted: already decided, or reactivated in the meantime.",
        )
    return redirect("cleanup:audit", org_slug=org.slug)


CSV_HEADER = [
    "userName",
    "scim_id",
    "name",
    "suspended_since",
    "days_suspended",
    "groups",
    "status",
    "flagged_at",
    "decided_by",
    "decided_at",
    "reason",
]


def _csv_rows(findings: Iterator[CleanupFinding]) -> Iterator[tuple[object, ...]]:
    yield tuple(CSV_HEADER)
    for f in findings:
        person = f.person
        yield (
            f.user_name,
            f.scim_id,
            person.full_name if person else "",
            f.suspended_at.isoformat(),
            f.days_suspended,
            "; ".join(g.display_name for g in person.groups.all()) if person else "",
            f.status,
            f.flagged_at.isoformat(),
            f.decided_by_label,
            f.decided_at.isoformat() if f.decided_at else "",
            f.reason,
        )


@require_GET
@owner_or_admin_required
def cleanup_export(request: HttpRequest) -> StreamingHttpResponse:
    """The open findings as CSV (`?status=all` adds the decided ones), streamed in chunks."""
    org = request.org
    if request.GET.get("status") == "all":
        findings = cleanup_finding_list_all(org=org)
    else:
        findings = cleanup_finding_list_open(org=org)
    response = StreamingHttpResponse(
        csv_lines(_csv_rows(findings.iterator(chunk_size=500))),
        content_type="text/csv; charset=utf-8",
    )
    stamp = timezone.now().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="cleanup-{org.slug}-{stamp}.csv"'
    return response


@require_POST
@owner_required
def cleanup_threshold(request: HttpRequest) -> HttpResponse:
    """The owner sets after how many days of suspension people are flagged."""
    org = request.org
    form = CleanupThresholdForm(request.POST)
    if form.is_valid():
        days = form.cleaned_data["days"]
        if cleanup_threshold_set(org=org, days=days, actor=Actor.of(request.user)):
            messages.success(
                request,
                ngettext(
                    "People suspended for more than %(n)d day will be flagged at the next audit.",
                    "People suspended for more than %(n)d days will be flagged at the next audit.",
                    days,
                )
                % {"n": days},
            )
    else:
        for error in form.errors.get("days", []):
            messages.error(request, f"Cleanup threshold: {error}")
    return redirect("settings", org_slug=org.slug)
