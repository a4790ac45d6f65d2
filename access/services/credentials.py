"""Card credentials: added and revoked in the console, or set by the IdP through SCIM's
`cardNumber` (our extension schema). A card number is live for one person of the org at a
time (a unique index decides, also under concurrency)."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from access.models import Credential
from accounts.actor import Actor
from accounts.models import Person
from accounts.services.audit import audit_record
from kisiscim.exceptions import Conflict

NUMBER_MAX = 64


def card_number_clean(value: object) -> str:
    if not isinstance(value, str):
        raise ValidationError({"number": ["A card number must be a string."]})
    number = value.strip()
    if not number:
        raise ValidationError({"number": ["Enter the card number."]}, code="required")
    if len(number) > NUMBER_MAX or not number.isprintable():
        raise ValidationError(
            {"number": [f"A card number is at most {NUMBER_MAX} printable characters."]}
        )
    return number


def _add(person: Person, number: str, source: str, actor: Actor) -> Credential:
    card = Credential(org_id=person.org_id, person=person, number=number, source=source)
    try:
        with transaction.atomic():
            card.save(force_insert=True)
    except IntegrityError as exc:
        raise Conflict(
            f"Card {number} is already live for someone in this organization.", field="number"
        ) from exc
    audit_record(
        org=person.org, actor=actor, action="card.added", target=person,
        details={"card": number, "source": source},
    )  # fmt: skip
    return card


@transaction.atomic
def card_add(*, person: Person, number: str, actor: Actor) -> Credential:
    """Give the person a live card (console)."""
    return _add(person, card_number_clean(number), Credential.Source.CONSOLE, actor)


@transaction.atomic
def card_revoke(*, card: Credential, actor: Actor) -> bool:
    """Revoke a card: from the commit on, it is an unknown card. Idempotent."""
    changed = Credential.objects.filter(pk=card.pk, status=Credential.Status.ACTIVE).update(
        status=Credential.Status.REVOKED, revoked_at=timezone.now()
    )
    if changed:
        card.status = Credential.Status.REVOKED
        audit_record(
            org=card.person.org, actor=actor, action="card.revoked", target=card.person,
            details={"card": card.number, "source": card.source},
        )  # fmt: skip
    return bool(changed)


@transaction.atomic
def scim_card_set(*, person: Person, number: str | None) -> bool:
    """The IdP's `cardNumber` for the person: a new number revokes the card the IdP set
    before and makes this one live; None or "" revokes it. Cards added in the console are
    the console's and stay. Returns whether anything changed."""
    actor = Actor.scim()
    current = (
        Credential.objects.select_for_update()
        .filter(person=person, status=Credential.Status.ACTIVE, source=Credential.Source.SCIM)
        .first()
    )
    wanted = card_number_clean(number) if number else ""
    if current is not None and current.number == wanted:
        return False
    if current is not None:
        card_revoke(card=current, actor=actor)
    if wanted:
        _add(person, wanted, Credential.Source.SCIM, actor)
    return current is not None or bool(wanted)
