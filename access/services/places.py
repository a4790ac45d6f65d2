"""Places and their doors: create, rename, lock down and lift a lockdown. Each is audited."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from access.models import Door, Place
from access.schedules import time_zone_clean
from accounts.actor import Actor
from accounts.models import Organization
from accounts.services.audit import audit_record
from kisiscim.exceptions import Conflict

NAME_MAX = 200


def name_clean(value: object, *, what: str) -> str:
    if not isinstance(value, str):
        raise ValidationError({"name": [f"The {what} name must be a string."]})
    name = value.strip()
    if not name:
        raise ValidationError({"name": [f"The {what} needs a name."]}, code="required")
    if len(name) > NAME_MAX:
        raise ValidationError({"name": [f"The {what} name is longer than {NAME_MAX} characters."]})
    if "\x00" in name:
        raise ValidationError({"name": [f"The {what} name contains a NUL character."]})
    return name


def _save(obj: Place | Door, conflict: str, **kwargs: object) -> None:
    try:
        # A savepoint, so the constraint violation leaves the outer transaction usable.
        with transaction.atomic():
            obj.save(**kwargs)
    except IntegrityError as exc:
        raise Conflict(conflict, field="name") from exc


@transaction.atomic
def place_create(*, org: Organization, name: str, time_zone: str, actor: Actor) -> Place:
    """A new place; its name is unique in the org in any letter case."""
    name = name_clean(name, what="place")
    try:
        zone_name = time_zone_clean(time_zone)
    except ValidationError as exc:
        raise ValidationError({"time_zone": exc.messages}) from exc
    place = Place(org=org, name=name, time_zone=zone_name)
    _save(place, f"A place named {name!r} already exists.", force_insert=True)
    audit_record(
        org=org, actor=actor, action="place.created", target=place, details={"time_zone": zone_name}
    )
    return place


@transaction.atomic
def place_rename(*, place: Place, name: str, actor: Actor) -> bool:
    """Returns whether the name changed."""
    name = name_clean(name, what="place")
    if name == place.name:
        return False
    old, place.name = place.name, name
    _save(place, f"A place named {name!r} already exists.", update_fields=["name"])
    audit_record(
        org=place.org, actor=actor, action="place.renamed", target=place,
        details={"from": old, "to": name},
    )  # fmt: skip
    return True


@transaction.atomic
def door_create(*, place: Place, name: str, actor: Actor) -> Door:
    """A new door of the place (and of the place's org); unique by name in the place."""
    name = name_clean(name, what="door")
    door = Door(org_id=place.org_id, place=place, name=name)
    _save(door, f"{place.name} already has a door named {name!r}.", force_insert=True)
    audit_record(
        org=place.org, actor=actor, action="door.created", target=door,
        details={"place": place.name},
    )  # fmt: skip
    return door


@transaction.atomic
def door_rename(*, door: Door, name: str, actor: Actor) -> bool:
    name = name_clean(name, what="door")
    if name == door.name:
        return False
    old, door.name = door.name, name
    _save(door, f"{door.place.name} already has a door named {name!r}.", update_fields=["name"])
    audit_record(
        org=door.org, actor=actor, action="door.renamed", target=door,
        details={"from": old, "to": name},
    )  # fmt: skip
    return True


@transaction.atomic
def door_lockdown(*, door: Door, actor: Actor) -> bool:
    """Lock the door down: from the commit on, it opens for no one. Idempotent."""
    # The conditional UPDATE decides, so two concurrent lockdowns audit once.
    now = timezone.now()
    changed = Door.objects.filter(pk=door.pk, locked_down=False).update(
        locked_down=True, locked_down_at=now
    )
    door.locked_down, door.locked_down_at = True, door.locked_down_at if not changed else now
    if changed:
        audit_record(org=door.org, actor=actor, action="door.locked_down", target=door)
    return bool(changed)


@transaction.atomic
def door_lockdown_lift(*, door: Door, actor: Actor) -> bool:
    """End a lockdown: the grants apply again. Idempotent."""
    changed = Door.objects.filter(pk=door.pk, locked_down=True).update(
        locked_down=False, locked_down_at=None
    )
    door.locked_down, door.locked_down_at = False, None
    if changed:
        audit_record(org=door.org, actor=actor, action="door.lockdown_lifted", target=door)
    return bool(changed)
