"""Every read of places, doors, grants, cards and access events; each takes the org first.

Listings of what people can open evaluate each door with `decision.decide`, the one rule,
on rows read in a constant number of queries (one for the grants of all the people asked
about, through their memberships), whatever the numbers of groups, grants and doors.
"""

import copy
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, F, Max, Q, QuerySet
from django.db.models.functions import Lower, TruncDate
from django.utils import timezone

from access.decision import Decision, Reason, decide, grant_verdict
from access.models import AccessEvent, ApiKey, Credential, Door, Grant, Place
from access.schedules import zone
from accounts.models import Group, GroupMembership, Organization, Person

MAX_ID = 2**63 - 1


def pk_parse(value: object) -> int | None:
    """A primary key from a URL or a body: a positive integer, or None (names nothing)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value <= MAX_ID else None
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 19:
        number = int(value)
        return number if 0 < number <= MAX_ID else None
    return None


# Places and doors ------------------------------------------------------------------------


def place_list(*, org: Organization) -> QuerySet[Place]:
    return Place.objects.filter(org=org).order_by(Lower("name"), "pk")


def place_get(*, org: Organization, place_id: object) -> Place | None:
    pk = pk_parse(place_id)
    return Place.objects.filter(org=org, pk=pk).first() if pk else None


def door_list(*, org: Organization, place: Place | None = None) -> QuerySet[Door]:
    """The org's doors with their places, by place then name."""
    qs = Door.objects.filter(org=org).select_related("place")
    if place is not None:
        qs = qs.filter(place=place)
    return qs.order_by(Lower("place__name"), "place_id", Lower("name"), "pk")


def door_get(*, org: Organization, door_id: object) -> Door | None:
    """The org's door with its place (one query), or None for anything else."""
    pk = pk_parse(door_id)
    if pk is None:
        return None
    return Door.objects.filter(org=org, pk=pk).select_related("place").first()


# Grants ----------------------------------------------------------------------------------


def grant_list(*, org: Organization) -> QuerySet[Grant]:
    return Grant.objects.filter(org=org).select_related("group", "door__place").order_by("pk")


def grant_get(*, org: Organization, grant_id: object) -> Grant | None:
    pk = pk_parse(grant_id)
    if pk is None:
        return None
    return grant_list(org=org).filter(pk=pk).first()


def grant_list_for_group(*, org: Organization, group: Group) -> QuerySet[Grant]:
    return grant_list(org=org).filter(group=group).order_by(Lower("door__name"), "pk")


def grant_list_for_door(*, org: Organization, door: Door) -> QuerySet[Grant]:
    return grant_list(org=org).filter(door=door).order_by(Lower("group__display_name"), "pk")


@dataclass(frozen=True)
class GrantStatus:
    grant: Grant
    verdict: str

    @property
    def covers_now(self) -> bool:
        return self.verdict == Reason.ALLOWED


def grant_statuses(grants: Iterable[Grant], now: dt.datetime | None = None) -> list[GrantStatus]:
    """Each grant with whether it covers now on its place's clock (no query)."""
    now = now or timezone.now()
    return [
        GrantStatus(g, grant_verdict(g, now.astimezone(zone(g.door.place.time_zone))))
        for g in grants
    ]


# Who can open what -----------------------------------------------------------------------


@dataclass(frozen=True)
class DoorAccess:
    """One door a person has a grant on, and what the decision says about it now."""

    door: Door
    decision: Decision

    @property
    def allowed(self) -> bool:
        return self.decision.allowed

    @property
    def grant(self) -> Grant | None:
        return self.decision.grant


def _grants_by_person(*, org: Organization, person_ids: list[int]) -> dict[int, list[Grant]]:
    """The grants of these people's groups (one query: grants joined to memberships)."""
    if not person_ids:
        return {}
    rows = (
        Grant.objects.filter(org=org, group__memberships__person_id__in=person_ids)
        .annotate(member_id=F("group__memberships__person_id"))
        .select_related("group", "door__place")
        .order_by("pk")
    )
    by_person: dict[int, list[Grant]] = defaultdict(list)
    for grant in rows:
        by_person[grant.member_id].append(grant)
    return by_person


def _as_active(person: Person) -> Person:
    """The person as they would be if reactivated (for "doors they would regain")."""
    twin = copy.copy(person)
    twin.is_active = True
    twin.idp_deleted_at = None
    return twin


def _door_accesses(person: Person, grants: list[Grant], now: dt.datetime) -> list[DoorAccess]:
    by_door: dict[int, list[Grant]] = defaultdict(list)
    doors: dict[int, Door] = {}
    for grant in grants:
        by_door[grant.door_id].append(grant)
        doors[grant.door_id] = grant.door
    accesses = [
        DoorAccess(
            door=doors[pk], decision=decide(door=doors[pk], person=person, grants=g, now=now)
        )
        for pk, g in by_door.items()
    ]
    return sorted(
        accesses, key=lambda a: (a.door.place.name.lower(), a.door.name.lower(), a.door.pk)
    )


def person_door_list(
    *,
    org: Organization,
    person: Person,
    now: dt.datetime | None = None,
    as_if_active: bool = False,
) -> list[DoorAccess]:
    """Every door the person's groups have a grant on, each with the decision for now (or,
    with `as_if_active`, the decision were the person reactivated). One query."""
    now = now or timezone.now()
    grants = _grants_by_person(org=org, person_ids=[person.pk]).get(person.pk, [])
    subject = _as_active(person) if as_if_active else person
    return _door_accesses(subject, grants, now)


def person_doors_open_now(
    *, org: Organization, person: Person, now: dt.datetime | None = None
) -> list[DoorAccess]:
    """The doors the person can open now (one query)."""
    return [a for a in person_door_list(org=org, person=person, now=now) if a.allowed]


# Reasons of a reactivated person's door that count as regained: open now, or open in some
# window of a grant valid today.
REGAINED = (Reason.ALLOWED, Reason.OUTSIDE_SCHEDULE)


def people_doors_would_regain(
    *, org: Organization, people: Iterable[Person], now: dt.datetime | None = None
) -> dict[int, list[DoorAccess]]:
    """For each person, what reactivating them would give back (one query for all of
    them): the doors whose grants are valid today, whether or not a window is open at this
    moment (an audit run on a Saturday still shows the office doors)."""
    now = now or timezone.now()
    people = list(people)
    grants = _grants_by_person(org=org, person_ids=[p.pk for p in people])
    return {
        p.pk: [
            a
            for a in _door_accesses(_as_active(p), grants.get(p.pk, []), now)
            if a.decision.reason in REGAINED
        ]
        for p in people
    }


def door_openers_now(
    *, org: Organization, door: Door, now: dt.datetime | None = None
) -> QuerySet[GroupMembership]:
    """Who can open the door now, each with the group that grants it: the memberships of
    active people in groups whose grant on the door covers now. The same rule as
    `decision.decide` read the other way round (tests hold them equal); nobody while the
    door is locked down. One query for the grants; the result is a lazy, pageable queryset.
    """
    if door.locked_down:
        return GroupMembership.objects.none()
    now = now or timezone.now()
    local = now.astimezone(zone(door.place.time_zone))
    covering = [
        g.group_id
        for g in Grant.objects.filter(org=org, door=door)
        if grant_verdict(g, local) == Reason.ALLOWED
    ]
    return (
        GroupMembership.objects.filter(
            group_id__in=covering,
            group__org=org,
            person__org=org,
            person__is_active=True,
            person__idp_deleted_at__isnull=True,
        )
        .select_related("person", "group")
        .order_by(Lower("person__user_name"), "person_id", Lower("group__display_name"))
    )


# Cards -----------------------------------------------------------------------------------


def person_card_list(*, org: Organization, person: Person) -> QuerySet[Credential]:
    """The person's cards, live ones first."""
    return Credential.objects.filter(org=org, person=person).order_by("status", "-created_at")


def credential_get(*, org: Organization, credential_id: object) -> Credential | None:
    pk = pk_parse(credential_id)
    if pk is None:
        return None
    return Credential.objects.filter(org=org, pk=pk).select_related("person").first()


def person_scim_card(*, person: Person) -> Credential | None:
    """The live card the IdP set for the person (SCIM's cardNumber), if any."""
    return Credential.objects.filter(
        person=person, status=Credential.Status.ACTIVE, source=Credential.Source.SCIM
    ).first()


# Access events ---------------------------------------------------------------------------


def access_event_list(
    *, org: Organization, door: Door | None = None, person: Person | None = None
) -> QuerySet[AccessEvent]:
    """The org's access events, newest first, optionally for one door and/or person."""
    qs = AccessEvent.objects.filter(org=org)
    if door is not None:
        qs = qs.filter(door=door)
    if person is not None:
        qs = qs.filter(person=person)
    return qs.order_by("-created_at", "-pk")


def people_last_door_use(*, org: Organization, person_ids: Iterable[int]) -> dict[int, dt.datetime]:
    """When each person last opened a door (an allowed check from a reader or My doors,
    not a console "Why?"), in one query."""
    ids = list(person_ids)
    if not ids:
        return {}
    rows = (
        AccessEvent.objects.filter(org=org, person_id__in=ids, decision=AccessEvent.Decision.ALLOW)
        .exclude(source=AccessEvent.Source.CONSOLE)
        .values("person_id")
        .annotate(last=Max("created_at"))
    )
    return {r["person_id"]: r["last"] for r in rows}


# API keys --------------------------------------------------------------------------------


def api_key_list_live(*, org: Organization) -> QuerySet[ApiKey]:
    return ApiKey.objects.filter(org=org, revoked_at__isnull=True).order_by("-created_at", "-pk")


def api_key_get(*, org: Organization, key_id: object) -> ApiKey | None:
    pk = pk_parse(key_id)
    return ApiKey.objects.filter(org=org, pk=pk).first() if pk else None


def door_count(*, org: Organization) -> int:
    return Door.objects.filter(org=org).count()


@dataclass(frozen=True)
class AccessDay:
    day: dt.date
    allowed: int
    denied: int


def access_decisions_daily(
    *, org: Organization, days: int = 30, today: dt.date | None = None
) -> list[AccessDay]:
    """Door decisions per UTC day, the last `days` days up to today: allowed and denied. One
    aggregate query grouped by day (on the org's recent-events index), whatever the number
    of events; days without events are zeros."""
    today = today or timezone.now().astimezone(dt.UTC).date()
    first = today - dt.timedelta(days=days - 1)
    rows = (
        AccessEvent.objects.filter(
            org=org, created_at__gte=dt.datetime.combine(first, dt.time.min, tzinfo=dt.UTC)
        )
        .annotate(day=TruncDate("created_at", tzinfo=dt.UTC))
        .values("day")
        .annotate(
            allowed=Count("pk", filter=Q(decision=AccessEvent.Decision.ALLOW)),
            denied=Count("pk", filter=Q(decision=AccessEvent.Decision.DENY)),
        )
        .order_by("day")
    )
    by_day = {row["day"]: row for row in rows}
    return [
        AccessDay(
            day=d,
            allowed=by_day.get(d, {}).get("allowed", 0),
            denied=by_day.get(d, {}).get("denied", 0),
        )
        for d in (first + dt.timedelta(days=i) for i in range(days))
    ]
