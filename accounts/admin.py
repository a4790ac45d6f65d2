"""Staff admin: every model, searchable and filterable; audit events read-only."""

import datetime as dt

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import (
    Account,
    AuditEvent,
    Group,
    GroupMembership,
    Membership,
    Organization,
    Person,
    PersonEmail,
    SSOConnection,
)
from accounts.selectors.groups import group_get_by_name
from accounts.selectors.people import person_get_by_user_name


class OrgMembershipFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        """One owner per org: refuse two owner rows in one submission, which the per-row
        constraint check cannot see (it would end in an IntegrityError)."""
        super().clean()
        owners = [
            form
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("role") == Membership.Role.OWNER
        ]
        if len(owners) > 1:
            raise ValidationError("An organization has exactly one owner.")


class ReadOnlyAdmin(admin.ModelAdmin):
    """Staff may look, never add, change or delete: the product writes these rows itself
    (append-only trails, or changes that must go through a service to be audited)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["account"]


class OrgMembershipInline(MembershipInline):
    formset = OrgMembershipFormSet


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "cleanup_threshold_days", "people_count", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [OrgMembershipInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Organization]:
        return super().get_queryset(request).annotate(_people=Count("people", distinct=True))

    @admin.display(description="People", ordering="_people")
    def people_count(self, obj: Organization) -> int:
        return obj._people  # type: ignore[attr-defined]


@admin.register(Account)
class AccountAdmin(UserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_staff", "is_active", "last_login", "date_joined"]
    list_filter = ["is_staff", "is_superuser", "is_active"]
    search_fields = ["email", "full_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("full_name",)}),
        (
            "Permissions",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["account", "org", "role", "created_at"]
    list_filter = ["role", "org"]
    search_fields = ["account__email", "org__name", "org__slug"]
    list_select_related = ["account", "org"]
    autocomplete_fields = ["account", "org"]


@admin.register(SSOConnection)
class SSOConnectionAdmin(admin.ModelAdmin):
    list_display = [
        "org",
        "state",
        "idp_entity_id",
        "certificate_not_after",
        "updated_by",
        "updated_at",
    ]
    list_filter = ["state"]
    search_fields = ["org__name", "org__slug", "idp_entity_id"]
    list_select_related = ["org", "updated_by"]
    readonly_fields = ["updated_by", "updated_at", "certificate_not_after"]
    # SSO URLs are https only; also Django 6's default, which silences its warning.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


class PersonEmailInline(admin.TabularInline):
    model = PersonEmail
    extra = 0


class SuspendedForFilter(admin.SimpleListFilter):
    """People suspended for more than N days (the cleanup audit's question)."""

    title = "suspended for more than"
    parameter_name = "suspended_days"
    options = [("7", "7 days"), ("30", "30 days"), ("90", "90 days"), ("365", "1 year")]

    def lookups(self, request, model_admin):
        return self.options

    def queryset(self, request, queryset):
        if not self.value() or not self.value().isdigit():
            return queryset
        cutoff = timezone.now() - dt.timedelta(days=int(self.value()))
        return queryset.filter(**self.filter_kwargs(cutoff))

    def filter_kwargs(self, cutoff: dt.datetime) -> dict[str, object]:
        return {"is_active": False, "suspended_at__lt": cutoff}


class PersonAdminForm(forms.ModelForm):
    def clean_user_name(self) -> str:
        user_name = self.cleaned_data["user_name"]
        # With the org read-only (on change) Django's constraint check skips the per-org
        # rule, which would end in an IntegrityError; check it here, as the index does.
        if "org" not in self.fields and self.instance.pk is not None:
            clash = person_get_by_user_name(org=self.instance.org, user_name=user_name)
            if clash is not None and clash.pk != self.instance.pk:
                raise ValidationError(
                    "Another person in this organization has this userName (in any case)."
                )
        return user_name


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    form = PersonAdminForm
    list_display = [
        "user_name",
        "org",
        "given_name",
        "family_name",
        "is_active",
        "suspended_at",
        "send_emails",
        "provisioned_by",
    ]
    list_filter = ["is_active", SuspendedForFilter, "provisioned_by", "send_emails", "org"]
    search_fields = [
        "user_name",
        "given_name",
        "family_name",
        "display_name",
        "external_id",
        "scim_id",
    ]
    list_select_related = ["org"]
    readonly_fields = ["scim_id", "created_at", "updated_at"]
    inlines = [PersonEmailInline]
    show_full_result_count = False

    def get_readonly_fields(self, request: HttpRequest, obj: Person | None = None) -> list[str]:
        if obj is None:
            return self.readonly_fields
        # Moving a person to another org would leave cross-org group links; suspension goes
        # through the services (suspended_at, audit); sendEmails is fixed at creation.
        return [
            *self.readonly_fields,
            "org",
            "is_active",
            "suspended_at",
            "send_emails",
            "provisioned_by",
        ]


class GroupMembershipFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        """A group's members are its org's people only, never a cross-org link."""
        super().clean()
        for form in self.forms:
            if not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            person = form.cleaned_data.get("person")
            if person is not None and person.org_id != self.instance.org_id:
                raise ValidationError(
                    f"{person} belongs to another organization; "
                    "a group's members are its own organization's people."
                )


class GroupMembershipInline(admin.TabularInline):
    model = GroupMembership
    formset = GroupMembershipFormSet
    extra = 0
    raw_id_fields = ["person"]


class GroupAdminForm(forms.ModelForm):
    def clean_display_name(self) -> str:
        display_name = self.cleaned_data["display_name"]
        # As for people: the org is read-only on change, so check the per-org rule here.
        if "org" not in self.fields and self.instance.pk is not None:
            clash = group_get_by_name(org=self.instance.org, display_name=display_name)
            if clash is not None and clash.pk != self.instance.pk:
                raise ValidationError(
                    "Another group in this organization has this name (in any case)."
                )
        return display_name


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    form = GroupAdminForm
    list_display = ["display_name", "org", "member_count", "external_id", "updated_at"]
    list_filter = ["org"]
    search_fields = ["display_name", "external_id", "scim_id"]
    list_select_related = ["org"]
    readonly_fields = ["scim_id", "created_at", "updated_at"]
    inlines = [GroupMembershipInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Group | None = None) -> list[str]:
        # Moving a group to another org would turn its members into cross-org links.
        return [*self.readonly_fields, "org"] if obj is not None else self.readonly_fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Group]:
        return super().get_queryset(request).annotate(_members=Count("memberships"))

    @admin.display(description="Members", ordering="_members")
    def member_count(self, obj: Group) -> int:
        return obj._members  # type: ignore[attr-defined]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Read-only: the trail is append-only."""

    list_display = [
        "created_at",
        "org",
        "actor_kind",
        "actor_label",
        "action",
        "target_type",
        "target_label",
    ]
    list_filter = ["actor_kind", "action", "org"]
    search_fields = ["actor_label", "action", "target_label", "target_id"]
    list_select_related = ["org"]
    date_hierarchy = "created_at"
