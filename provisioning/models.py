"""SCIM per organization: enablement, tokens, the provisioning log and cleanup findings."""

import datetime as dt

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.models import Account, Organization


class ScimConfig(models.Model):
    """Whether the org accepts SCIM requests. Only possible while its SSO is enabled."""

    org = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="scim")
    enabled = models.BooleanField(default=False)
    changed_by = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "SCIM configuration"

    def __str__(self) -> str:
        return f"SCIM for {self.org} ({'enabled' if self.enabled else 'disabled'})"


class ScimToken(models.Model):
    """A SCIM bearer token. Only its SHA-256 digest and last four characters are stored;
    the token itself is shown once, on the response that created it.

    An org holds at most two live (unrevoked) tokens, so Okta's token can be rotated with no
    failed request (add a second, paste it into Okta, revoke the first): each live token takes
    one of two slots, and the database refuses a third. A live token past its `expires_at` is
    refused like a revoked one, and says why.
    """

    SLOTS = (1, 2)

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="scim_tokens")
    name = models.CharField(max_length=100, default="Okta")
    digest = models.CharField(max_length=64, unique=True, editable=False)
    last4 = models.CharField(max_length=4, editable=False)
    # 1 or 2 while live; None once revoked (the slot is free again).
    slot = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    last_used_user_agent = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # At most two live tokens per org: one slot each.
            models.UniqueConstraint(
                fields=["org", "slot"],
                condition=Q(revoked_at__isnull=True),
                name="scimtoken_two_live_per_org",
            ),
            models.CheckConstraint(
                # (slot IN (1, 2) alone would let a NULL slot through: SQL checks pass NULL.)
                condition=Q(slot__isnull=False, slot__in=[1, 2], revoked_at__isnull=True)
                | Q(slot__isnull=True, revoked_at__isnull=False),
                name="scimtoken_slot_iff_live",
            ),
            models.UniqueConstraint(
                "org",
                Lower("name"),
                condition=Q(revoked_at__isnull=True),
                name="scimtoken_live_name_unique_per_org",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.masked} ({self.org})"

    @property
    def masked(self) -> str:
        return f"kscim_…{self.last4}"

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None

    def is_expired(self, now: dt.datetime | None = None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())

    def expires_soon(self, days: int = 30) -> bool:
        """Expires within `days` (the first reminder's horizon), and has not yet."""
        now = timezone.now()
        return (
            self.expires_at is not None
            and not self.is_expired(now)
            and self.expires_at - now <= dt.timedelta(days=days)
        )


class ScimTokenReminder(models.Model):
    """An expiry reminder sent to the owner for one token: each kind goes once, however often
    the beat task runs (the pair is unique)."""

    class Kind(models.TextChoices):
        DAYS_30 = "30d", "30 days before"
        DAYS_7 = "7d", "7 days before"
        EXPIRED = "expired", "On expiry"

    token = models.ForeignKey(ScimToken, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["token", "kind"], name="scimtokenreminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.token}"


class ProvisioningLogEntry(models.Model):
    """One SCIM request, authenticated or not, with secrets removed from the body.

    The IdP keeps no bodies (Okta logs none for privacy), so this is the only record of
    what was asked and what was answered. Old entries are pruned by a periodic task.
    """

    class Action(models.TextChoices):
        CREATED = "created", "Created"
        UPDATED = "updated", "Updated"
        RENAMED = "renamed", "Renamed"
        SUSPENDED = "suspended", "Suspended"
        REACTIVATED = "reactivated", "Reactivated"
        DELETED = "deleted", "Deleted"
        MEMBERS = "members", "Changed members"
        UNCHANGED = "unchanged", "No change"
        LISTED = "listed", "Listed"
        READ = "read", "Read"
        REJECTED = "rejected", "Rejected"

    class Resource(models.TextChoices):
        USERS = "users", "People"
        GROUPS = "groups", "Groups"
        OTHER = "other", "Other"

    org = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="scim_log"
    )
    token = models.ForeignKey(
        ScimToken, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=2048)
    query = models.TextField(blank=True)
    status = models.PositiveSmallIntegerField()
    duration_ms = models.PositiveIntegerField(default=0)
    user_agent = models.CharField(max_length=512, blank=True)
    remote_addr = models.GenericIPAddressField(null=True, blank=True)
    outcome = models.CharField(max_length=512, blank=True)
    request_body = models.TextField(blank=True)
    # The answer's body, redacted and bounded like the request's (empty for a 204).
    response_body = models.TextField(blank=True)
    # What happened, worked out once when the row is written (the view knows the before and
    # after), so the log reads in plain words and the dashboard counts changes per day.
    action = models.CharField(max_length=24, choices=Action.choices, blank=True)
    resource_type = models.CharField(max_length=8, choices=Resource.choices, blank=True)
    resource_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=320, blank=True)
    change = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "provisioning log entry"
        verbose_name_plural = "provisioning log"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["org", "-created_at"], name="provlog_org_recent"),
            models.Index(fields=["org", "status", "-created_at"], name="provlog_org_status"),
            models.Index(fields=["org", "resource_id"], name="provlog_org_resource"),
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} → {self.status}"

    @property
    def is_error(self) -> bool:
        return self.status >= 400


class CleanupFinding(models.Model):
    """A person suspended for longer than the org's threshold, for the owner to review.

    `user_name` and `scim_id` are snapshots: when the person is deleted the finding stays, so
    the history of decisions survives. One suspension is flagged at most once: the pair
    (person, suspended_at) is unique, so re-running the audit, or running it on several
    workers at once, never duplicates a finding, and a person whose finding was kept is
    flagged again only after a new suspension (which has a new `suspended_at`).
    """

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        KEPT = "kept", "Kept"
        DELETED = "deleted", "Deleted"
        RESOLVED = "resolved", "Resolved (reactivated)"

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="cleanup_findings")
    person = models.ForeignKey(
        "accounts.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cleanup_findings",
    )
    user_name = models.CharField(max_length=255)
    scim_id = models.CharField(max_length=64)
    suspended_at = models.DateTimeField()
    flagged_at = models.DateTimeField(default=timezone.now)
    # Which audit run created the finding: lets a run report exactly what it flagged even
    # when another run inserted (and skipped) the same rows concurrently.
    run_id = models.UUIDField(null=True, blank=True, editable=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    decided_by = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept as text so the history survives the account's deletion.
    decided_by_label = models.CharField(max_length=320, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=500, blank=True)
    # When the owner's digest email covered this finding; None means not yet announced.
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["suspended_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "suspended_at"], name="cleanupfinding_one_per_suspension"
            ),
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status="open"),
                name="cleanupfinding_one_open_per_person",
            ),
        ]
        indexes = [
            models.Index(fields=["org", "status", "suspended_at"], name="cleanup_org_status"),
            models.Index(fields=["org", "-decided_at"], name="cleanup_org_decided"),
        ]

    def __str__(self) -> str:
        return f"{self.user_name} ({self.get_status_display()})"

    @property
    def days_suspended(self) -> int:
        return max((timezone.now() - self.suspended_at).days, 0)
