"""The org's people: create, change, suspend and reactivate. Never hard-deleted by the IdP."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.actor import Actor
from accounts.models import (
    ConsoleSuspension,
    GroupMembership,
    Organization,
    Person,
    PersonEmail,
)
from accounts.selectors.people import console_suspension_get
from accounts.services.audit import audit_record
from accounts.usernames import user_name_problem
from kisiscim.exceptions import Conflict


@dataclass(frozen=True)
class EmailData:
    value: str
    type: str = ""
    primary: bool = False


# Attributes a caller may set through person_create / person_update, with their max lengths.
PERSON_TEXT_FIELDS = {
    "user_name": 255,
    "external_id": 255,
    "given_name": 255,
    "family_name": 255,
    "display_name": 255,
    "locale": 255,
}


def _clean_text(field: str, value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError({field: [f"{field} must be a string."]}, code="invalid_type")
    value = value.strip()
    limit = PERSON_TEXT_FIELDS[field]
    if len(value) > limit:
        raise ValidationError({field: [f"{field} is longer than {limit} characters."]})
    if "\x00" in value:
        raise ValidationError({field: [f"{field} contains a NUL character."]})
    if field == "user_name":
        problem = user_name_problem(value)
        if problem:
            raise ValidationError({field: [problem]}, code="invalid_user_name")
    return value


def email_address_is_valid(value: object) -> bool:
    """Whether `value` is one plain email address (no display name, list, scheme or line
    break): the only kind of address the product stores or sends to."""
    if not isinstance(value, str) or not value or len(value) > 320:
        return False
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


def _clean_emails(emails: Sequence[EmailData]) -> list[EmailData]:
    cleaned: list[EmailData] = []
    seen: set[str] = set()
    for email in emails:
        value = (email.value or "").strip()
        if not value:
            continue
        if len(value) > 320 or "\x00" in value:
            raise ValidationError({"emails": ["An email address is longer than 320 characters."]})
        if not email_address_is_valid(value):
            raise ValidationError({"emails": [f"{value!r} is not a valid email address."]})
        if value.lower() in seen:
            continue
        seen.add(value.lower())
        cleaned.append(EmailData(value=value, type=(email.type or "")[:32], primary=email.primary))
    if sum(e.primary for e in cleaned) > 1:
        # RFC 7643 §2.4: at most one primary value; keep the first one marked.
        first = next(i for i, e in enumerate(cleaned) if e.primary)
        cleaned = [
            EmailData(value=e.value, type=e.type, primary=i == first) for i, e in enumerate(cleaned)
        ]
    return cleaned


def _user_name_conflict(org: Organization, user_name: str) -> Conflict:
    return Conflict(
        f"A person with userName {user_name!r} already exists in this organization.",
        field="user_name",
    )


def _save_new(person: Person, emails: list[EmailData]) -> None:
    try:
        # A savepoint, so the constraint violation leaves the outer transaction usable.
        with transaction.atomic():
            person.save(force_insert=True)
    except IntegrityError as exc:
        raise _user_name_conflict(person.org, person.user_name) from exc
    PersonEmail.objects.bulk_create(
        [PersonEmail(person=person, value=e.value, type=e.type, primary=e.primary) for e in emails]
    )


@transaction.atomic
def person_create(
    *,
    org: Organization,
    user_name: str,
    external_id: str = "",
    given_name: str = "",
    family_name: str = "",
    display_name: str = "",
    locale: str = "",
    emails: Sequence[EmailData] = (),
    active: bool = True,
    send_emails: bool = True,
    actor: Actor,
) -> Person:
    """Create one of the org's people. A case-insensitive duplicate userName is a Conflict.

    The database's unique index decides, so concurrent creates of one userName yield one row.
    People the IdP creates are marked as provisioned by SCIM; the others as made by hand.
    """
    values = {
        "user_name": _clean_text("user_name", user_name),
        "external_id": _clean_text("external_id", external_id),
        "given_name": _clean_text("given_name", given_name),
        "family_name": _clean_text("family_name", family_name),
        "display_name": _clean_text("display_name", display_name),
        "locale": _clean_text("locale", locale),
    }
    if not values["user_name"]:
        raise ValidationError({"user_name": ["userName is required."]}, code="required")
    now = timezone.now()
    person = Person(
        org=org,
        is_active=active,
        suspended_at=None if active else now,
        send_emails=send_emails,
        provisioned_by=Person.Source.SCIM if actor.is_scim else Person.Source.MANUAL,
        created_at=now,
        updated_at=now,
        **values,
    )
    _save_new(person, _clean_emails(emails))
    audit_record(
        org=org,
        actor=actor,
        action="person.created",
        target=person,
        details={"send_emails": send_emails, "active": active},
    )
    return person


@transaction.atomic
def person_update(
    *,
    person: Person,
    changes: dict[str, Any],
    emails: Sequence[EmailData] | None = None,
    actor: Actor,
) -> list[str]:
    """Apply attribute changes (keys of PERSON_TEXT_FIELDS) and, if given, replace the emails.

    Returns the names of what changed. A userName taken by someone else in the org is a
    Conflict; changing only the case of one's own userName is allowed.
    """
    unknown = set(changes) - set(PERSON_TEXT_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown person attributes: {', '.join(sorted(unknown))}.")
    changed: list[str] = []
    # Old and new values of what changed, for the person's history (the audit event).
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for field, raw in changes.items():
        value = _clean_text(field, raw)
        if field == "user_name" and not value:
            raise ValidationError({"user_name": ["userName cannot be empty."]}, code="required")
        if getattr(person, field) != value:
            before[field], after[field] = getattr(person, field), value
            setattr(person, field, value)
            changed.append(field)
    if emails is not None:
        new_emails = _clean_emails(emails)
        current = [EmailData(e.value, e.type, e.primary) for e in person.emails.all()]
        if current != new_emails:
            before["emails"] = [e.value for e in current]
            after["emails"] = [e.value for e in new_emails]
            PersonEmail.objects.filter(person=person).delete()
            PersonEmail.objects.bulk_create(
                [
                    PersonEmail(person=person, value=e.value, type=e.type, primary=e.primary)
                    for e in new_emails
                ]
            )
            changed.append("emails")
            # Drop any prefetched emails so the caller serialises the new ones.
            getattr(person, "_prefetched_objects_cache", {}).pop("emails", None)
    if changed:
        person.updated_at = timezone.now()
        try:
            with transaction.atomic():
                person.save(update_fields=[f for f in changed if f != "emails"] + ["updated_at"])
        except IntegrityError as exc:
            raise _user_name_conflict(person.org, person.user_name) from exc
        audit_record(
            org=person.org,
            actor=actor,
            action="person.updated",
            target=person,
            details={"changed": changed, "from": before, "to": after},
        )
    return changed


@transaction.atomic
def person_suspend(*, person: Person, actor: Actor, details: dict[str, Any] | None = None) -> bool:
    """Suspend a person: door access ends at once; the row, id, groups and history stay.

    Idempotent: returns False when the person was already suspended.
    """
    if not person.is_active:
        if actor.is_scim:  # a locked person is suspended: the IdP now wants them so too
            ConsoleSuspension.objects.filter(person=person).update(idp_active=False)
        return False
    person.is_active = False
    person.suspended_at = person.updated_at = timezone.now()
    person.save(update_fields=["is_active", "suspended_at", "updated_at"])
    audit_record(
        org=person.org,
        actor=actor,
        action="person.suspended",
        target=person,
        details=details,
    )
    return True


SUSPENSION_REASON_MAX_LENGTH = 500


def _lock_person(person: Person) -> None:
    """Serialise the lock's writes with a concurrent reactivation of the same person (a row
    lock on PostgreSQL; SQLite serialises writers), then read their state as committed: a
    reactivation that waited for a console suspension must see its lock, not overwrite it."""
    Person.objects.select_for_update().filter(pk=person.pk).values_list("pk", flat=True).first()
    person.refresh_from_db(fields=["is_active", "suspended_at", "idp_deleted_at", "updated_at"])


@transaction.atomic
def person_console_suspend(*, person: Person, reason: str, actor: Actor) -> ConsoleSuspension:
    """Suspend a person from the console and lock the suspension: no door opens for them
    from this commit on, and the IdP cannot lift it (`person_reactivate` ignores SCIM's
    `active: true` while the lock exists); only `person_console_reactivate` does.

    Only a console account may set it, with a reason. A person already suspended (by the
    IdP) is locked as they are; a person already locked is a Conflict.
    """
    if actor.account is None:
        raise ValidationError("Only a console account can suspend someone in the console.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["Say why (the owner is told)."]}, code="required")
    if len(reason) > SUSPENSION_REASON_MAX_LENGTH or "\x00" in reason:
        raise ValidationError(
            {"reason": [f"At most {SUSPENSION_REASON_MAX_LENGTH} characters."]}, code="invalid"
        )
    _lock_person(person)
    if ConsoleSuspension.objects.filter(person=person).exists():
        raise Conflict(f"{person.user_name} is already suspended in the console.")
    details = {"reason": reason, "locked": True}
    idp_active = person.is_active and person.idp_deleted_at is None
    if not person_suspend(person=person, actor=actor, details=details):
        audit_record(
            org=person.org, actor=actor, action="person.suspended", target=person, details=details
        )
    return ConsoleSuspension.objects.create(
        person=person,
        suspended_at=timezone.now(),
        suspended_by=actor.account,
        suspended_by_label=actor.label,
        reason=reason,
        idp_active=idp_active,
    )


@transaction.atomic
def person_console_reactivate(*, person: Person, actor: Actor) -> bool:
    """Lift the console's lock and give the person back the state the IdP wants: active again
    (same id and groups) if it last said so, else still suspended.

    Only a console suspension is lifted here: one the IdP made stays the IdP's to undo (SCIM
    is the source of truth), so a person without a lock is a ValidationError, and a lock on
    someone the IdP suspended or deleted (before or during the lock) leaves them suspended.
    Returns whether the person was reactivated.
    """
    if actor.account is None:
        raise ValidationError("Only a console account can lift a console suspension.")
    _lock_person(person)
    lock = ConsoleSuspension.objects.filter(person=person).first()
    if lock is None:
        raise ValidationError(
            "Only a suspension made in the console can be lifted here; the identity provider "
            "reactivates the people it suspended."
        )
    lock.delete()
    if not lock.idp_active or person.idp_deleted_at is not None:
        audit_record(
            org=person.org,
            actor=actor,
            action="person.console_lock_lifted",
            target=person,
            details={"stays_suspended": "suspended by the identity provider"},
        )
        return False
    return _reactivate(person=person, actor=actor, details={"lock_lifted": True})


@transaction.atomic
def person_idp_delete(*, person: Person) -> bool:
    """The IdP deleted the person (SCIM DELETE): suspend them and hide them from SCIM.

    The person stays in the console for the cleanup audit, and a later SCIM create with the
    same userName brings the same person back. Their group memberships go, as a deleted
    resource's do (RFC 7644 §3.6): the IdP re-adds them if it brings the person back.
    Returns whether this suspended the person (False: they were suspended already).
    """
    actor = Actor.scim()
    suspended = person_suspend(person=person, actor=actor)
    if person.idp_deleted_at is None:
        person.idp_deleted_at = timezone.now()
        person.save(update_fields=["idp_deleted_at"])
        memberships = GroupMembership.objects.filter(person=person)
        groups = list(memberships.values_list("group__display_name", flat=True)[:50])
        memberships.delete()
        audit_record(
            org=person.org,
            actor=actor,
            action="person.deleted_by_idp",
            target=person,
            details={"removed_from_groups": groups},
        )
    return suspended


@transaction.atomic
def person_reactivate(*, person: Person, actor: Actor) -> bool:
    """Reactivate a suspended person with the same id and groups. Idempotent.

    A console suspension is a lock: the IdP's `active: true` (or anyone else's call but
    `person_console_reactivate`) is then recorded
    ("person.reactivation_ignored") and ignored, and False returned; the person stays
    suspended (one the IdP had deleted and now brings back is visible to SCIM again,
    suspended)."""
    if person.is_active:
        return False
    _lock_person(person)
    if person.is_active:
        return False
    lock = console_suspension_get(person=person)
    if lock is not None:
        if person.idp_deleted_at is not None:
            person.idp_deleted_at = None
            person.save(update_fields=["idp_deleted_at"])
        if not lock.idp_active:
            lock.idp_active = True
            lock.save(update_fields=["idp_active"])
        audit_record(
            org=person.org,
            actor=actor,
            action="person.reactivation_ignored",
            target=person,
            details={"locked_by": lock.suspended_by_label, "reason": lock.reason},
        )
        return False
    return _reactivate(person=person, actor=actor)


def _reactivate(*, person: Person, actor: Actor, details: dict[str, Any] | None = None) -> bool:
    if person.is_active:
        return False
    person.is_active = True
    person.suspended_at = None
    person.idp_deleted_at = None
    person.updated_at = timezone.now()
    person.save(update_fields=["is_active", "suspended_at", "idp_deleted_at", "updated_at"])
    audit_record(
        org=person.org,
        actor=actor,
        action="person.reactivated",
        target=person,
        details=details,
    )
    return True
