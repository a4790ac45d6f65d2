"""The settings index (its cards link to each setting's own page)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.permissions import member_required


@member_required
def settings_index(request: HttpRequest) -> HttpResponse:
    return render(request, "console/settings.html", {"nav": "settings"})
