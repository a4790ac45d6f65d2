from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.urls import include, path, re_path

from access.api.errors import not_found as api_not_found
from access.urls import api_key_patterns, console_patterns, me_patterns
from provisioning.scim.constants import SCIM_BASE_PATH
from provisioning.urls import cleanup_patterns, log_patterns, settings_patterns
from sso.views.entry import SignInView


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


admin.site.site_header = "KisiSCIM staff admin"
admin.site.site_title = "KisiSCIM admin"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path(SCIM_BASE_PATH.lstrip("/"), include("provisioning.scim.urls", namespace="scim")),
    path("api/v1/", include("access.api.urls", namespace="api")),
    re_path(r"^api/v1$", api_not_found),
    # Django's LoginView with the Require SSO rule (sso.forms.PasswordSignInForm); the
    # password is still checked by django.contrib.auth.authenticate().
    path("login/", SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("sso.urls")),
    path("o/<slug:org_slug>/settings/sso-scim/", include(settings_patterns)),
    path("o/<slug:org_slug>/settings/api-keys/", include(api_key_patterns)),
    path("o/<slug:org_slug>/", include(console_patterns)),
    path("me/doors/", include(me_patterns)),
    path("o/<slug:org_slug>/", include(cleanup_patterns)),
    path("o/<slug:org_slug>/", include(log_patterns)),
    path("o/<slug:org_slug>/", include("notifications.urls")),
    path("", include("console.urls")),
]
