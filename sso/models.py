"""The org's SAML identity provider connection, and the server-side state of SAML sign-in:
the AuthnRequests this service sent (matched by InResponseTo) and the assertions it has
accepted (each accepted once). Both are tables, so every web process shares them."""

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
    # IdP key rollover: a second signing certificate, accepted as well as the first.
    signing_certificate_2 = models.TextField(blank=True, help_text="PEM")
    certificate_2_not_after = models.DateTimeField(null=True, blank=True)
    # Metadata by URL: refreshed daily; a failed refresh keeps what was stored.
    metadata_url = models.URLField(max_length=1024, blank=True)
    metadata_refreshed_at = models.DateTimeField(null=True, blank=True)
    metadata_refresh_error = models.CharField(max_length=500, blank=True)
    # Okta's app tile starts an IdP-initiated sign-in; on by default, as Okta users expect.
    allow_idp_initiated = models.BooleanField(default=True)
    # The org's admins may not sign in with a password; the owner keeps a break-glass one.
    require_sso = models.BooleanField(default=False)
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

    @property
    def certificates(self) -> list[str]:
        """The signing certificates (PEM) a response may be signed with: one, or two during
        an IdP key rollover."""
        return [pem for pem in (self.signing_certificate, self.signing_certificate_2) if pem]


class SAMLRequest(models.Model):
    """An AuthnRequest this service sent to the org's IdP, awaiting its response.

    The response names it in InResponseTo; it is matched here, not in the session cookie,
    which the IdP's cross-site POST to the ACS may not carry. Each is used once, and only
    until it expires.
    """

    class Purpose(models.TextChoices):
        SIGN_IN = "sign_in", "Sign-in"
        TEST = "test", "Test sign-in"

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    request_id = models.CharField(max_length=128, unique=True)
    purpose = models.CharField(max_length=16, choices=Purpose.choices, default=Purpose.SIGN_IN)
    next_path = models.CharField(max_length=2048, blank=True)
    # Who started a test sign-in (the owner); only they may read its result.
    account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)
    consumed_at = models.DateTimeField(null=True, blank=True)
    # A test sign-in's outcome, shown to the owner; never used to sign anyone in.
    test_result = models.JSONField(null=True, blank=True)

    class Meta:
        verbose_name = "SAML request"

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} {self.request_id} for {self.org_id}"


class SAMLAssertionUse(models.Model):
    """An assertion this service accepted: the replay cache. The unique constraint makes a
    second use fail on every process at once; a row is kept until the assertion could no
    longer be accepted anyway."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    assertion_id = models.CharField(max_length=256)
    used_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "SAML assertion use"
        constraints = [
            models.UniqueConstraint(fields=["org", "assertion_id"], name="saml_assertion_once"),
        ]

    def __str__(self) -> str:
        return f"{self.assertion_id} ({self.org_id})"
