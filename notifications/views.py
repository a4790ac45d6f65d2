"""Dismissing the console's alert banners (owner and admins)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.actor import Actor
from accounts.permissions import owner_or_admin_required
from notifications.services import org_alert_dismiss


@require_POST
@owner_or_admin_required
def alert_dismiss(request: HttpRequest, alert_id: int) -> HttpResponse:
    org = request.org
    if org_alert_dismiss(org=org, alert_id=alert_id, actor=Actor.of(request.user)):
        messages.success(request, "Alert dismissed.")
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("dashboard", org_slug=org.slug)
