"""The owner's console pages of provisioning, mounted by kisiscim/urls.py under /o/<org_slug>/.

Three namespaces, as the templates name them: `provisioning` (Settings → SSO & SCIM),
`provisioning_log` and `cleanup`. The SCIM API itself lives under /scim/v2/ (scim/urls.py).
"""

from django.urls import path

from provisioning.views import cleanup, log, settings

settings_patterns = (
    [
        path("", settings.sso_scim, name="sso_scim"),
        path("sso/", settings.sso_setup, name="sso_setup"),
        path("sso/enable/", settings.sso_enable_view, name="sso_enable"),
        path("sso/disable/", settings.sso_disable_view, name="sso_disable"),
        path("scim/enable/", settings.scim_enable_view, name="scim_enable"),
        path("scim/disable/", settings.scim_disable_view, name="scim_disable"),
        path("scim/token/", settings.scim_token_generate_view, name="scim_token_generate"),
        path(
            "scim/token/regenerate/", settings.scim_token_regenerate, name="scim_token_regenerate"
        ),
        path("scim/token/add/", settings.scim_token_add_view, name="scim_token_add"),
        path(
            "scim/token/<int:token_id>/revoke/",
            settings.scim_token_revoke_view,
            name="scim_token_revoke",
        ),
    ],
    "provisioning",
)

log_patterns = (
    [path("provisioning-log/", log.provisioning_log, name="list")],
    "provisioning_log",
)

cleanup_patterns = (
    [
        path("cleanup/", cleanup.cleanup_audit, name="audit"),
        path("cleanup/decide/", cleanup.cleanup_decide, name="decide"),
        path("cleanup/export.csv", cleanup.cleanup_export, name="export"),
        path("settings/cleanup/", cleanup.cleanup_threshold, name="threshold"),
    ],
    "cleanup",
)
