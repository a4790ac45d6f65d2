from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


admin.site.site_header = "KisiSCIM staff admin"
admin.site.site_title = "KisiSCIM admin"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("scim/v2/", include("provisioning.scim.urls", namespace="scim")),
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("o/<slug:org_slug>/settings/sso-scim/", include("provisioning.urls")),
    path("o/<slug:org_slug>/", include("provisioning.cleanup.urls")),
    path("o/<slug:org_slug>/", include("provisioning.log.urls")),
    path("", include("accounts.urls")),
]
