"""Staff admin for the console's alerts."""

from django.contrib import admin
from django.http import HttpRequest

from kisiscim.admin_base import ReadOnlyAdmin
from notifications.models import OrgAlert, OutboxMessage


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


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    """The outbox, for staff: what is still owed (sent_at empty) and what became of the rest."""

    list_display = ["created_at", "org", "kind", "email_kind", "subject", "sent_at", "outcome"]
    list_filter = ["kind", ("sent_at", admin.EmptyFieldListFilter), "outcome"]
    search_fields = ["org__slug", "subject"]
    list_select_related = ["org"]
