"""A property: no sequence of SCIM and console changes ever lets a suspended, IdP-deleted
or removed person through, or keeps out someone who should pass.

Hypothesis draws sequences of changes (the SCIM lifecycle and group services under the
IdP's actor, grants, lockdowns and console-group edits under an owner's) over a small org
of three people, two groups (one pushed by the IdP, one made in the console) and two doors.
After every change, every person is checked at every door by the real decision, and each
answer must be the one a plain model of the rules gives."""

from dataclasses import dataclass, field

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from access.decision import Reason, access_check
from access.selectors import door_get
from access.services.grants import grant_create, grant_delete
from access.services.places import door_lockdown, door_lockdown_lift
from accounts.actor import Actor
from accounts.models import Membership
from accounts.services.groups import (
    group_create,
    group_delete,
    group_members_add,
    group_members_remove,
)
from provisioning.services.lifecycle import (
    scim_person_idp_delete,
    scim_person_reactivate,
    scim_person_suspend,
)
from tests.access.support import make_door, make_person, make_place

pytestmark = pytest.mark.django_db

PEOPLE, GROUPS, DOORS = 3, 2, 2
SCIM = Actor.scim()

action = st.one_of(
    st.tuples(st.just("suspend"), st.integers(0, PEOPLE - 1)),
    st.tuples(st.just("reactivate"), st.integers(0, PEOPLE - 1)),
    st.tuples(st.just("idp_delete"), st.integers(0, PEOPLE - 1)),
    st.tuples(st.just("add"), st.integers(0, GROUPS - 1), st.integers(0, PEOPLE - 1)),
    st.tuples(st.just("remove"), st.integers(0, GROUPS - 1), st.integers(0, PEOPLE - 1)),
    st.tuples(st.just("grant"), st.integers(0, GROUPS - 1), st.integers(0, DOORS - 1)),
    st.tuples(st.just("ungrant"), st.integers(0, GROUPS - 1), st.integers(0, DOORS - 1)),
    st.tuples(st.just("delete_group"), st.integers(0, GROUPS - 1)),
    st.tuples(st.just("lockdown"), st.integers(0, DOORS - 1)),
    st.tuples(st.just("lift"), st.integers(0, DOORS - 1)),
)


class Rollback(Exception):
    pass


@dataclass
class Model:
    active: list[bool] = field(default_factory=lambda: [True] * PEOPLE)
    deleted: list[bool] = field(default_factory=lambda: [False] * PEOPLE)
    members: list[set[int]] = field(default_factory=lambda: [set() for _ in range(GROUPS)])
    grants: list[set[int]] = field(default_factory=lambda: [set() for _ in range(GROUPS)])
    locked: list[bool] = field(default_factory=lambda: [False] * DOORS)

    def expected(self, p: int, d: int) -> str:
        if self.deleted[p]:
            return Reason.PERSON_DELETED
        if not self.active[p]:
            return Reason.PERSON_SUSPENDED
        if self.locked[d]:
            return Reason.DOOR_LOCKED_DOWN
        if any(p in self.members[g] and d in self.grants[g] for g in range(GROUPS)):
            return Reason.ALLOWED
        return Reason.NO_GRANT


class World:
    """The org's rows, and the changes as the IdP (group 0 and people) and the console (grants,
    lockdowns, group 1) make them."""

    def __init__(self, org, owner) -> None:
        self.org = org
        self.console = Actor.of(owner)
        place = make_place(org)
        self.doors = [make_door(place, f"Door {d}") for d in range(DOORS)]
        self.people = [make_person(org, f"p{p}@acme.example.com") for p in range(PEOPLE)]
        self.groups = [self._new_group(g) for g in range(GROUPS)]
        self.grants: dict[tuple[int, int], list] = {}
        self.model = Model()

    def _new_group(self, g: int):
        # Group 0 is pushed by the IdP, group 1 made in the console.
        actor = SCIM if g == 0 else self.console
        name = f"Group {g} #{getattr(self, 'generation', 0)}"
        self.generation = getattr(self, "generation", 0) + 1
        return group_create(org=self.org, display_name=name, actor=actor)

    def apply(self, step: tuple) -> None:
        kind, *args = step
        m = self.model
        if kind in ("suspend", "reactivate", "idp_delete"):
            p = args[0]
            person = self.people[p]
            person.refresh_from_db()
            if kind == "suspend":
                scim_person_suspend(person=person)
                m.active[p] = False
            elif kind == "reactivate":
                scim_person_reactivate(person=person)
                m.active[p], m.deleted[p] = True, False
            else:
                scim_person_idp_delete(person=person)
                if not m.deleted[p]:
                    for members in m.members:
                        members.discard(p)
                m.active[p], m.deleted[p] = False, True
        elif kind in ("add", "remove"):
            g, p = args
            if m.deleted[p]:
                return  # the IdP cannot see, so cannot link or unlink, a person it deleted
            actor = SCIM if g == 0 else self.console
            change = group_members_add if kind == "add" else group_members_remove
            change(group=self.groups[g], member_ids=[self.people[p].scim_id], actor=actor)
            (m.members[g].add if kind == "add" else m.members[g].discard)(p)
        elif kind == "grant":
            g, d = args
            grant = grant_create(group=self.groups[g], door=self.doors[d], actor=self.console)
            self.grants.setdefault((g, d), []).append(grant)
            m.grants[g].add(d)
        elif kind == "ungrant":
            g, d = args
            for grant in self.grants.pop((g, d), []):
                grant_delete(grant=grant, actor=self.console)
            m.grants[g].discard(d)
        elif kind == "delete_group":
            g = args[0]
            group_delete(group=self.groups[g], actor=SCIM if g == 0 else self.console)
            self.groups[g] = self._new_group(g)
            self.grants = {k: v for k, v in self.grants.items() if k[0] != g}
            m.members[g], m.grants[g] = set(), set()
        elif kind in ("lockdown", "lift"):
            d = args[0]
            door = self.doors[d]
            (door_lockdown if kind == "lockdown" else door_lockdown_lift)(
                door=door, actor=self.console
            )
            m.locked[d] = kind == "lockdown"

    def check_everyone(self, step: tuple) -> None:
        for d, door in enumerate(self.doors):
            door = door_get(org=self.org, door_id=door.pk)  # as a request would read it
            for p, person in enumerate(self.people):
                person.refresh_from_db()
                decision, _ = access_check(door=door, person=person, source="api")
                assert decision.reason == self.model.expected(p, d), (step, p, d, self.model)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(action, min_size=1, max_size=20))
def test_no_sequence_of_changes_lets_the_wrong_person_through(org, steps):
    owner = Membership.objects.get(org=org, role=Membership.Role.OWNER).account
    try:
        with transaction.atomic():
            world = World(org, owner)
            for step in steps:
                world.apply(step)
                world.check_everyone(step)
            raise Rollback
    except Rollback:
        pass
