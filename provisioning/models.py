"""SCIM enablement and tokens per organization."""

from django.db import models
from django.db.models import Q
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
    the token itself is shown once, on the response that created it."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="scim_tokens")
    digest = models.CharField(max_length=64, unique=True, editable=False)
    last4 = models.CharField(max_length=4, editable=False)
    created_by = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # At most one live token per org: generating a new one revokes the old at once.
            models.UniqueConstraint(
                fields=["org"],
                condition=Q(revoked_at__isnull=True),
                name="scimtoken_one_live_per_org",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.masked} ({self.org})"

    @property
    def masked(self) -> str:
        return f"kscim_…{self.last4}"

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None


class ProvisioningLogEntry(models.Model):
    """One SCIM request, authenticated or not, with secrets removed from the body.

    The IdP keeps no bodies (Okta logs none for privacy), so this is the only record of
    what was asked and what was answered. Old entries are pruned by a periodic task.
    """

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
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "provisioning log entry"
        verbose_name_plural = "provisioning log"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["org", "-created_at"], name="provlog_org_recent"),
            models.Index(fields=["org", "status", "-created_at"], name="provlog_org_status"),
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} → {self.status}"

    @property
    def is_error(self) -> bool:
        return self.status >= 400
