"""What a person's SCIM lifecycle sets off: the accounts service makes the change, then the
side effects that other sub-domains own follow, in the same transaction or after it commits.

    create      -> the welcome email (unless sendEmails is false), after commit
    suspend     -> the mass-deactivation alert's count, after commit
    reactivate  -> the person's open cleanup finding is resolved, in the same transaction
    idp_delete  -> suspend (as above), then hidden from SCIM
    card_set    -> the card credential the IdP manages (cardNumber), in access

And the console's emergency lock, which the IdP cannot lift:

    console_suspend     -> the owner is told (outbox), in the same transaction
    console_reactivate  -> the open cleanup finding is resolved; the owner is told

The SCIM adapters call these, never the accounts services directly, so no side effect is
forgotten by one entry point and remembered by another.
"""

from collections.abc import Sequence

from django.db import transaction

from access.services.credentials import scim_card_set
from accounts.actor import Actor
from accounts.models import Organization, Person
from accounts.services.people import (
    EmailData,
    person_console_reactivate,
    person_console_suspend,
    person_create,
    person_idp_delete,
    person_reactivate,
    person_suspend,
)
from notifications.services import (
    mass_deactivation_note_on_commit,
    owner_change_notice_on_commit,
    person_email_on_commit,
)
from provisioning.services.cleanup import cleanup_findings_resolve_for_person


@transaction.atomic
def scim_person_create(
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
) -> Person:
    """Create a person for the IdP and, once that commits, welcome them (if they may be
    emailed and are active)."""
    person = person_create(
        org=org,
        user_name=user_name,
        external_id=external_id,
        given_name=given_name,
        family_name=family_name,
        display_name=display_name,
        locale=locale,
        emails=emails,
        active=active,
        send_emails=send_emails,
        actor=Actor.scim(),
    )
    if active:
        person_email_on_commit(person=person, kind="welcome")
    return person


@transaction.atomic
def scim_person_suspend(*, person: Person) -> bool:
    """Suspend for the IdP (`active: false`); counted towards the mass-deactivation alert."""
    suspended = person_suspend(person=person, actor=Actor.scim())
    if suspended:
        mass_deactivation_note_on_commit(person=person)
    return suspended


@transaction.atomic
def scim_person_reactivate(*, person: Person) -> bool:
    """Reactivate for the IdP (`active: true`); in the same transaction, the person's open
    cleanup finding is resolved, so no one is ever active with an open finding.

    While the person is suspended in the console (a lock), the IdP's `active: true` is
    recorded and ignored: False, and the person stays suspended."""
    actor = Actor.scim()
    reactivated = person_reactivate(person=person, actor=actor)
    if reactivated:
        cleanup_findings_resolve_for_person(person=person, actor=actor)
    return reactivated


@transaction.atomic
def scim_person_idp_delete(*, person: Person) -> None:
    """The IdP deleted the person (SCIM DELETE): suspended and hidden from SCIM."""
    if person_idp_delete(person=person):
        mass_deactivation_note_on_commit(person=person)


@transaction.atomic
def scim_person_card_set(*, person: Person, number: str | None) -> bool:
    """The IdP's `cardNumber` (our extension schema): the person's IdP-managed card becomes
    this number, or is revoked for None or "". Cards added in the console stay."""
    return scim_card_set(person=person, number=number)


def _person_notice(*, person: Person, actor: Actor, subject: str, detail: str) -> None:
    name = person.full_name or person.user_name
    owner_change_notice_on_commit(
        org=person.org,
        subject=f"{subject}: {name}",
        actor=actor,
        detail=f"{name} (userName {person.user_name}).\n{detail}",
        footer="The person's page in the KisiSCIM console shows their history.",
    )


@transaction.atomic
def console_person_suspend(*, person: Person, reason: str, actor: Actor) -> None:
    """An owner or admin suspends a person in an emergency: every door closes for them from
    the commit on, the IdP cannot lift it, and the owner is told (every use)."""
    person_console_suspend(person=person, reason=reason, actor=actor)
    _person_notice(
        person=person,
        actor=actor,
        subject="Suspended in the console",
        detail=(
            f"Reason: {reason.strip()}\nNo door opens for them now, and the identity provider "
            "cannot reactivate them until an owner or admin does in the console."
        ),
    )


@transaction.atomic
def console_person_reactivate(*, person: Person, actor: Actor) -> bool:
    """An owner or admin lifts a console suspension: the person is active again (same id and
    groups) and their open cleanup finding resolved, unless the identity provider suspended
    or deleted them (they stay suspended, the IdP's to undo); the owner is told either way.
    Returns whether the person is active again."""
    reactivated = person_console_reactivate(person=person, actor=actor)
    if reactivated:
        cleanup_findings_resolve_for_person(person=person, actor=actor)
    _person_notice(
        person=person,
        actor=actor,
        subject="Console suspension lifted",
        detail=(
            "They are active again; their groups' door grants apply from now on."
            if reactivated
            else "They stay suspended: the identity provider suspended them, and it "
            "reactivates them."
        ),
    )
    return reactivated
