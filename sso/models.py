"""The org's SAML identity provider connection."""

from django.db import models
from django.utils import timezone

from accounts.models import Account, Organization


class SSOConnection(models.Model):
    """The org's SAML identity provider. SCIM may be enabled only while this is enabled."""

    class State(models.TextChoices):
        NOT_CONFIGURED = "not_configured", "Not configured"
        CONFIGURED = "configured", "Configured"
        ENABLED = "enabled", "Enabled"

    org = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="sso")
    state = models.CharField(max_length=16, choices=State.choices, default=State.NOT_CONFIGURED)
    idp_entity_id = models.CharField(max_length=1024, blank=True)
    sso_url = models.URLField(max_length=1024, blank=True)
    signing_certificate = models.TextField(blank=True, help_text="PEM")
    certificate_not_after = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "SSO connection"

    def __str__(self) -> str:
        return f"SSO for {self.org} ({self.get_state_display()})"

    @property
    def is_enabled(self) -> bool:
        return self.state == self.State.ENABLED
