"""Staff admin of organizations, accounts, people, groups and the audit trail.

Every write goes through the services (kisiscim.admin_base.ServiceAdmin), so a staff edit is
audited under the staff account and keeps each rule the console keeps: one owner per org,
userName and group names unique per org in any case, members from the group's own org only.
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from accounts.actor import Actor
from accounts.models import (
    Account,
    AuditEvent,
    ConsoleSuspension,
    Group,
    GroupMembership,
    Membership,
    Organization,
    Person,
    PersonEmail,
)
from accounts.services.groups import group_create, group_members_set, group_update
from accounts.services.orgs import membership_remove, membership_role_set, org_create, org_rename
from accounts.services.people import PERSON_TEXT_FIELDS, EmailData, person_create, person_update
from kisiscim.admin_base import OlderThanFilter, ReadOnlyAdmin, Refused, ServiceAdmin, refusals


def _actor(request: HttpRequest) -> Actor:
    return Actor.of(request.user)


def _adopt(obj: Any, saved: Any) -> None:
    """Make the admin's unsaved instance the row a service created, so the admin's redirect
    and its own log entry point at it."""
    for field in type(saved)._meta.concrete_fields:
        setattr(obj, field.attname, getattr(saved, field.attname))
    obj._state.adding = False
    obj._state.db = saved._state.db


def _kept_rows(formset: forms.BaseInlineFormSet) -> list[dict[str, Any]]:
    """The inline rows the staff member kept or added (deleted and empty rows left out)."""
    return [
        form.cleaned_data
        for form in formset.forms
        if form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]


class MembershipInline(admin.TabularInline):
    """An account's roles; saved through the membership services (see save_formset)."""

    model = Membership
    extra = 0
    autocomplete_fields = ["org"]
    fields = ["org", "role"]


def _save_memberships(
    request: HttpRequest, formset: forms.BaseInlineFormSet, *, org: Organization | None = None
) -> None:
    """Apply the role inline's rows through the services: removals first, then owners (a
    transfer demotes the previous owner), then admins."""
    actor = _actor(request)
    with refusals():
        for form in formset.initial_forms:
            moved = {"org", "account"} & set(form.changed_data)
            if form in formset.deleted_forms or moved:
                # The row as stored: the form's instance already carries the edited values.
                old = Membership.objects.select_related("org", "account").get(pk=form.instance.pk)
                membership_remove(org=old.org, account=old.account, actor=actor)
        rows = sorted(_kept_rows(formset), key=lambda r: r["role"] != Membership.Role.OWNER)
        if org is not None and sum(r["role"] == Membership.Role.OWNER for r in rows) > 1:
            raise Refused(
                "An organization has exactly one owner: make the others admins (giving "
                "someone the owner role makes the previous owner an admin)."
            )
        for row in rows:
            account = row.get("account") or formset.instance
            membership_role_set(
                org=org or row["org"], account=account, role=row["role"], actor=actor
            )


class OrganizationForm(forms.ModelForm):
    owner = forms.ModelChoiceField(
        queryset=Account.objects.all(),
        required=False,
        help_text="The account that owns the new organization (required when adding one).",
    )

    class Meta:
        model = Organization
        fields = ["name", "slug", "cleanup_threshold_days"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.instance.pk is None and not data.get("owner"):
            self.add_error("owner", "A new organization needs an owner.")
        return data


class OrgMembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["account"]
    fields = ["account", "role"]


@admin.register(Organization)
class OrganizationAdmin(ServiceAdmin):
    form = OrganizationForm
    list_display = ["name", "slug", "cleanup_threshold_days", "people_count", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [OrgMembershipInline]

    def get_fields(self, request: HttpRequest, obj: Organization | None = None) -> list[str]:
        return ["name", "slug", "cleanup_threshold_days"] if obj else ["name", "slug", "owner"]

    def get_readonly_fields(self, request: HttpRequest, obj: Organization | None = None) -> list:
        # The slug is in every URL and in Okta's set-up; the threshold is the owner's
        # setting (Settings → Cleanup), changed there with its own audit event.
        return ["slug", "cleanup_threshold_days"] if obj else []

    def get_prepopulated_fields(self, request: HttpRequest, obj: Organization | None = None):
        return {} if obj else self.prepopulated_fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Organization]:
        return super().get_queryset(request).annotate(_people=Count("people", distinct=True))

    @admin.display(description="People", ordering="_people")
    def people_count(self, obj: Organization) -> int:
        return obj._people  # type: ignore[attr-defined]

    def save_model(self, request: HttpRequest, obj: Organization, form, change: bool) -> None:
        with refusals():
            if change:
                org_rename(
                    org=Organization.objects.get(pk=obj.pk), name=obj.name, actor=_actor(request)
                )
                return
            org, _ = org_create(
                slug=obj.slug,
                name=obj.name,
                owner_email=form.cleaned_data["owner"].email,
                actor=_actor(request),
            )
        _adopt(obj, org)

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        _save_memberships(request, formset, org=form.instance)


@admin.register(Account)
class AccountAdmin(ServiceAdmin, UserAdmin):
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

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        _save_memberships(request, formset)


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    """Roles, read-only here: they are edited on the organization's or the account's page,
    through the services that keep one owner per org."""

    list_display = ["account", "org", "role", "created_at"]
    list_filter = ["role", "org"]
    search_fields = ["account__email", "org__name", "org__slug"]
    list_select_related = ["account", "org"]


class PersonEmailInline(admin.TabularInline):
    model = PersonEmail
    extra = 0


class SuspendedForFilter(OlderThanFilter):
    """People suspended for more than N days (the cleanup audit's question)."""

    title = "suspended for more than"
    parameter_name = "suspended_days"

    def filter_kwargs(self, cutoff) -> dict[str, object]:
        return {"is_active": False, "suspended_at__lt": cutoff}


@admin.register(Person)
class PersonAdmin(ServiceAdmin):
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

    def get_fields(self, request: HttpRequest, obj: Person | None = None) -> list[str]:
        editable = ["org", *PERSON_TEXT_FIELDS, "send_emails"]
        return [*editable, *self.get_readonly_fields(request, obj)] if obj else editable

    def get_readonly_fields(self, request: HttpRequest, obj: Person | None = None) -> list[str]:
        if obj is None:
            return []
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

    def save_model(self, request: HttpRequest, obj: Person, form, change: bool) -> None:
        with refusals():
            if change:
                person = Person.objects.select_related("org").get(pk=obj.pk)
                changes = {
                    f: form.cleaned_data[f] for f in PERSON_TEXT_FIELDS if f in form.changed_data
                }
                if changes:
                    person_update(person=person, changes=changes, actor=_actor(request))
                return
            person = person_create(
                org=form.cleaned_data["org"],
                **{f: form.cleaned_data.get(f) or "" for f in PERSON_TEXT_FIELDS},
                send_emails=form.cleaned_data.get("send_emails", True),
                actor=_actor(request),
            )
        _adopt(obj, person)

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        (emails,) = formsets
        if not emails.has_changed():
            return
        rows = _kept_rows(emails)
        with refusals():
            person_update(
                person=Person.objects.select_related("org").get(pk=form.instance.pk),
                changes={},
                emails=[
                    EmailData(r["value"], r.get("type") or "", bool(r.get("primary"))) for r in rows
                ],
                actor=_actor(request),
            )


class GroupMembershipInline(admin.TabularInline):
    model = GroupMembership
    extra = 0
    raw_id_fields = ["person"]
    fields = ["person"]


@admin.register(Group)
class GroupAdmin(ServiceAdmin):
    list_display = ["display_name", "org", "member_count", "external_id", "updated_at"]
    list_filter = ["org"]
    search_fields = ["display_name", "external_id", "scim_id"]
    list_select_related = ["org"]
    fields = ["org", "display_name", "external_id", "scim_id", "created_at", "updated_at"]
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

    def save_model(self, request: HttpRequest, obj: Group, form, change: bool) -> None:
        with refusals():
            if change:
                changed = {
                    f: form.cleaned_data[f]
                    for f in ("display_name", "external_id")
                    if f in form.changed_data
                }
                if changed:
                    group_update(
                        group=Group.objects.select_related("org").get(pk=obj.pk),
                        **changed,
                        actor=_actor(request),
                    )
                return
            group = group_create(
                org=form.cleaned_data["org"],
                display_name=form.cleaned_data["display_name"],
                external_id=form.cleaned_data.get("external_id") or "",
                actor=_actor(request),
            )
        _adopt(obj, group)

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        (members,) = formsets
        if not members.has_changed():
            return
        ids = [row["person"].scim_id for row in _kept_rows(members) if row.get("person")]
        with refusals():
            group_members_set(
                group=Group.objects.select_related("org").get(pk=form.instance.pk),
                member_ids=ids,
                actor=_actor(request),
            )


@admin.register(ConsoleSuspension)
class ConsoleSuspensionAdmin(ReadOnlyAdmin):
    """Read-only: a console lock is set and lifted on the person's page by the org's owner or
    an admin (through the services that audit it and tell the owner)."""

    list_display = ["person", "person__org", "suspended_by_label", "suspended_at", "reason"]
    list_filter = ["person__org"]
    search_fields = ["person__user_name", "suspended_by_label", "reason"]
    list_select_related = ["person__org"]


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
