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

Queries, whatever the numbers of people, groups, grants and doors: one SELECT reads the
door with its place, the person (by SCIM id, or the holder of a live card) and the person's
grants on this door through their memberships, each step an index lookup (`decision_read`
says which); one INSERT records the access event. The SELECT is written in SQL because it
runs on every door check: the ORM's compilation of the same joins cost more than the
database's work. Nothing is cached:
every decision reads committed rows, so a suspension, an IdP delete, a member removal, a
group or grant deletion or a lockdown that has committed is seen by the very next decision
on every process.
"""

import datetime as dt
import json
import time
from dataclasses import dataclass, field, replace

from django.db import connection, transaction
from django.utils import timezone

from access.models import AccessEvent, Credential, Door, Grant, Place
from access.schedules import schedule_covers, schedule_describe, zone
from accounts.models import Group, GroupMembership, Person, scim_id_is_possible


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


# The one read of a decision: the door with its place, the person (by id, SCIM id or live
# card number, in the door's org) and the person's grants on the door through their
# memberships, in one statement. A row per grant (at least one: the LEFT JOINs keep the door
# and the person when there is none). Indexes: the door's primary key; the person's unique
# scim_id (or primary key, or the credential's unique live (org, number)); the membership's
# (person) index and the grant's (door, group) index; the group's primary key.
_READ = """
SELECT d.id, d.name, d.locked_down, pl.id, pl.name, pl.time_zone,
       pe.id, pe.scim_id, pe.user_name, pe.given_name, pe.family_name, pe.display_name,
       pe.is_active, pe.idp_deleted_at,
       g.id, g.schedule, g.valid_from, g.valid_until, gr.id, gr.scim_id, gr.display_name
FROM {door} d
JOIN {place} pl ON pl.id = d.place_id
LEFT JOIN {person} pe ON pe.org_id = d.org_id AND {person_is}
LEFT JOIN ({grant} g
           JOIN {membership} m ON m.group_id = g.group_id
           JOIN {group} gr ON gr.id = g.group_id)
       ON g.door_id = d.id AND g.org_id = d.org_id AND m.person_id = pe.id
WHERE d.id = %s AND d.org_id = %s
ORDER BY g.id
"""
_PERSON_IS = {
    "pk": "pe.id = %s",
    "scim_id": "pe.scim_id = %s",
    "card": "pe.id = (SELECT c.person_id FROM {credential} c WHERE c.org_id = d.org_id "
    "AND c.number = %s AND c.status = 'active')",
}


def _sql(person_is: str) -> str:
    tables = {
        "door": Door._meta.db_table,
        "place": Place._meta.db_table,
        "person": Person._meta.db_table,
        "grant": Grant._meta.db_table,
        "membership": GroupMembership._meta.db_table,
        "group": Group._meta.db_table,
        "credential": Credential._meta.db_table,
    }
    return _READ.format(person_is=_PERSON_IS[person_is].format(**tables), **tables)


_STATEMENTS = {key: _sql(key) for key in _PERSON_IS}


def _date(value: object) -> dt.date | None:
    # PostgreSQL hands back dates, SQLite text.
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _json(value: object) -> list:
    if value is None:
        return []
    return json.loads(value) if isinstance(value, str | bytes) else value


@dataclass(frozen=True)
class Subject:
    """Whom a check is about: `kind` one of pk, scim_id, card; `value` the id or number."""

    kind: str
    value: object

    @classmethod
    def of(cls, person: Person | None = None, card: str | None = None) -> "Subject":
        if person is not None:
            return cls("pk", person.pk)
        return cls("card", (card or "").strip())


class DoorNotFound(Exception):
    pass


class PersonNotFound(Exception):
    pass


def decision_read(
    *, org_id: int, door_id: int, subject: Subject
) -> tuple[Door, Person | None, list[Grant]] | None:
    """The rows a decision needs, in one query; None when the org has no such door."""
    with connection.cursor() as cursor:
        cursor.execute(_STATEMENTS[subject.kind], [subject.value, door_id, org_id])
        rows = cursor.fetchall()
    if not rows:
        return None
    first = rows[0]
    place = Place(id=first[3], org_id=org_id, name=first[4], time_zone=first[5])
    door = Door(id=first[0], org_id=org_id, place=place, name=first[1], locked_down=bool(first[2]))
    person = None
    if first[6] is not None:
        person = Person(
            id=first[6],
            org_id=org_id,
            scim_id=first[7],
            user_name=first[8],
            given_name=first[9],
            family_name=first[10],
            display_name=first[11],
            is_active=bool(first[12]),
            idp_deleted_at=first[13],
        )
    grants = []
    for row in rows:
        if row[14] is None:
            continue
        group = Group(id=row[18], org_id=org_id, scim_id=row[19], display_name=row[20])
        grants.append(
            Grant(
                id=row[14],
                org_id=org_id,
                group=group,
                door=door,
                schedule=_json(row[15]),
                valid_from=_date(row[16]),
                valid_until=_date(row[17]),
            )
        )
    return door, person, grants


def _card_possible(number: str) -> bool:
    return bool(number) and len(number) <= 64 and "\x00" not in number


@transaction.atomic
def access_check_ids(
    *,
    org_id: int,
    door_id: int,
    subject: Subject,
    source: str,
    requested_by: str = "",
    now: dt.datetime | None = None,
) -> tuple[Decision, AccessEvent]:
    """Decide whether the subject may open the org's door now, and record the decision as
    an access event: one SELECT (`decision_read`) and one INSERT. Raises DoorNotFound for a
    door outside the org and PersonNotFound for a person id or SCIM id outside it (an
    unknown card is a decision: unknown_card)."""
    started = time.perf_counter()
    now = now or timezone.now()
    card_number = str(subject.value)[:64] if subject.kind == "card" else ""
    if subject.kind == "card" and not _card_possible(card_number):
        subject = Subject("pk", 0)  # names no one: the door is still read
    elif subject.kind == "scim_id" and not scim_id_is_possible(subject.value):
        raise PersonNotFound
    loaded = decision_read(org_id=org_id, door_id=door_id, subject=subject)
    if loaded is None:
        raise DoorNotFound
    door, person, grants = loaded
    if person is None and not card_number:
        raise PersonNotFound
    result = decide(door=door, person=person, grants=grants, now=now)
    if card_number:
        result = replace(result, card_number=card_number)
    grant = result.grant
    event = AccessEvent.objects.create(
        org_id=org_id,
        door_id=door.pk,
        door_label=door.name,
        person_id=person.pk if person else None,
        person_scim_id=person.scim_id if person else "",
        person_label=person.user_name if person else "",
        card_number=card_number,
        decision=result.decision,
        reason=result.reason,
        grant_id=grant.pk if grant else None,
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


def access_check(
    *,
    door: Door,
    person: Person | None = None,
    card: str | None = None,
    source: str,
    requested_by: str = "",
    now: dt.datetime | None = None,
) -> tuple[Decision, AccessEvent]:
    """`access_check_ids` for a door and a person (or a card number) already resolved in the
    org by the caller. The rows are read again, as they are now, in the decision's query."""
    return access_check_ids(
        org_id=door.org_id,
        door_id=door.pk,
        subject=Subject.of(person=person, card=card),
        source=source,
        requested_by=requested_by,
        now=now,
    )
