"""Organizations and the console accounts that manage them."""

import re

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from accounts.exceptions import Conflict
from accounts.models import Account, Membership, Organization, SSOConnection
from accounts.services.audit import audit_record

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


@transaction.atomic
def org_create(
    *,
    slug: str,
    name: str,
    owner_email: str,
    owner_password: str | None = None,
    actor: Account | None = None,
) -> tuple[Organization, Account]:
    """Create an organization with its owner; an existing account becomes the owner as is.

    A new owner account needs a password that passes the password validators.
    """
    org_slug_validate(slug)
    name = name.strip()
    if not name:
        raise ValidationError("The organization needs a name.", code="required")
    name_max = Organization._meta.get_field("name").max_length
    if len(name) > name_max:
        raise ValidationError(
            f"The organization name is longer than {name_max} characters.", code="max_length"
        )
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
    SSOConnection.objects.create(org=org)
    audit_record(
        org=org, actor=actor, action="org.created", target=org, details={"owner": owner.email}
    )
    return org, owner


@transaction.atomic
def membership_add(
    *, org: Organization, account: Account, role: str = Membership.Role.ADMIN, actor: Account | None
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
def org_owner_transfer(*, org: Organization, new_owner: Account, actor: Account | None) -> None:
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
