"""Organizations and the console accounts that manage them."""

import datetime as dt
import re

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.actor import Actor
from accounts.models import Account, Membership, Organization
from accounts.services.audit import audit_record
from kisiscim.exceptions import Conflict

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


def org_slug_validate(slug: str) -> None:
    if not SLUG_RE.match(slug):
        raise ValidationError(
            f"Invalid slug {slug!r}: use 1-63 lowercase letters, digits and inner hyphens.",
            code="invalid_slug",
        )


def _is_email(value: str) -> bool:
    if len(value) > Account._meta.get_field("email").max_length:
        return False
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


def _clean_org_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise ValidationError("The organization needs a name.", code="required")
    name_max = Organization._meta.get_field("name").max_length
    if len(name) > name_max:
        raise ValidationError(
            f"The organization name is longer than {name_max} characters.", code="max_length"
        )
    return name


@transaction.atomic
def org_create(
    *,
    slug: str,
    name: str,
    owner_email: str,
    owner_password: str | None = None,
    actor: Actor,
) -> tuple[Organization, Account]:
    """Create an organization with its owner; an existing account becomes the owner as is.

    A new owner account needs a password that passes the password validators.
    """
    org_slug_validate(slug)
    name = _clean_org_name(name)
    owner_email = Account.objects.normalize_email(owner_email.strip()).lower()
    if not _is_email(owner_email):
        raise ValidationError(f"Invalid owner email {owner_email!r}.", code="invalid_email")
    if Organization.objects.filter(slug=slug).exists():
        raise Conflict(f"An organization with slug {slug!r} already exists.", field="slug")

    owner = Account.objects.filter(email=owner_email).first()
    if owner is None:
        if not owner_password:
            raise ValidationError("A new owner account needs a password.", code="password")
        validate_password(owner_password, Account(email=owner_email))
        owner = Account.objects.create_user(owner_email, owner_password)
    try:
        with transaction.atomic():
            org = Organization.objects.create(slug=slug, name=name)
    except IntegrityError as exc:  # a concurrent create won the race
        raise Conflict(f"An organization with slug {slug!r} already exists.") from exc
    Membership.objects.create(account=owner, org=org, role=Membership.Role.OWNER)
    audit_record(
        org=org, actor=actor, action="org.created", target=org, details={"owner": owner.email}
    )
    return org, owner


@transaction.atomic
def membership_add(
    *, org: Organization, account: Account, role: str = Membership.Role.ADMIN, actor: Actor
) -> Membership:
    """Give an account a non-owner role in the org (idempotent); use the transfer for owners."""
    if role == Membership.Role.OWNER:
        raise ValidationError("Use the ownership transfer to make someone the owner.")
    membership, created = Membership.objects.get_or_create(
        account=account, org=org, defaults={"role": role}
    )
    if created:
        audit_record(
            org=org, actor=actor, action="membership.added", target=account, details={"role": role}
        )
    return membership


@transaction.atomic
def org_owner_transfer(*, org: Organization, new_owner: Account, actor: Actor) -> None:
    """Make `new_owner` the org's only owner; the previous owner stays on as an admin."""
    current = (
        Membership.objects.select_for_update().filter(org=org, role=Membership.Role.OWNER).first()
    )
    if current and current.account_id == new_owner.pk:
        return
    if current:
        # Demote first: the partial unique constraint allows one owner row at any moment.
        current.role = Membership.Role.ADMIN
        current.save(update_fields=["role"])
    Membership.objects.update_or_create(
        account=new_owner, org=org, defaults={"role": Membership.Role.OWNER}
    )
    audit_record(
        org=org,
        actor=actor,
        action="org.owner_transferred",
        target=new_owner,
        details={"previous_owner": current.account.email if current else None},
    )


@transaction.atomic
def membership_role_set(
    *, org: Organization, account: Account, role: str, actor: Actor
) -> Membership:
    """Give the account `role` in the org: an admin joins or stays, a new owner takes over
    (the previous owner stays on as an admin). The owner is never demoted here: ownership
    moves only to someone else."""
    current = Membership.objects.select_for_update().filter(org=org, account=account).first()
    if role == Membership.Role.OWNER:
        org_owner_transfer(org=org, new_owner=account, actor=actor)
        return Membership.objects.get(org=org, account=account)
    if current is not None and current.role == Membership.Role.OWNER:
        raise ValidationError(
            f"{account.email} is the owner of {org.name}: transfer the ownership to someone "
            "else first.",
            code="owner_demotion",
        )
    if current is None:
        return membership_add(org=org, account=account, role=role, actor=actor)
    if current.role != role:
        old = current.role
        current.role = role
        current.save(update_fields=["role"])
        audit_record(
            org=org,
            actor=actor,
            action="membership.role_changed",
            target=account,
            details={"from": old, "to": role},
        )
    return current


@transaction.atomic
def membership_remove(*, org: Organization, account: Account, actor: Actor) -> bool:
    """Take the account's role in the org away; the owner cannot be removed (an org always
    has one). Returns whether there was a role to remove."""
    current = Membership.objects.select_for_update().filter(org=org, account=account).first()
    if current is None:
        return False
    if current.role == Membership.Role.OWNER:
        raise ValidationError(
            f"{account.email} is the owner of {org.name}: transfer the ownership to someone "
            "else first.",
            code="owner_removal",
        )
    current.delete()
    audit_record(
        org=org,
        actor=actor,
        action="membership.removed",
        target=account,
        details={"role": current.role},
    )
    return True


@transaction.atomic
def org_rename(*, org: Organization, name: str, actor: Actor) -> bool:
    """Change the organization's display name (its slug, in every URL, never changes).
    Returns whether it changed."""
    name = _clean_org_name(name)
    if name == org.name:
        return False
    old, org.name = org.name, name
    org.save(update_fields=["name"])
    audit_record(
        org=org, actor=actor, action="org.renamed", target=org, details={"from": old, "to": name}
    )
    return True


@transaction.atomic
def account_create(
    *, email: str, full_name: str = "", password: str | None = None, actor: Actor
) -> Account:
    """A new console account. Without a password it can sign in with SSO only."""
    email = Account.objects.normalize_email(email.strip()).lower()
    if not _is_email(email):
        raise ValidationError(f"Invalid email {email!r}.", code="invalid_email")
    if Account.objects.filter(email=email).exists():
        raise Conflict(f"An account with email {email!r} already exists.", field="email")
    if password:
        validate_password(password, Account(email=email))
    account = Account.objects.create_user(email, password, full_name=full_name.strip()[:200])
    audit_record(org=None, actor=actor, action="account.created", target=account)
    return account


# How often a membership's last use is written: once per this many seconds of use, not on
# every request.
LAST_USED_RESOLUTION = dt.timedelta(minutes=5)


def membership_used(*, membership: Membership, now: dt.datetime | None = None) -> bool:
    """Record that the account opened one of the org's pages now, at most once per
    LAST_USED_RESOLUTION. Not audited: it is a convenience (where sign-in lands), not a
    change anyone made. Returns whether it wrote."""
    now = now or timezone.now()
    last = membership.last_used_at
    if last is not None and now - last < LAST_USED_RESOLUTION and now >= last:
        return False
    membership.last_used_at = now
    # An UPDATE of this one column, so a concurrent role change is not overwritten.
    Membership.objects.filter(pk=membership.pk).update(last_used_at=now)
    return True
