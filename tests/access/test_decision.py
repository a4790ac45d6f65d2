"""The decision: its reasons and their precedence, weekly windows (crossing midnight, on
the days DST changes in two zones), validity dates at their edges, union of grants, and a
constant number of queries whatever the numbers of groups, grants and doors."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from access.decision import Reason, access_check
from access.models import AccessEvent
from access.schedules import schedule_covers, schedule_describe
from access.selectors import door_get, door_openers_now, person_door_list
from access.services.grants import grant_delete
from access.services.places import door_lockdown, door_lockdown_lift
from accounts.actor import Actor
from accounts.services.groups import group_delete, group_members_remove
from accounts.services.people import person_idp_delete, person_suspend
from tests.access.support import make_door, make_grant, make_group, make_person, make_place

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
WEEKDAYS = [0, 1, 2, 3, 4]
OFFICE = [{"days": WEEKDAYS, "start": "08:00", "end": "18:00"}]
NIGHT = [{"days": [4], "start": "22:00", "end": "06:00"}]  # Friday night into Saturday


def at(zone: ZoneInfo, *args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=zone)


def reason(door, person, now):
    door = door_get(org=door.org, door_id=door.pk)
    return access_check(door=door, person=person, source="api", now=now)[0].reason


@pytest.fixture
def berlin(org):
    place = make_place(org, "Berlin", "Europe/Berlin")
    door = make_door(place)
    ada = make_person(org, "ada@acme.example.com", given_name="Ada", family_name="Lovelace")
    group = make_group(org, "Engineering", [ada])
    return door, ada, group


# Windows ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("local", "covered"),
    [
        ((2026, 1, 12, 8, 0), True),  # Monday 08:00: start inclusive
        ((2026, 1, 12, 7, 59), False),
        ((2026, 1, 12, 17, 59, 59), True),
        ((2026, 1, 12, 18, 0), False),  # end exclusive
        ((2026, 1, 17, 12, 0), False),  # Saturday
    ],
)
def test_office_hours_edges(local, covered):
    assert schedule_covers(OFFICE, dt.datetime(*local)) is covered


@pytest.mark.parametrize(
    ("local", "covered"),
    [
        ((2026, 1, 16, 21, 59), False),  # Friday before the window
        ((2026, 1, 16, 22, 0), True),  # Friday 22:00
        ((2026, 1, 16, 23, 59), True),
        ((2026, 1, 17, 0, 0), True),  # Saturday just after midnight: Friday's window
        ((2026, 1, 17, 5, 59), True),
        ((2026, 1, 17, 6, 0), False),
        ((2026, 1, 17, 22, 30), False),  # Saturday night: Saturday is not listed
        ((2026, 1, 15, 23, 0), False),  # Thursday night
        ((2026, 1, 16, 3, 0), False),  # Friday early: Thursday's night is not listed
    ],
)
def test_a_window_crossing_midnight(local, covered):
    assert schedule_covers(NIGHT, dt.datetime(*local)) is covered


def test_sunday_night_crosses_into_monday():
    window = [{"days": [6], "start": "20:00", "end": "02:00"}]
    assert schedule_covers(window, dt.datetime(2026, 1, 19, 1, 0))  # Monday 01:00
    assert not schedule_covers(window, dt.datetime(2026, 1, 19, 21, 0))  # Monday night


def test_24_00_ends_at_midnight():
    late = [{"days": [0], "start": "18:00", "end": "24:00"}]
    assert schedule_covers(late, dt.datetime(2026, 1, 12, 23, 59, 59))
    assert not schedule_covers(late, dt.datetime(2026, 1, 13, 0, 0))


def test_schedules_describe_themselves():
    assert schedule_describe(OFFICE) == "Mon–Fri 08:00–18:00"
    assert schedule_describe(NIGHT) == "Fri 22:00–06:00"
    assert schedule_describe([{"days": [0, 2, 5, 6], "start": "09:00", "end": "12:00"}]) == (
        "Mon, Wed, Sat, Sun 09:00–12:00"
    )
    assert schedule_describe([]) == "any time"


# DST: the place's wall clock, in two zones -----------------------------------------------


@pytest.mark.parametrize(
    ("zone", "day", "utc_open", "utc_before"),
    [
        # Berlin springs forward on Sun 29 March 2026 (02:00 → 03:00): 08:00 is 06:00 UTC,
        # the day before it was 07:00 UTC.
        ("Europe/Berlin", dt.date(2026, 3, 29), (2026, 3, 29, 6, 0), (2026, 3, 29, 5, 59)),
        ("Europe/Berlin", dt.date(2026, 3, 28), (2026, 3, 28, 7, 0), (2026, 3, 28, 6, 59)),
        # Berlin falls back on Sun 25 October 2026: 08:00 is 07:00 UTC again.
        ("Europe/Berlin", dt.date(2026, 10, 25), (2026, 10, 25, 7, 0), (2026, 10, 25, 6, 59)),
        # New York springs forward on Sun 8 March 2026: 08:00 EDT is 12:00 UTC.
        ("America/New_York", dt.date(2026, 3, 8), (2026, 3, 8, 12, 0), (2026, 3, 8, 11, 59)),
        ("America/New_York", dt.date(2026, 3, 7), (2026, 3, 7, 13, 0), (2026, 3, 7, 12, 59)),
        # New York falls back on Sun 1 November 2026: 08:00 EST is 13:00 UTC.
        ("America/New_York", dt.date(2026, 11, 1), (2026, 11, 1, 13, 0), (2026, 11, 1, 12, 59)),
    ],
)
def test_opening_time_follows_the_wall_clock_on_dst_days(org, zone, day, utc_open, utc_before):
    place = make_place(org, f"Site {zone}", zone)
    door = make_door(place)
    person = make_person(org)
    every_day = [{"days": list(range(7)), "start": "08:00", "end": "18:00"}]
    make_grant(make_group(org, members=[person]), door, schedule=every_day)
    assert reason(door, person, dt.datetime(*utc_open, tzinfo=dt.UTC)) == Reason.ALLOWED
    assert reason(door, person, dt.datetime(*utc_before, tzinfo=dt.UTC)) == (
        Reason.OUTSIDE_SCHEDULE
    )


def test_a_night_window_across_the_spring_forward_gap(org):
    """Sat 28 → Sun 29 March 2026 in Berlin, 22:00-06:00: 02:00-03:00 never happens, the
    window still closes at 06:00 local (04:00 UTC, not 05:00)."""
    place = make_place(org, "Berlin", "Europe/Berlin")
    door = make_door(place)
    person = make_person(org)
    window = [{"days": [5], "start": "22:00", "end": "06:00"}]
    make_grant(make_group(org, members=[person]), door, schedule=window)
    utc = dt.UTC
    assert reason(door, person, dt.datetime(2026, 3, 28, 21, 0, tzinfo=utc)) == Reason.ALLOWED
    assert reason(door, person, dt.datetime(2026, 3, 29, 1, 0, tzinfo=utc)) == Reason.ALLOWED
    assert reason(door, person, dt.datetime(2026, 3, 29, 3, 59, tzinfo=utc)) == Reason.ALLOWED
    assert reason(door, person, dt.datetime(2026, 3, 29, 4, 0, tzinfo=utc)) == (
        Reason.OUTSIDE_SCHEDULE
    )


def test_the_repeated_fall_back_hour_is_covered_both_times(org):
    """New York, Sun 1 November 2026: 01:00-02:00 happens twice (EDT, then EST)."""
    place = make_place(org, "NYC", "America/New_York")
    door = make_door(place)
    person = make_person(org)
    window = [{"days": [6], "start": "01:00", "end": "02:00"}]
    make_grant(make_group(org, members=[person]), door, schedule=window)
    utc = dt.UTC
    assert reason(door, person, dt.datetime(2026, 11, 1, 5, 30, tzinfo=utc)) == Reason.ALLOWED
    assert reason(door, person, dt.datetime(2026, 11, 1, 6, 30, tzinfo=utc)) == Reason.ALLOWED
    assert reason(door, person, dt.datetime(2026, 11, 1, 7, 0, tzinfo=utc)) == (
        Reason.OUTSIDE_SCHEDULE
    )


def test_the_same_instant_in_two_zones(org):
    """09:30 UTC on a Monday is 10:30 in Berlin (open) and 04:30 in New York (closed)."""
    person = make_person(org)
    group = make_group(org, members=[person])
    berlin_door = make_door(make_place(org, "Berlin", "Europe/Berlin"))
    ny_door = make_door(make_place(org, "NYC", "America/New_York"))
    make_grant(group, berlin_door, schedule=OFFICE)
    make_grant(group, ny_door, schedule=OFFICE)
    now = dt.datetime(2026, 1, 12, 9, 30, tzinfo=dt.UTC)
    assert reason(berlin_door, person, now) == Reason.ALLOWED
    assert reason(ny_door, person, now) == Reason.OUTSIDE_SCHEDULE


# Validity dates --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("local", "expected"),
    [
        ((2026, 2, 28, 23, 59), Reason.NOT_YET_VALID),
        ((2026, 3, 1, 0, 0), Reason.ALLOWED),  # the first day, from local midnight
        ((2026, 3, 31, 23, 59), Reason.ALLOWED),  # the last day, to local midnight
        ((2026, 4, 1, 0, 0), Reason.EXPIRED),
    ],
)
def test_validity_dates_are_whole_days_on_the_places_calendar(berlin, local, expected):
    door, ada, group = berlin
    make_grant(group, door, valid_from="2026-03-01", valid_until="2026-03-31")
    assert reason(door, ada, at(BERLIN, *local)) == expected


def test_a_single_day_grant(berlin):
    door, ada, group = berlin
    make_grant(group, door, valid_from="2026-03-10", valid_until="2026-03-10")
    assert reason(door, ada, at(BERLIN, 2026, 3, 10, 12)) == Reason.ALLOWED
    assert reason(door, ada, at(BERLIN, 2026, 3, 11, 0)) == Reason.EXPIRED


# Union, precedence and the path ----------------------------------------------------------


def test_grants_combine_as_a_union(berlin, org):
    door, ada, group = berlin
    make_grant(group, door, schedule=OFFICE)
    weekend = make_group(org, "Weekend crew", [ada])
    saturday = make_grant(weekend, door, schedule=[{"days": [5], "start": "10:00", "end": "14:00"}])
    decision = access_check(door=door, person=ada, source="api", now=at(BERLIN, 2026, 1, 17, 11))
    assert (decision[0].reason, decision[0].grant) == (Reason.ALLOWED, saturday)
    assert reason(door, ada, at(BERLIN, 2026, 1, 17, 15)) == Reason.OUTSIDE_SCHEDULE


def test_the_nearest_miss_names_the_reason(berlin, org):
    door, ada, group = berlin
    make_grant(group, door, valid_until="2025-12-31")
    assert reason(door, ada, at(BERLIN, 2026, 1, 12, 9)) == Reason.EXPIRED
    make_grant(make_group(org, "Later", [ada]), door, valid_from="2026-06-01")
    assert reason(door, ada, at(BERLIN, 2026, 1, 12, 9)) == Reason.NOT_YET_VALID
    make_grant(make_group(org, "Office", [ada]), door, schedule=OFFICE)
    assert reason(door, ada, at(BERLIN, 2026, 1, 12, 20)) == Reason.OUTSIDE_SCHEDULE


def test_precedence_person_then_lockdown_then_grants(berlin, org):
    door, ada, group = berlin
    make_grant(group, door)
    now = at(BERLIN, 2026, 1, 12, 9)
    assert reason(door, ada, now) == Reason.ALLOWED
    door_lockdown(door=door, actor=Actor.system())
    assert reason(door, ada, now) == Reason.DOOR_LOCKED_DOWN
    person_suspend(person=ada, actor=Actor.scim())
    assert reason(door, ada, now) == Reason.PERSON_SUSPENDED
    person_idp_delete(person=ada)
    assert reason(door, ada, now) == Reason.PERSON_DELETED
    grace = make_person(org, "grace@acme.example.com")
    assert reason(door, grace, now) == Reason.DOOR_LOCKED_DOWN
    door_lockdown_lift(door=door, actor=Actor.system())
    assert reason(door, grace, now) == Reason.NO_GRANT


def test_every_removal_denies_the_next_decision(berlin, org):
    door, ada, group = berlin
    grant = make_grant(group, door)
    now = at(BERLIN, 2026, 1, 12, 9)
    assert reason(door, ada, now) == Reason.ALLOWED
    grant_delete(grant=grant, actor=Actor.system())
    assert reason(door, ada, now) == Reason.NO_GRANT
    make_grant(group, door)
    group_members_remove(group=group, member_ids=[ada.scim_id], actor=Actor.system())
    assert reason(door, ada, now) == Reason.NO_GRANT
    other = make_group(org, "Other", [ada])
    make_grant(other, door)
    assert reason(door, ada, now) == Reason.ALLOWED
    group_delete(group=other, actor=Actor.scim())
    assert reason(door, ada, now) == Reason.NO_GRANT


def test_the_why_path(berlin, org):
    door, ada, group = berlin
    make_grant(group, door, schedule=OFFICE)
    allowed, _ = access_check(
        door=door, person=ada, source="console", now=at(BERLIN, 2026, 1, 12, 9)
    )
    assert allowed.path() == (
        "Ada Lovelace → Engineering → Front door, Mon–Fri 08:00–18:00 Europe/Berlin → allowed"
    )
    late, _ = access_check(door=door, person=ada, source="console", now=at(BERLIN, 2026, 1, 12, 19))
    assert late.path() == (
        "Ada Lovelace → Engineering → Front door, Mon–Fri 08:00–18:00 Europe/Berlin; "
        "it is Mon 2026-01-12 19:00 there → denied (outside_schedule)"
    )
    grace = make_person(org, "grace@acme.example.com", given_name="Grace", family_name="Hopper")
    none, _ = access_check(door=door, person=grace, source="console")
    assert none.path() == (
        "Grace Hopper → Front door: none of their groups has a grant on this door → denied "
        "(no_grant)"
    )


def test_every_check_is_an_event(berlin):
    door, ada, group = berlin
    grant = make_grant(group, door)
    _, event = access_check(door=door, person=ada, source="web", requested_by="")
    stored = AccessEvent.objects.get()
    assert stored == event
    assert (stored.person_scim_id, stored.person_label, stored.door_label) == (
        ada.scim_id,
        "ada@acme.example.com",
        "Front door",
    )
    assert stored.grant_id == grant.pk
    assert stored.grant_label == "Engineering → Front door, any time Europe/Berlin"
    assert stored.latency_us > 0


# The listings agree with the decision ----------------------------------------------------


def test_who_can_open_now_agrees_with_the_decision(org, berlin):
    door, ada, group = berlin
    make_grant(group, door, schedule=OFFICE)
    grace = make_person(org, "grace@acme.example.com")
    night = make_group(org, "Night", [grace])
    make_grant(night, door, schedule=NIGHT)
    alan = make_person(org, "alan@acme.example.com")
    make_group(org, "Ungranted", [alan])
    gone = make_person(org, "gone@acme.example.com")
    group_members_add_all = make_group(org, "Also engineering", [gone])
    make_grant(group_members_add_all, door)
    person_suspend(person=gone, actor=Actor.scim())
    for now in (
        at(BERLIN, 2026, 1, 12, 9),
        at(BERLIN, 2026, 1, 16, 23),
        at(BERLIN, 2026, 1, 18, 12),
    ):
        openers = {m.person_id for m in door_openers_now(org=org, door=door, now=now)}
        for person in (ada, grace, alan, gone):
            person.refresh_from_db()
            allowed = access_check(door=door, person=person, source="api", now=now)[0].allowed
            assert (person.pk in openers) is allowed, (person, now)


def test_doors_a_suspended_person_would_regain(org, berlin):
    door, ada, group = berlin
    make_grant(group, door)
    person_suspend(person=ada, actor=Actor.scim())
    assert [a.allowed for a in person_door_list(org=org, person=ada)] == [False]
    regained = person_door_list(org=org, person=ada, as_if_active=True)
    assert [(a.door, a.allowed) for a in regained] == [(door, True)]


# Cost ------------------------------------------------------------------------------------


def _queries_of_a_check(door, person) -> int:
    door = door_get(org=door.org, door_id=door.pk)
    with CaptureQueriesContext(connection) as queries:
        access_check(door=door, person=person, source="api")
    return len([q for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]])


def test_a_check_costs_the_same_queries_whatever_the_numbers(org):
    place = make_place(org)
    door = make_door(place)
    person = make_person(org)
    make_grant(make_group(org, "G0", [person]), door)
    small = _queries_of_a_check(door, person)
    for i in range(1, 30):
        group = make_group(org, f"G{i}", [person])
        make_grant(group, make_door(place, f"Door {i}"), schedule=OFFICE)
        make_grant(group, door, schedule=NIGHT)
    for i in range(30):
        make_person(org, f"p{i}@acme.example.com")
    assert _queries_of_a_check(door, person) == small == 2
