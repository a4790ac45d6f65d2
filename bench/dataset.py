"""The benchmark's data set, built in the template database (`python -m bench.dataset SPEC`,
started by bench.database with DATABASE_URL pointing at it).

Reproducible from the seed: the same people, ids, groups and memberships every time.
- `bigcorp`: the large customer. `people` people (20% suspended, their suspensions spread over
  the 120 days before the reference time), `groups` groups, one of them ("All Staff") with
  `big_group` members, everyone else in one to three random groups; one work email each.
- `globex`: a second org a quarter of the size whose first people share bigcorp's userNames
  (the same userName in two orgs is two people), so every query's org scoping is exercised.
- Doors (bigcorp): `places` places in a few time zones, `doors` doors spread over them, and
  `grants_per_group` grants per group on random doors, half of them Mon–Fri 08:00–18:00 in
  the place's zone; "All Staff" also opens the first 20 doors at any time. globex gets a
  tenth as many doors.
Orgs, SSO and SCIM are set up through the real services; the bulk rows go in with bulk_create.
"""

import datetime as dt
import json
import random
import sys
import time
import uuid
from typing import Any

import django

DATASET_VERSION = 2
BATCH = 5_000
SUSPENDED_SHARE = 0.2
SUSPENSION_SPREAD_DAYS = 120
OWNER_PASSWORD = "bench-doors-open-2026"

FIRST = (
    "ada", "grace", "alan", "katherine", "edsger", "barbara", "donald", "frances", "john",
    "margaret", "tim", "radia", "ken", "dennis", "linus", "guido", "anders", "bjarne", "james",
    "niklaus", "leslie", "shafi", "silvio", "whitfield",
)  # fmt: skip
LAST = (
    "lovelace", "hopper", "turing", "johnson", "dijkstra", "liskov", "knuth", "allen", "backus",
    "hamilton", "lee", "perlman", "thompson", "ritchie", "torvalds", "rossum", "hejlsberg",
    "stroustrup", "gosling", "wirth", "lamport", "goldwasser", "micali", "diffie",
)  # fmt: skip


def user_names(rng: random.Random, n: int, domain: str) -> list[str]:
    names = []
    for i in range(n):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        name = f"{first}.{last}.{i}@{domain}"
        if rng.random() < 0.1:  # stored and echoed exactly as the IdP sent it
            name = f"{first.title()}.{last.title()}.{i}@{domain.title()}"
        names.append(name)
    return names


def _scim_id(rng: random.Random) -> str:
    return uuid.UUID(int=rng.getrandbits(128), version=4).hex


ZONES = ("Europe/Berlin", "America/New_York", "Asia/Tokyo", "UTC", "Australia/Sydney")
OFFICE = [{"days": [0, 1, 2, 3, 4], "start": "08:00", "end": "18:00"}]


def build_doors(
    *,
    rng: random.Random,
    org: Any,
    group_pks: list[int],
    places: int,
    doors: int,
    grants_per_group: int,
    ref: dt.datetime,
) -> dict[str, int]:
    from access.models import Door, Grant, Place

    place_rows = Place.objects.bulk_create(
        [
            Place(org=org, name=f"Site {p:03d}", time_zone=ZONES[p % len(ZONES)], created_at=ref)
            for p in range(places)
        ]
    )
    door_rows = Door.objects.bulk_create(
        [
            Door(org=org, place=place_rows[d % places], name=f"Door {d:05d}", created_at=ref)
            for d in range(doors)
        ],
        batch_size=BATCH,
    )
    door_pks = [d.pk for d in door_rows]
    grants = [
        Grant(org=org, group_id=group_pks[0], door_id=pk, schedule=[], created_at=ref)
        for pk in door_pks[:20]
    ]
    for group_pk in group_pks[1:]:
        for door_pk in rng.sample(door_pks, min(grants_per_group, len(door_pks))):
            schedule = OFFICE if rng.random() < 0.5 else []
            grants.append(
                Grant(
                    org=org, group_id=group_pk, door_id=door_pk, schedule=schedule, created_at=ref
                )
            )
    Grant.objects.bulk_create(grants, batch_size=BATCH)
    return {"places": places, "doors": doors, "grants": len(grants)}


def build_org(
    *,
    rng: random.Random,
    slug: str,
    names: list[str],
    groups: int,
    big_group: int,
    ref: dt.datetime,
    places: int = 5,
    doors: int = 100,
    grants_per_group: int = 5,
) -> dict[str, Any]:
    from accounts.actor import Actor
    from accounts.models import Group, GroupMembership, Person, PersonEmail
    from accounts.services.orgs import org_create
    from accounts.usernames import user_name_key
    from provisioning.services.scim_config import scim_enable
    from sso.services import sso_configure, sso_demo_settings

    org, _ = org_create(
        slug=slug,
        name=slug.title(),
        owner_email=f"owner@{slug}.example",
        owner_password=OWNER_PASSWORD,
        actor=Actor.system(),
    )
    sso_configure(org=org, settings=sso_demo_settings(), actor=Actor.system(), enable=True)
    scim_enable(org=org, actor=Actor.system())

    group_rows = [
        Group(
            org=org,
            scim_id=_scim_id(rng),
            display_name="All Staff" if g == 0 else f"Door group {g:04d}",
            created_at=ref - dt.timedelta(days=900),
            updated_at=ref - dt.timedelta(days=900),
        )
        for g in range(groups)
    ]
    group_pks = [g.pk for g in Group.objects.bulk_create(group_rows, batch_size=BATCH)]
    big_members = set(rng.sample(range(len(names)), min(big_group, len(names))))

    suspended = 0
    memberships = 0
    for start in range(0, len(names), BATCH):
        people = []
        for name in names[start : start + BATCH]:
            created = ref - dt.timedelta(days=rng.uniform(SUSPENSION_SPREAD_DAYS + 10, 900))
            person = Person(
                org=org,
                scim_id=_scim_id(rng),
                user_name=name,
                user_name_key=user_name_key(name),
                external_id=f"00u{rng.getrandbits(64):016x}",
                given_name=name.split(".")[0].title(),
                family_name=name.split(".")[1].title(),
                display_name=name.split("@")[0],
                locale="en-US",
                provisioned_by=Person.Source.SCIM,
                created_at=created,
                updated_at=created,
            )
            if rng.random() < SUSPENDED_SHARE:
                person.is_active = False
                person.suspended_at = person.updated_at = ref - dt.timedelta(
                    seconds=rng.uniform(60, SUSPENSION_SPREAD_DAYS * 86_400)
                )
                suspended += 1
            people.append(person)
        Person.objects.bulk_create(people)
        PersonEmail.objects.bulk_create(
            [PersonEmail(person=p, value=p.user_name, type="work", primary=True) for p in people]
        )
        links = []
        for offset, person in enumerate(people):
            chosen = set(rng.sample(group_pks[1:], min(rng.randint(1, 3), len(group_pks) - 1)))
            if start + offset in big_members:
                chosen.add(group_pks[0])
            links += [
                GroupMembership(group_id=g, person=person, created_at=person.created_at)
                for g in sorted(chosen)
            ]
        GroupMembership.objects.bulk_create(links, batch_size=BATCH)
        memberships += len(links)
        print(f"  {slug}: {start + len(people)}/{len(names)} people", file=sys.stderr)
    access = build_doors(
        rng=rng,
        org=org,
        group_pks=group_pks,
        places=places,
        doors=doors,
        grants_per_group=grants_per_group,
        ref=ref,
    )
    print(f"  {slug}: {access}", file=sys.stderr)
    return {
        "slug": slug,
        "people": len(names),
        "suspended": suspended,
        "groups": groups,
        "big_group": len(big_members),
        "memberships": memberships,
        **access,
    }


def build(spec: dict[str, Any]) -> dict[str, Any]:
    from django.db import connection
    from django.utils import timezone

    from bench.config import Sizes

    sizes = Sizes.at(spec["scale"])
    rng = random.Random(spec["seed"])
    ref = timezone.now().replace(microsecond=0)
    started = time.monotonic()
    names = user_names(rng, sizes.people, "bigcorp.example")
    # globex's people share bigcorp's first userNames: the same names, different people.
    other_names = names[: sizes.other_people]
    orgs = [
        build_org(
            rng=rng,
            slug="bigcorp",
            names=names,
            groups=sizes.groups,
            big_group=sizes.big_group,
            ref=ref,
            places=sizes.places,
            doors=sizes.doors,
            grants_per_group=sizes.grants_per_group,
        ),
        build_org(
            rng=rng,
            slug="globex",
            names=other_names,
            groups=sizes.other_groups,
            big_group=min(sizes.big_group // 4, len(other_names)),
            ref=ref,
            places=max(1, sizes.places // 10),
            doors=max(20, sizes.doors // 10),
            grants_per_group=sizes.grants_per_group,
        ),
    ]
    marker = {
        **spec,
        "built_at": ref.isoformat(),
        "reference_time": ref.isoformat(),
        "build_seconds": round(time.monotonic() - started, 1),
        "orgs": orgs,
    }
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("CREATE TABLE bench_dataset (spec jsonb NOT NULL)")
        cursor.execute("INSERT INTO bench_dataset (spec) VALUES (%s)", [json.dumps(marker)])
    return marker


def main() -> None:
    django.setup()
    marker = build({**json.loads(sys.argv[1]), "version": DATASET_VERSION})
    print(json.dumps(marker))


if __name__ == "__main__":
    main()
