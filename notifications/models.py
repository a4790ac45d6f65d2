"""What the product tells people: console banners (alerts) for an org's owner and admins, and
the record of once-only emails to people."""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import Account, Organization


class OrgAlert(models.Model):
    """A console banner for the org's owner and admins, until one of them dismisses it."""

    class Kind(models.TextChoices):
        MASS_DEACTIVATION = "mass_deactivation", "Mass deactivation"
        SCIM_SILENCE = "scim_silence", "SCIM silence"

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    message = models.CharField(max_length=500)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    dismissed_at = models.DateTimeField(null=True, blank=True)
    dismissed_by = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # Concurrent SCIM requests crossing the threshold together raise one alert.
            models.UniqueConstraint(
                fields=["org", "kind"],
                condition=Q(dismissed_at__isnull=True),
                name="orgalert_one_open_per_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} in {self.org}"


class PersonEmailSent(models.Model):
    """A once-only email (the welcome) that went to a person: a redelivered task finds it
    here and does not send it twice."""

    person = models.ForeignKey(
        "accounts.Person", on_delete=models.CASCADE, related_name="emails_sent"
    )
    kind = models.CharField(max_length=32)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "email sent to a person"
        verbose_name_plural = "emails sent to people"
        constraints = [
            models.UniqueConstraint(fields=["person", "kind"], name="personemailsent_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.person_id} at {self.sent_at:%Y-%m-%d %H:%M}"


class OutboxMessage(models.Model):
    """An email the product owes someone, written in the same transaction as the change that
    asked for it (a transactional outbox): if that change commits, the message exists, even
    when the broker is down at that moment. `sent_at` is set once it was delivered (or
    refused for good, see `outcome`); beat re-queues the rest."""

    class Kind(models.TextChoices):
        OWNER_NOTICE = "owner_notice", "Notice to the owner"
        PERSON_EMAIL = "person_email", "Email to a person"

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="outbox")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    person = models.ForeignKey(
        "accounts.Person", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # A person email's kind (notifications.sending.PERSON_EMAIL_KINDS).
    email_kind = models.CharField(max_length=32, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=32, blank=True)
    # How many times beat re-queued it; it gives up after OUTBOX_MAX_REQUEUES.
    requeues = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(
                fields=["created_at"],
                name="outbox_undelivered",
                condition=Q(sent_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.outcome or 'pending'})"
