"""Staff admin of places, doors, grants, cards, access events and API keys: read-only. Their
writes carry rules and audit records (and keys are shown once), so they go through the
console and the API, whose services enforce them."""

from django.contrib import admin

from access.models import AccessEvent, ApiKey, Credential, Door, Grant, Place
from kisiscim.admin_base import ReadOnlyAdmin


@admin.register(Place)
class PlaceAdmin(ReadOnlyAdmin):
    list_display = ["name", "org", "time_zone", "created_at"]
    list_filter = ["org"]
    search_fields = ["name"]


@admin.register(Door)
class DoorAdmin(ReadOnlyAdmin):
    list_display = ["name", "place", "org", "locked_down"]
    list_filter = ["org", "locked_down"]
    search_fields = ["name", "place__name"]
    list_select_related = ["place", "org"]


@admin.register(Grant)
class GrantAdmin(ReadOnlyAdmin):
    list_display = ["group", "door", "valid_from", "valid_until", "created_by_label", "created_at"]
    list_filter = ["org"]
    list_select_related = ["group", "door"]


@admin.register(Credential)
class CredentialAdmin(ReadOnlyAdmin):
    list_display = ["number", "person", "status", "source", "created_at"]
    list_filter = ["org", "status", "source"]
    search_fields = ["number", "person__user_name"]
    list_select_related = ["person"]


@admin.register(AccessEvent)
class AccessEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "door_label", "person_label", "decision", "reason", "source"]
    list_filter = ["org", "decision", "reason", "source"]
    search_fields = ["person_label", "person_scim_id", "door_label", "card_number"]
    date_hierarchy = "created_at"


@admin.register(ApiKey)
class ApiKeyAdmin(ReadOnlyAdmin):
    list_display = ["name", "org", "masked", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["org"]
    exclude = ["digest"]
