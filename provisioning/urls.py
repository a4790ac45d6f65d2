"""The owner's SSO & SCIM console page, mounted at /o/<org_slug>/settings/sso-scim/.

The SCIM API itself lives under /scim/v2/ and has its own URLs.
"""

from django.urls import path

from provisioning import views

app_name = "provisioning"

urlpatterns = [
    path("", views.sso_scim, name="sso_scim"),
    path("sso/", views.sso_setup, name="sso_setup"),
    path("sso/enable/", views.sso_enable_view, name="sso_enable"),
    path("sso/disable/", views.sso_disable_view, name="sso_disable"),
    path("scim/enable/", views.scim_enable_view, name="scim_enable"),
    path("scim/disable/", views.scim_disable_view, name="scim_disable"),
    path("scim/token/", views.scim_token_generate_view, name="scim_token_generate"),
    path("scim/token/regenerate/", views.scim_token_regenerate, name="scim_token_regenerate"),
]
