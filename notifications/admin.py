"""Staff admin for the console's alerts."""

from django.contrib import admin
from django.http import HttpRequest

from notifications.models import OrgAlert


@admin.register(OrgAlert)
class OrgAlertAdmin(admin.ModelAdmin):
    list_display = ["created_at", "org", "kind", "message", "dismissed_at", "dismissed_by"]
    list_filter = ["kind", ("dismissed_at", admin.EmptyFieldListFilter), "org"]
    search_fields = ["org__name", "org__slug", "message"]
    list_select_related = ["org", "dismissed_by"]
    readonly_fields = [
        "org",
        "kind",
        "message",
        "details",
        "created_at",
        "dismissed_at",
        "dismissed_by",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
