"""Staff admin for SCIM: configuration and tokens (never the token itself: it is not stored)."""

from django.contrib import admin
from django.http import HttpRequest

from provisioning.models import ScimConfig, ScimToken


@admin.register(ScimConfig)
class ScimConfigAdmin(admin.ModelAdmin):
    list_display = ["org", "enabled", "changed_by", "changed_at"]
    list_filter = ["enabled"]
    search_fields = ["org__name", "org__slug"]
    list_select_related = ["org", "changed_by"]
    readonly_fields = ["org", "enabled", "changed_by", "changed_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(ScimToken)
class ScimTokenAdmin(admin.ModelAdmin):
    """Tokens are issued and revoked by the owner's page or `manage.py scim_token`, so that
    every change is audited and notified; staff only look."""

    list_display = ["masked", "org", "created_by", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["org__name", "org__slug", "last4"]
    list_select_related = ["org", "created_by"]
    exclude = ["digest"]
    readonly_fields = [
        "masked",
        "org",
        "created_by",
        "created_at",
        "last_used_at",
        "revoked_at",
        "revoked_by",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
