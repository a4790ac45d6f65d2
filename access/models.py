"""Places, doors, grants, card credentials, access events and API keys.

Place (an IANA time zone) → Door. A Grant lets one group open one door, optionally only in
weekly windows (read in the place's zone) and between two dates. Grants belong to the
console and the API: SCIM never writes one, and a group's deletion takes its grants with it
(ON DELETE CASCADE). Every access decision leaves an AccessEvent, which the product never
changes or deletes. Rules the database can hold are constraints here; the rest live in
`services` and the one decision in `decision.py`.
"""

from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.models import Account, Group, Organization, Person


class Place(models.Model):
    """A site with its own clock: its doors' schedules are read in `time_zone`."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="places")
    name = models.CharField(max_length=200)
    time_zone = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint("org", Lower("name"), name="place_unique_name_per_org"),
        ]

    def __str__(self) -> str:
        return self.name


class Door(models.Model):
    """A door of a place. A locked-down door opens for no one, whatever the grants say."""

    # The org is the place's, kept on the row so every read is scoped in one index.
    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="doors")
    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="doors")
    name = models.CharField(max_length=200)
    locked_down = models.BooleanField(default=False)
    locked_down_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint("place", Lower("name"), name="door_unique_name_per_place"),
        ]
        indexes = [models.Index(fields=["org", "id"], name="door_org")]

    def __str__(self) -> str:
        return self.name


class Grant(models.Model):
    """One group may open one door: always, or in weekly windows and/or between dates.

    `schedule` is a list of windows `{"days": [0..6] (Mon=0), "start": "HH:MM",
    "end": "HH:MM"}` in the place's time zone; an end before the start crosses midnight
    (22:00-06:00 on Fri covers Friday night into Saturday morning). Empty: any time.
    `valid_from` and `valid_until` are the first and last day (inclusive, the place's
    calendar) the grant applies.
    """

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="grants")
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="grants")
    door = models.ForeignKey(Door, on_delete=models.CASCADE, related_name="grants")
    schedule = models.JSONField(default=list, blank=True)
    valid_from = models.DateField(null=True, blank=True)
    valid_until = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept as text so the record survives the account's deletion ("API key 'gate'" for keys).
    created_by_label = models.CharField(max_length=320, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_from__lte=F("valid_until")),
                name="grant_valid_from_before_until",
            ),
        ]
        indexes = [
            # The decision: the grants on one door of the person's groups.
            models.Index(fields=["door", "group"], name="grant_door_group"),
            models.Index(fields=["group", "door"], name="grant_group_door"),
        ]

    def __str__(self) -> str:
        return f"{self.group} → {self.door}"


class Credential(models.Model):
    """A card a person presents at a reader. A card number is live for one person of the
    org at a time; a revoked card is kept for the record."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        REVOKED = "revoked", "Revoked"

    class Source(models.TextChoices):
        SCIM = "scim", "Identity provider (SCIM)"
        CONSOLE = "console", "Console"

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="credentials")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="credentials")
    number = models.CharField(max_length=64)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.CONSOLE)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["org", "number"],
                condition=Q(status="active"),
                name="credential_one_live_number_per_org",
            ),
        ]
        indexes = [models.Index(fields=["person", "status"], name="credential_person")]

    def __str__(self) -> str:
        return f"card {self.number} ({self.get_status_display()})"


class AccessEvent(models.Model):
    """One access decision, append-only: never updated or deleted by the product.

    The door, person and grant are kept as references and as text snapshots, so the record
    reads the same after any of them is renamed or deleted.
    """

    class Decision(models.TextChoices):
        ALLOW = "allow", "Allowed"
        DENY = "deny", "Denied"

    class Source(models.TextChoices):
        API = "api", "API"
        WEB = "web", "Web (My doors)"
        CONSOLE = "console", "Console (Why?)"

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="access_events")
    door = models.ForeignKey(
        Door, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    door_label = models.CharField(max_length=200)
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="access_events"
    )
    person_scim_id = models.CharField(max_length=64, blank=True)
    person_label = models.CharField(max_length=255, blank=True)
    card_number = models.CharField(max_length=64, blank=True)
    decision = models.CharField(max_length=8, choices=Decision.choices)
    reason = models.CharField(max_length=32)
    grant = models.ForeignKey(
        Grant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    grant_label = models.CharField(max_length=500, blank=True)
    source = models.CharField(max_length=16, choices=Source.choices)
    # Who asked: an API key's name, the console account's email; empty for the person.
    requested_by = models.CharField(max_length=320, blank=True)
    latency_us = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["org", "-created_at", "-id"], name="accessevent_org_recent"),
            models.Index(fields=["door", "-created_at", "-id"], name="accessevent_door_recent"),
            models.Index(fields=["person", "-created_at", "-id"], name="accessevent_person_recent"),
        ]

    def __str__(self) -> str:
        who = self.person_label or (f"card {self.card_number}" if self.card_number else "?")
        return f"{self.created_at:%Y-%m-%d %H:%M} {who} at {self.door_label}: {self.reason}"

    @property
    def latency_ms(self) -> float:
        return round(self.latency_us / 1000, 3)


class ApiKey(models.Model):
    """A REST API key of one org. Only its SHA-256 digest and last four characters are
    stored; the key itself is shown once, on the response that created it."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100)
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
        verbose_name = "API key"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                "org",
                Lower("name"),
                condition=Q(revoked_at__isnull=True),
                name="apikey_unique_live_name_per_org",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.masked})"

    @property
    def masked(self) -> str:
        return f"kapi_…{self.last4}"

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None
