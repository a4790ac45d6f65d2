"""The landing page and the org's dashboard."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from access.selectors import access_decisions_daily, door_count
from accounts.models import Membership
from accounts.permissions import member_required
from accounts.selectors.orgs import membership_last_used
from accounts.selectors.people import people_counts
from console.charts import Chart, Series, stacked_bars
from provisioning.selectors.cleanup import cleanup_open_count
from provisioning.selectors.health import ScimHealth, scim_health
from provisioning.selectors.log import provisioning_daily, provisioning_log_list

CHART_DAYS = 30
RECENT_ROWS = 5


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send the account to the dashboard of the org it used last (staff without an org to the
    admin)."""
    membership = membership_last_used(account=request.user)
    if membership is not None:
        return redirect("dashboard", org_slug=membership.org.slug)
    if request.user.is_staff:
        return redirect("admin:index")
    return render(request, "console/no_org.html")


def _checklist(health: ScimHealth, *, people: int, doors: int) -> list[dict[str, object]]:
    """The set-up steps of a new org, in order, each done or not."""
    return [
        {"key": "sso", "label": "Connect single sign-on (SAML)", "done": health.sso_enabled,
         "url": "sso_scim", "hint": "Paste your identity provider's metadata, then enable SSO."},
        {"key": "scim", "label": "Turn on SCIM provisioning", "done": health.scim_enabled
         and health.usable_tokens > 0, "url": "sso_scim",
         "hint": "Enable SCIM and paste its URL and token into Okta's Provisioning tab."},
        {"key": "sync", "label": "First sync from your identity provider",
         "done": health.synced or people > 0, "url": "log",
         "hint": "In Okta, assign people to the app and push a group."},
        {"key": "doors", "label": "Add your doors", "done": doors > 0, "url": "doors",
         "hint": "Add a place and its doors, then grant a group access."},
    ]  # fmt: skip


def _charts(org: object) -> dict[str, Chart]:
    scim = provisioning_daily(org=org, days=CHART_DAYS)
    access = access_decisions_daily(org=org, days=CHART_DAYS)
    days = [d.day for d in scim]
    return {
        "requests": stacked_bars(days, [
            Series("ok", "Successful requests", [d.requests - d.errors for d in scim]),
            Series("error", "Errors", [d.errors for d in scim]),
        ]),
        "changes": stacked_bars(days, [
            Series("created", "Created", [d.created for d in scim]),
            Series("updated", "Updated", [d.updated for d in scim]),
            Series("suspended", "Suspended", [d.suspended for d in scim]),
            Series("reactivated", "Reactivated", [d.reactivated for d in scim]),
        ]),
        "access": stacked_bars([d.day for d in access], [
            Series("allowed", "Allowed", [d.allowed for d in access]),
            Series("denied", "Denied", [d.denied for d in access]),
        ]),
    }  # fmt: skip


@member_required
def dashboard(request: HttpRequest) -> HttpResponse:
    org = request.org
    is_owner = request.membership.role == Membership.Role.OWNER
    counts = people_counts(org=org)
    doors = door_count(org=org)
    health = scim_health(org=org)
    checklist = _checklist(health, people=counts["active"] + counts["suspended"], doors=doors)
    return render(
        request,
        "console/dashboard.html",
        {
            "counts": counts,
            "doors": doors,
            "health": health,
            "rejected_tokens": health.rejected,
            "cleanup_open": cleanup_open_count(org=org),
            "checklist": checklist,
            "setup_done": all(step["done"] for step in checklist),
            "charts": _charts(org),
            "chart_days": CHART_DAYS,
            "recent": list(provisioning_log_list(org=org)[:RECENT_ROWS]) if is_owner else [],
            "nav": "dashboard",
        },
    )
