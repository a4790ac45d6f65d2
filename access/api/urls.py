"""/api/v1/: every path answers with and without a trailing slash (never a redirect), and
anything else under /api/v1/ is a JSON 404."""

from django.urls import re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from access.api import (
    schema,  # noqa: F401 (registers the API key scheme)
    views,
)
from access.api.errors import not_found

app_name = "api"

urlpatterns = [
    re_path(r"^places/?$", views.PlacesView.as_view(), name="places"),
    re_path(r"^doors/?$", views.DoorsView.as_view(), name="doors"),
    re_path(r"^doors/(?P<door_id>[^/]+)/check/?$", views.DoorCheckView.as_view(), name="check"),
    re_path(r"^grants/?$", views.GrantsView.as_view(), name="grants"),
    re_path(r"^grants/(?P<grant_id>[^/]+)/?$", views.GrantView.as_view(), name="grant"),
    re_path(
        r"^people/(?P<person_id>[^/]+)/doors/?$",
        views.PersonDoorsView.as_view(),
        name="person_doors",
    ),
    re_path(r"^events/?$", views.EventsView.as_view(), name="events"),
    re_path(r"^schema/?$", SpectacularAPIView.as_view(), name="schema"),
    re_path(r"^docs/?$", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    re_path(r"^.*$", not_found),
]
