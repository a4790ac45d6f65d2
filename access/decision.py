"""The access decision: the one place that says whether a person may open a door now.

Allowed only if the person is active (not suspended, not deleted by the IdP), the door is
not locked down, and one of the person's groups has a grant on the door whose dates and
weekly windows cover now in the place's time zone. Grants combine as a union: one covering
grant is enough. Otherwise the reason says why not, in this order of precedence:

    person_deleted, person_suspended   the person's state decides before anything else
    door_locked_down                   a lockdown overrides every grant
    no_grant                           none of the person's groups has a grant on the door
    outside_schedule                   a grant is valid today, but not at this time
    not_yet_valid, expired             every grant is outside its dates
    unknown_card                       (card checks) no live card with that number

Queries (whatever the numbers of people, groups, grants and doors): the caller brings the
door with its place (one query, by primary key); a card check adds one query for the card
with its person (the unique live-number index); then one query reads the person's grants on
this door through their memberships (the GroupMembership (person) index, joined to the
(door, group) index of grants), and one INSERT records the access event. Nothing is cached:
every decision reads committed rows, so a suspension, an IdP delete, a member removal, a
group or grant deletion or a lockdown that has committed is seen by the very next decision
on every process.
"""

import datetime as dt
import time
from dataclasses import dataclass, field, replace

from django.db import transaction
from django.utils import timezone

from access.models import AccessEvent, Credential, Door, Grant
from access.schedules import schedule_covers, schedule_describe, zone
from accounts.models import Person


class Reason:
    ALLOWED = "allowed"
    NO_GRANT = "no_grant"
    OUTSIDE_SCHEDULE = "outside_schedule"
    NOT_YET_VALID = "not_yet_valid"
    EXPIRED = "expired"
    PERSON_SUSPENDED = "person_suspended"
    PERSON_DELETED = "person_deleted"
    DOOR_LOCKED_DOWN = "door_locked_down"
    UNKNOWN_CARD = "unknown_card"

    ALL = (
        ALLOWED,
        NO_GRANT,
        OUTSIDE_SCHEDULE,
        NOT_YET_VALID,
        EXPIRED,
        PERSON_SUSPENDED,
        PERSON_DELETED,
        DOOR_LOCKED_DOWN,
        UNKNOWN_CARD,
    )


REASON_TEXT = {
    Reason.ALLOWED: "allowed",
    Reason.NO_GRANT: "none of their groups has a grant on this door",
    Reason.OUTSIDE_SCHEDULE: "outside every window of their grants",
    Reason.NOT_YET_VALID: "their grant is not valid yet",
    Reason.EXPIRED: "their grant has expired",
    Reason.PERSON_SUSPENDED: "the person is suspended",
    Reason.PERSON_DELETED: "the person was deleted in the identity provider",
    Reason.DOOR_LOCKED_DOWN: "the door is locked down",
    Reason.UNKNOWN_CARD: "no live card has this number",
}

# Among grants that do not cover now, the nearest miss names the reason.
_MISS_ORDER = (Reason.OUTSIDE_SCHEDULE, Reason.NOT_YET_VALID, Reason.EXPIRED)


def grant_verdict(grant: Grant, local: dt.datetime) -> str:
    """`allowed` if the grant covers the local moment of its door's place, else why not."""
    today = local.date()
    if grant.valid_from is not None and today < grant.valid_from:
        return Reason.NOT_YET_VALID
    if grant.valid_until is not None and today > grant.valid_until:
        return Reason.EXPIRED
    if not schedule_covers(grant.schedule, local):
        return Reason.OUTSIDE_SCHEDULE
    return Reason.ALLOWED


def grant_describe(grant: Grant, time_zone: str) -> str:
    """e.g. "Mon–Fri 08:00–18:00 Europe/Berlin, 2026-01-01 to 2026-06-30"."""
    text = f"{schedule_describe(grant.schedule)} {time_zone}"
    if grant.valid_from and grant.valid_until:
        text += f", {grant.valid_from:%Y-%m-%d} to {grant.valid_until:%Y-%m-%d}"
    elif grant.valid_from:
        text += f", from {grant.valid_from:%Y-%m-%d}"
    elif grant.valid_until:
        text += f", until {grant.valid_until:%Y-%m-%d}"
    return text


@dataclass(frozen=True)
class GrantCheck:
    grant: Grant
    verdict: str


@dataclass(frozen=True)
class Decision:
    """What the decision says, with everything the "Why?" needs to explain it."""

    door: Door
    person: Person | None
    reason: str
    grant: Grant | None = None
    local_time: dt.datetime | None = None
    checks: tuple[GrantCheck, ...] = field(default=())
    card_number: str = ""

    @property
    def allowed(self) -> bool:
        return self.reason == Reason.ALLOWED

    @property
    def decision(self) -> str:
        return AccessEvent.Decision.ALLOW if self.allowed else AccessEvent.Decision.DENY

    @property
    def reason_text(self) -> str:
        return REASON_TEXT[self.reason]

    def path(self) -> str:
        """The decision and its path, as the console's "Why?" shows it:
        "Ada Lovelace → Engineering → Front door, Mon–Fri 08:00–18:00 Europe/Berlin →
        allowed", or where and why it stops."""
        who = _person_label(self.person) if self.person else f"card {self.card_number}"
        tz = self.door.place.time_zone
        if self.reason in (Reason.PERSON_DELETED, Reason.PERSON_SUSPENDED, Reason.UNKNOWN_CARD):
            return f"{who} → {self.door.name}: {self.reason_text} → denied ({self.reason})"
        if self.reason == Reason.DOOR_LOCKED_DOWN:
            return f"{who} → {self.door.name} is locked down → denied ({self.reason})"
        if self.reason == Reason.NO_GRANT:
            return f"{who} → {self.door.name}: {self.reason_text} → denied ({self.reason})"
        grant = self.grant or next(c.grant for c in self.checks if c.verdict == self.reason)
        step = f"{who} → {grant.group.display_name} → {self.door.name}, "
        step += grant_describe(grant, tz)
        if self.allowed:
            return f"{step} → allowed"
        when = self.local_time.strftime("%a %Y-%m-%d %H:%M") if self.local_time else ""
        return f"{step}; it is {when} there → denied ({self.reason})"


def _person_label(person: Person) -> str:
    return person.full_name or person.user_name


def person_grants_on_door(*, person: Person, door: Door) -> list[Grant]:
    """The grants on `door` of the person's groups, in one query, oldest first."""
    return list(
        Grant.objects.filter(door=door, org_id=door.org_id, group__memberships__person=person)
        .select_related("group")
        .order_by("pk")
    )


def decide(*, door: Door, person: Person | None, grants: list[Grant], now: dt.datetime) -> Decision:
    """The rule itself, on rows already read (no query): `door` with its place, `grants`
    the person's grants on it. A None person is an unknown card."""
    local = now.astimezone(zone(door.place.time_zone))
    if person is None:
        return Decision(door=door, person=None, reason=Reason.UNKNOWN_CARD, local_time=local)
    if person.idp_deleted_at is not None:
        return Decision(door=door, person=person, reason=Reason.PERSON_DELETED, local_time=local)
    if not person.is_active:
        return Decision(door=door, person=person, reason=Reason.PERSON_SUSPENDED, local_time=local)
    if door.locked_down:
        return Decision(door=door, person=person, reason=Reason.DOOR_LOCKED_DOWN, local_time=local)
    checks = tuple(GrantCheck(grant=g, verdict=grant_verdict(g, local)) for g in grants)
    for check in checks:
        if check.verdict == Reason.ALLOWED:
            return Decision(
                door=door,
                person=person,
                reason=Reason.ALLOWED,
                grant=check.grant,
                local_time=local,
                checks=checks,
            )
    verdicts = {c.verdict for c in checks}
    reason = next((r for r in _MISS_ORDER if r in verdicts), Reason.NO_GRANT)
    return Decision(door=door, person=person, reason=reason, local_time=local, checks=checks)


def card_holder(*, door: Door, number: str) -> Credential | None:
    """The live card with this number in the door's org, with its person (one query)."""
    if not number or len(number) > 64 or "\x00" in number:
        return None
    return (
        Credential.objects.select_related("person")
        .filter(org_id=door.org_id, number=number, status=Credential.Status.ACTIVE)
        .first()
    )


@transaction.atomic
def access_check(
    *,
    door: Door,
    person: Person | None = None,
    card: str | None = None,
    source: str,
    requested_by: str = "",
    now: dt.datetime | None = None,
) -> tuple[Decision, AccessEvent]:
    """Decide whether `person` (or the holder of the card `card`) may open `door` now, and
    record the decision as an access event. The door must come with its place, and the
    person from the door's org (callers resolve both through the org-scoped selectors).
    """
    started = time.perf_counter()
    now = now or timezone.now()
    card_number = ""
    if person is None:
        card_number = (card or "").strip()
        credential = card_holder(door=door, number=card_number)
        person = credential.person if credential is not None else None
    grants = person_grants_on_door(person=person, door=door) if person is not None else []
    result = decide(door=door, person=person, grants=grants, now=now)
    if card_number:
        result = replace(result, card_number=card_number)
    grant = result.grant
    event = AccessEvent.objects.create(
        org_id=door.org_id,
        door=door,
        door_label=door.name,
        person=person,
        person_scim_id=person.scim_id if person else "",
        person_label=person.user_name if person else "",
        card_number=card_number[:64],
        decision=result.decision,
        reason=result.reason,
        grant=grant,
        grant_label=(
            f"{grant.group.display_name} → {door.name}, "
            f"{grant_describe(grant, door.place.time_zone)}"[:500]
            if grant
            else ""
        ),
        source=source,
        requested_by=requested_by[:320],
        latency_us=min(int((time.perf_counter() - started) * 1e6), 2**31 - 1),
        created_at=now,
    )
    return result, event
