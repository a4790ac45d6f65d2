"""The settings index (its cards link to each setting's own page)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.models import Membership
from accounts.permissions import member_required
from provisioning.selectors.scim_config import sso_scim_summary


@member_required
def settings_index(request: HttpRequest) -> HttpResponse:
    context = {"nav": "settings"}
    if request.membership.role == Membership.Role.OWNER:  # the card is the owner's
        context["sso_scim"] = sso_scim_summary(org=request.org)
    return render(request, "console/settings.html", context)
