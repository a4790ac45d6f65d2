"""The landing page and the org's dashboard."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts.permissions import member_required
from accounts.selectors.orgs import membership_list_for_account
from accounts.selectors.people import people_counts
from provisioning.selectors.log import provisioning_rejected_token_stats


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send the account to its first org's dashboard (staff without an org to the admin)."""
    membership = membership_list_for_account(account=request.user).first()
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
