"""Grants: a group may open a door, in weekly windows and between dates. The console and the
API make and delete them; SCIM never does (a group's deletion cascades to its grants)."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from access.decision import grant_describe
from access.models import Door, Grant
from access.schedules import schedule_clean
from accounts.actor import Actor
from accounts.models import Group
from accounts.services.audit import audit_record


def _date(value: Any, field: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        raise ValidationError({field: ["Give a date (YYYY-MM-DD), not a date and time."]})
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and len(value) == 10:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ValidationError({field: ["Give a date as YYYY-MM-DD."]})


@transaction.atomic
def grant_create(
    *,
    group: Group,
    door: Door,
    schedule: Any = None,
    valid_from: Any = None,
    valid_until: Any = None,
    actor: Actor,
) -> Grant:
    """Let the group open the door (in the schedule's windows, between the dates, if given).

    The group and the door must be of one org (callers resolve both in the org already; the
    check here keeps any entry point from linking two orgs)."""
    if group.org_id != door.org_id:
        raise ValidationError("The group and the door belong to different organizations.")
    try:
        windows = schedule_clean(schedule)
    except ValidationError as exc:
        raise ValidationError({"schedule": exc.messages}) from exc
    start = _date(valid_from, "valid_from")
    end = _date(valid_until, "valid_until")
    if start and end and start > end:
        raise ValidationError({"valid_until": ["valid_until is before valid_from."]})
    grant = Grant.objects.create(
        org_id=door.org_id,
        group=group,
        door=door,
        schedule=windows,
        valid_from=start,
        valid_until=end,
        created_by=actor.account,
        created_by_label=actor.label,
    )
    audit_record(
        org=group.org,
        actor=actor,
        action="grant.created",
        target=grant,
        details={
            "group": group.display_name,
            "door": door.name,
            "when": grant_describe(grant, door.place.time_zone),
        },
    )
    return grant


@transaction.atomic
def grant_delete(*, grant: Grant, actor: Actor) -> None:
    """Delete the grant: from the commit on, it opens nothing."""
    audit_record(
        org=grant.group.org,
        actor=actor,
        action="grant.deleted",
        target=grant,
        details={"group": grant.group.display_name, "door": grant.door.name},
    )
    grant.delete()
