"""SAML sign-in, mounted at the root by kisiscim/urls.py: the per-org SP endpoints under
/saml/<slug>/ (these exact paths are what IdPs are configured with) and Sign in with SSO."""

from django.urls import path

from sso.views import demo_idp, entry, sp

app_name = "sso"

urlpatterns = [
    path("saml/<slug:org_slug>/metadata/", sp.metadata, name="metadata"),
    path("saml/<slug:org_slug>/login/", sp.login, name="login"),
    path("saml/<slug:org_slug>/acs/", sp.acs, name="acs"),
    path("saml/<slug:org_slug>/test/", sp.test_start, name="test_start"),
    path("saml/<slug:org_slug>/test/<str:request_id>/", sp.test_result, name="test_result"),
    path("saml/<slug:org_slug>/demo-idp/", demo_idp.demo_idp, name="demo_idp"),
    path("login/sso/", entry.sso_start, name="start"),
]
