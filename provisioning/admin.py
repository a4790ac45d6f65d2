"""Staff admin for SCIM: configuration and tokens (never the token itself: it is not stored),
cleanup findings, the provisioning log, and SSO connections, which are edited here because
turning SSO off turns SCIM off too (provisioning owns that rule)."""

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.translation import ngettext

from accounts.actor import Actor
from kisiscim.admin_base import OlderThanFilter, ReadOnlyAdmin, ServiceAdmin, refusals
from provisioning.models import CleanupFinding, ProvisioningLogEntry, ScimConfig, ScimToken
from provisioning.services.cleanup import (
    REASON_MAX_LENGTH,
    cleanup_findings_delete,
    cleanup_findings_keep,
)
from provisioning.services.scim_config import org_sso_disable
from sso.models import SSOConnection
from sso.services import sso_configure, sso_enable, sso_settings_validate


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
class ScimTokenAdmin(ReadOnlyAdmin):
    """Tokens are issued and revoked by the owner's page or `manage.py scim_token`, so that
    every change is audited and notified; staff only look."""

    list_display = [
        "name",
        "masked",
        "org",
        "created_by",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    ]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["org__name", "org__slug", "last4", "name"]
    list_select_related = ["org", "created_by"]
    exclude = ["digest"]
    readonly_fields = [
        "name",
        "masked",
        "org",
        "created_by",
        "created_at",
        "expires_at",
        "last_used_at",
        "last_used_user_agent",
        "revoked_at",
        "revoked_by",
    ]


class SuspendedAgeFilter(OlderThanFilter):
    """Findings by how long the person has been suspended."""

    title = "suspended for more than"
    parameter_name = "suspended_days"
    field = "suspended_at"
    options = [("30", "30 days"), ("90", "90 days"), ("180", "180 days"), ("365", "1 year")]


class KeepReasonForm(forms.Form):
    reason = forms.CharField(max_length=REASON_MAX_LENGTH, strip=True)


@admin.register(CleanupFinding)
class CleanupFindingAdmin(admin.ModelAdmin):
    """Findings across orgs. Decisions go through the same services as the console (audited,
    re-checked); findings are never edited or deleted by hand, so the history holds."""

    list_display = [
        "user_name",
        "org",
        "status",
        "suspended_at",
        "days_suspended",
        "flagged_at",
        "decided_by_label",
        "decided_at",
    ]
    list_filter = ["status", SuspendedAgeFilter, "org"]
    search_fields = ["user_name", "scim_id", "org__name", "org__slug", "reason"]
    list_select_related = ["org"]
    date_hierarchy = "flagged_at"
    actions = ["delete_people_permanently", "keep_people"]
    readonly_fields = [
        "org",
        "person",
        "user_name",
        "scim_id",
        "suspended_at",
        "flagged_at",
        "run_id",
        "status",
        "decided_by",
        "decided_by_label",
        "decided_at",
        "reason",
        "notified_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.display(description="Days suspended")
    def days_suspended(self, obj: CleanupFinding) -> int:
        return obj.days_suspended

    def _confirm(
        self, request: HttpRequest, queryset: QuerySet[CleanupFinding], action: str, form=None
    ) -> TemplateResponse:
        findings = list(queryset.filter(status=CleanupFinding.Status.OPEN).select_related("org"))
        return TemplateResponse(
            request,
            "admin/provisioning/cleanupfinding/confirm_decision.html",
            {
                **self.admin_site.each_context(request),
                "title": "Are you sure?",
                "opts": self.model._meta,
                "action": action,
                "findings": findings,
                "count": len(findings),
                "skipped": queryset.count() - len(findings),
                "form": form,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
            },
        )

    def _by_org(self, queryset: QuerySet[CleanupFinding]) -> dict:
        by_org: dict = {}
        for finding in queryset.filter(status=CleanupFinding.Status.OPEN).select_related("org"):
            by_org.setdefault(finding.org, []).append(finding.pk)
        return by_org

    @admin.action(description="Delete the selected people permanently", permissions=["change"])
    def delete_people_permanently(self, request, queryset):
        if not request.POST.get("confirmed"):
            return self._confirm(request, queryset, "delete_people_permanently")
        deleted = sum(
            cleanup_findings_delete(org=org, finding_ids=ids, actor=Actor.of(request.user))
            for org, ids in self._by_org(queryset).items()
        )
        self.message_user(
            request,
            ngettext(
                "Deleted %(n)d person permanently.", "Deleted %(n)d people permanently.", deleted
            )
            % {"n": deleted},
        )
        return None

    @admin.action(description="Keep the selected people (with a reason)", permissions=["change"])
    def keep_people(self, request, queryset):
        form = KeepReasonForm(request.POST if request.POST.get("confirmed") else None)
        if not form.is_valid():
            return self._confirm(request, queryset, "keep_people", form=form)
        kept = sum(
            cleanup_findings_keep(
                org=org,
                finding_ids=ids,
                actor=Actor.of(request.user),
                reason=form.cleaned_data["reason"],
            )
            for org, ids in self._by_org(queryset).items()
        )
        self.message_user(
            request, ngettext("Kept %(n)d person.", "Kept %(n)d people.", kept) % {"n": kept}
        )
        return None


class StatusClassFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status_class"

    def lookups(self, request, model_admin):
        return [
            ("2xx", "Success (2xx)"),
            ("4xx", "Client error (4xx)"),
            ("5xx", "Server error (5xx)"),
        ]

    def queryset(self, request, queryset):
        bounds = {"2xx": (200, 300), "4xx": (400, 500), "5xx": (500, 600)}.get(self.value() or "")
        if bounds is None:
            return queryset
        return queryset.filter(status__gte=bounds[0], status__lt=bounds[1])


@admin.register(ProvisioningLogEntry)
class ProvisioningLogEntryAdmin(ReadOnlyAdmin):
    """Every SCIM request across orgs, read-only (bodies were redacted before storage)."""

    list_display = ["created_at", "org", "method", "path", "status", "duration_ms", "outcome"]
    list_filter = [StatusClassFilter, "method", "org"]
    search_fields = ["path", "query", "outcome", "user_agent", "org__slug"]
    list_select_related = ["org"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    exclude = ["token"]
    readonly_fields = [
        "created_at", "org", "token_masked", "method", "path", "query", "status", "duration_ms",
        "user_agent", "remote_addr", "outcome", "action", "resource_type", "resource_id",
        "target_label", "change", "request_body", "response_body",
    ]  # fmt: skip

    @admin.display(description="Token")
    def token_masked(self, obj: ProvisioningLogEntry) -> str:
        return obj.token.masked if obj.token else "—"


class SSOConnectionForm(forms.ModelForm):
    # SSO URLs are https only (also Django 6's default, which silences its warning).
    sso_url = forms.URLField(max_length=1024, required=False, assume_scheme="https")

    class Meta:
        model = SSOConnection
        fields = ["state", "idp_entity_id", "sso_url", "signing_certificate"]


@admin.register(SSOConnection)
class SSOConnectionAdmin(ServiceAdmin):
    """An org's SAML connection. Saved through the SSO services: the IdP settings are
    validated as on the owner's page, and turning SSO off also turns SCIM off and revokes
    its token."""

    form = SSOConnectionForm
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
    readonly_fields = [
        "org",
        "updated_by",
        "updated_at",
        "certificate_not_after",
        "certificate_2_not_after",
        "metadata_url",
        "metadata_refreshed_at",
        "metadata_refresh_error",
        "allow_idp_initiated",
        "require_sso",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Made by the owner's SSO & SCIM page or `manage.py sso_configure`.
        return False

    def save_model(self, request: HttpRequest, obj: SSOConnection, form, change: bool) -> None:
        actor = Actor.of(request.user)
        stored = SSOConnection.objects.select_related("org").get(pk=obj.pk)
        org = stored.org
        with refusals():
            idp_fields = ("idp_entity_id", "sso_url", "signing_certificate")
            # Compared as text: a form's textarea comes back without the stored trailing newline.
            if any(getattr(obj, f).strip() != getattr(stored, f).strip() for f in idp_fields):
                idp = sso_settings_validate(
                    entity_id=obj.idp_entity_id,
                    sso_url=obj.sso_url,
                    certificate=obj.signing_certificate,
                    # The rollover certificate is the owner's page's to change.
                    certificate_2=stored.signing_certificate_2,
                )
                sso_configure(org=org, settings=idp, actor=actor)
            if "state" in form.changed_data:
                if obj.state == SSOConnection.State.ENABLED:
                    sso_enable(org=org, actor=actor)
                elif stored.state == SSOConnection.State.ENABLED:
                    org_sso_disable(org=org, actor=actor)
