"""The landing page and the org's dashboard."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts.permissions import member_required
from accounts.selectors.orgs import membership_last_used
from accounts.selectors.people import people_counts
from provisioning.selectors.log import provisioning_rejected_token_stats


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


@member_required
def dashboard(request: HttpRequest) -> HttpResponse:
    org = request.org
    return render(
        request,
        "console/dashboard.html",
        {
            "counts": people_counts(org=org),
            "rejected_tokens": provisioning_rejected_token_stats(org=org),
            "nav": "dashboard",
        },
    )
