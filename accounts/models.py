"""Organizations, the console accounts that manage them, people and groups, the audit trail.

Rules live in `services.py`; reads in `selectors.py`. Invariants that the database can hold
(one owner per org, case-insensitive uniqueness of userName and displayName per org) are
database constraints, so they hold on SQLite and PostgreSQL alike and under concurrency.
"""

import uuid

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.usernames import user_name_key

# `field__lower=...` compiles to LOWER(field) = ..., which the functional unique indexes
# below serve. Django's `iexact` compiles to UPPER() on PostgreSQL and would not use them.
models.CharField.register_lookup(Lower)


def new_scim_id() -> str:
    """An opaque, unguessable id for a SCIM resource; it never changes once assigned."""
    return uuid.uuid4().hex


def scim_id_is_possible(value: object) -> bool:
    """Whether `value` could name a stored resource. Anything else names nothing, and must
    not reach a query: PostgreSQL refuses NUL characters in any text parameter."""
    return isinstance(value, str) and 0 < len(value) <= 64 and "\x00" not in value


class Organization(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=63, unique=True)
    cleanup_threshold_days = models.PositiveIntegerField(
        default=30,
        help_text="People suspended for longer than this are flagged by the cleanup audit.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AccountManager(BaseUserManager["Account"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra) -> "Account":
        if not email:
            raise ValueError("An account needs an email address.")
        account = self.model(email=self.normalize_email(email).lower(), **extra)
        account.set_password(password)
        account.save(using=self._db)
        return account

    def create_superuser(self, email: str, password: str | None = None, **extra) -> "Account":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> "Account":
        # Emails are stored lowercased, so signing in as "Ada@Example.com" finds the account.
        return self.get(email=(username or "").strip().lower())


class Account(AbstractBaseUser, PermissionsMixin):
    """A person who signs in to the console (an org owner or admin, or staff)."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = AccountManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.email

    def clean(self) -> None:
        """Lowercase the email, as `create_user` does, so forms (the admin's) store it alike."""
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()


class Membership(models.Model):
    """An account's role in one organization."""

    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        ADMIN = "admin", "Admin"

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="memberships")
    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(default=timezone.now)
    # When the account last opened one of this org's pages (to a few minutes): sign-in lands
    # on the org used last.
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "org"], name="membership_unique_account_org"
            ),
            models.UniqueConstraint(
                fields=["org"], condition=Q(role="owner"), name="membership_one_owner_per_org"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account} ({self.get_role_display()} of {self.org})"


class Person(models.Model):
    """One of the org's people: what a SCIM User is. Never hard-deleted by the IdP."""

    class Source(models.TextChoices):
        SCIM = "scim", "SCIM"
        MANUAL = "manual", "Manual"

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="people")
    scim_id = models.CharField(max_length=64, unique=True, default=new_scim_id, editable=False)
    # Stored and echoed exactly as sent; unique per org case-insensitively (RFC 7643 §4.1.1:
    # userName is caseExact false).
    user_name = models.CharField(max_length=255)
    # accounts.usernames.user_name_key(user_name): the RFC 8265 comparison key (width-mapped,
    # case-folded, NFC) that carries uniqueness and every userName lookup, on any database.
    user_name_key = models.CharField(max_length=1024, blank=True, editable=False)
    external_id = models.CharField(max_length=255, blank=True)
    given_name = models.CharField(max_length=255, blank=True)
    family_name = models.CharField(max_length=255, blank=True)
    display_name = models.CharField(max_length=255, blank=True)
    locale = models.CharField(max_length=255, blank=True)
    is_active = models.BooleanField(default=True)
    suspended_at = models.DateTimeField(null=True, blank=True)
    # Set when the IdP sent DELETE: the person is suspended and hidden from SCIM (which must
    # then answer 404, RFC 7644 §3.6), but kept for the console's cleanup audit.
    idp_deleted_at = models.DateTimeField(null=True, blank=True)
    # Set once, on creation; False means the product never emails this person.
    send_emails = models.BooleanField(default=True)
    provisioned_by = models.CharField(max_length=16, choices=Source.choices, default=Source.MANUAL)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "people"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["org", "user_name_key"],
                name="person_unique_username_key_per_org",
                condition=~Q(user_name_key=""),
            ),
        ]
        indexes = [
            models.Index(fields=["org", "external_id"], name="person_org_external_id"),
            models.Index(fields=["org", "is_active", "suspended_at"], name="person_org_suspension"),
            # SCIM lists: the org's visible people in primary-key order (pages and keyset
            # continuations), and their COUNT as an index-only scan.
            models.Index(
                fields=["org", "id"],
                name="person_org_scim_visible",
                condition=Q(idp_deleted_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.user_name

    def save(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        # The key is derived, never set by hand: kept in step with user_name on every save.
        self.user_name_key = user_name_key(self.user_name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "user_name" in update_fields:
            kwargs["update_fields"] = [*update_fields, "user_name_key"]
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.given_name, self.family_name) if p) or self.display_name

    @property
    def primary_email(self) -> str:
        """The primary address, from prefetched `emails` when available."""
        emails = list(self.emails.all())
        for email in emails:
            if email.primary:
                return email.value
        return emails[0].value if emails else ""


class ConsoleSuspension(models.Model):
    """A lock an owner or admin put on one of the org's people in an emergency.

    While it exists the person stays suspended whatever the IdP sends: Okta's later
    `active: true` is recorded and ignored until an owner or admin lifts the lock in the
    console. Its own table (not columns of the people table) so the lock never rewrites that
    table, and its triggers, on SQLite."""

    person = models.OneToOneField(
        Person, primary_key=True, on_delete=models.CASCADE, related_name="console_suspension"
    )
    suspended_at = models.DateTimeField(default=timezone.now)
    suspended_by = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept as text so the lock still names who set it after the account's deletion.
    suspended_by_label = models.CharField(max_length=320)
    reason = models.CharField(max_length=500)
    # What the IdP wants meanwhile: active (True) or suspended or deleted (False). Lifting the
    # lock gives it back what it wants; it does not reactivate someone the IdP suspended.
    idp_active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"{self.person} suspended in the console by {self.suspended_by_label}"


class PersonEmail(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="emails")
    value = models.CharField(max_length=320)
    type = models.CharField(max_length=32, blank=True)
    primary = models.BooleanField(default=False)

    class Meta:
        ordering = ["-primary", "id"]
        indexes = [models.Index(Lower("value"), name="personemail_lower_value")]

    def __str__(self) -> str:
        return self.value


class Group(models.Model):
    """A group of the org's people; groups are what grant door access.

    `source` says who owns the membership: a group the IdP pushed (or linked and then
    changed over SCIM) has its members managed by the IdP, read-only in the console; a group
    made in the console has its members edited there. Door grants belong to the console and
    the API whatever the source: SCIM never touches them.
    """

    class Source(models.TextChoices):
        SCIM = "scim", "Identity provider (SCIM)"
        CONSOLE = "console", "Console"

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="groups")
    scim_id = models.CharField(max_length=64, unique=True, default=new_scim_id, editable=False)
    display_name = models.CharField(max_length=255)
    external_id = models.CharField(max_length=255, blank=True)
    members = models.ManyToManyField(Person, through="GroupMembership", related_name="groups")
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.CONSOLE)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                "org", Lower("display_name"), name="group_unique_display_name_per_org"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def members_managed_by_idp(self) -> bool:
        return self.source == self.Source.SCIM


class GroupMembership(models.Model):
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "person"], name="groupmembership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.group}"


class OrgPeopleCount(models.Model):
    """How many of the org's people SCIM sees (all but those the IdP deleted), kept exact by
    triggers on the people table (migration 0008), so a SCIM list's totalResults needs no
    COUNT over a large org, whatever writes the rows (a service, the admin, a bulk load)."""

    org = models.OneToOneField(
        Organization, primary_key=True, on_delete=models.CASCADE, related_name="people_count"
    )
    scim_visible = models.IntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.scim_visible} people in {self.org_id}"


class AuditEvent(models.Model):
    """An append-only record of who did what. Never updated or deleted by the product."""

    class ActorKind(models.TextChoices):
        ACCOUNT = "account", "Account"
        PERSON = "person", "Person"
        API = "api", "API key"
        SCIM = "scim", "SCIM"
        SYSTEM = "system", "System"

    org = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="audit_events"
    )
    actor_kind = models.CharField(max_length=16, choices=ActorKind.choices)
    actor = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept as text so the trail survives the account's deletion.
    actor_label = models.CharField(max_length=320, blank=True)
    action = models.CharField(max_length=64)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=320, blank=True)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["org", "-created_at"], name="auditevent_org_recent"),
            # One person's (or group's) history, newest first: the person page's timeline.
            models.Index(
                fields=["org", "target_type", "target_id", "-created_at"],
                name="auditevent_target_recent",
            ),
        ]

    def __str__(self) -> str:
        who = self.actor_label or self.get_actor_kind_display()
        return f"{self.created_at:%Y-%m-%d %H:%M} {who}: {self.action} {self.target_label}"
