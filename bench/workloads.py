"""The workloads, each as Okta sends it (reference/okta-scim.md §3). Every function returns
the summaries of its request series; `facts` collects what a workload checked on the way."""

import random
from dataclasses import dataclass, field
from typing import Any

from bench.client import PATCH_OP, Phase, Scim, Series, q
from bench.config import Sizes

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
PAGE = 100


@dataclass(frozen=True)
class Person:
    scim_id: str
    user_name: str
    active: bool


@dataclass
class Context:
    port: int
    token: str
    sizes: Sizes
    concurrency: int
    rng: random.Random
    people: list[Person]  # bigcorp's people, in primary-key order
    api_key: str = ""
    # (person SCIM id, door id) pairs where one of the person's groups has a grant on the door
    granted: list[tuple[str, int]] = field(default_factory=list)
    door_ids: list[int] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)

    def phase(self, label: str, concurrency: int = 1) -> Phase:
        return Phase(self.port, self.token, label, concurrency)

    def api_phase(self, label: str, concurrency: int = 1) -> Phase:
        return Phase(self.port, self.api_key, label, concurrency, api=True)

    @property
    def levels(self) -> tuple[int, ...]:
        return tuple(dict.fromkeys((1, self.concurrency)))


def okta_user(user_name: str, i: int) -> dict[str, Any]:
    """The body of Okta's create (§3.3), password placeholder included."""
    given, family = user_name.split("@")[0].split(".")[:2]
    return {
        "schemas": [USER_SCHEMA],
        "userName": user_name,
        "name": {"givenName": given.title(), "familyName": family.title()},
        "emails": [{"primary": True, "value": user_name, "type": "work"}],
        "displayName": f"{given.title()} {family.title()}",
        "locale": "en-US",
        "externalId": f"00ubench{i:08d}",
        "groups": [],
        "password": "1mz050nq",
        "active": True,
    }


def eq_lookup(resource: str, attribute: str, value: str) -> str:
    """Okta's lookup: `<resource>?filter=<attribute> eq "<value>"&startIndex=1&count=100`."""
    expression = f'{attribute} eq "{value}"'
    return f"{resource}?filter={q(expression)}&startIndex=1&count=100"


def _list_total(reply: Any) -> int | None:
    doc = reply.json() if reply.status == 200 else None
    return doc.get("totalResults") if isinstance(doc, dict) else None


def warm_up(ctx: Context) -> None:
    """Every gunicorn worker imports, connects and compiles its templates before timing (the
    REST API's views too, when a key was issued)."""
    paths = [
        "ServiceProviderConfig",
        "Users?startIndex=1&count=2",
        "Groups?startIndex=1&count=2&excludedAttributes=members",
    ]
    ctx.phase("warm-up", ctx.concurrency).run(
        [paths[i % 3] for i in range(60)], lambda scim, path: scim.request("GET", path)
    )
    if ctx.api_key and ctx.door_ids:
        door = ctx.door_ids[0]
        person = ctx.people[0].scim_id
        ctx.api_phase("warm-up API", ctx.concurrency).run(
            range(40),
            lambda api, i: (
                api.request("GET", "places?page_size=1")
                if i % 2
                else api.request("POST", f"doors/{door}/check", {"person": person})
            ),
        )


def baseline(ctx: Context) -> list[dict[str, Any]]:
    """7. An authenticated trivial request: token lookup, a static document, the log entry."""
    rows = []
    for c in ctx.levels:
        phase = ctx.phase("7. baseline", c)
        series = phase.record("7. baseline: GET /ServiceProviderConfig")
        phase.run(
            range(ctx.sizes.baseline),
            lambda scim, _, s=series: s.add(scim.request("GET", "ServiceProviderConfig"), 200),
        )
        rows.append(series.summary())
    return rows


def create(ctx: Context) -> list[dict[str, Any]]:
    """1. Okta's create flow: `userName eq` lookup (nothing found) then POST, per person."""
    rows = []
    for c in ctx.levels:
        phase = ctx.phase("1. create flow", c)
        lookup = phase.record("1. create: lookup userName eq (none)")
        post = phase.record("1. create: POST /Users")

        def task(scim: Scim, i: int, c: int = c, lookup: Series = lookup, post: Series = post):
            user_name = f"new.person.c{c}.{i}@bigcorp.example"
            found = lookup.add(scim.request("GET", eq_lookup("Users", "userName", user_name)), 200)
            if _list_total(found) != 0:
                lookup.errors += 1
                return
            post.add(scim.request("POST", "Users", okta_user(user_name, i)), 201)

        phase.run(range(ctx.sizes.creates), task)
        rows += [lookup.summary(), post.summary()]
        ctx.facts[f"create_c{c}_people_per_s"] = round(ctx.sizes.creates / lookup.wall, 1)
    return rows


def lookup(ctx: Context) -> list[dict[str, Any]]:
    """2. `userName eq` for existing people of the 100,000, half of them in another case."""
    chosen = ctx.rng.sample(ctx.people, ctx.sizes.lookups)
    phase = ctx.phase("2. userName eq", 1)
    series = phase.record("2. lookup userName eq (found)")

    def task(scim: Scim, i_person: tuple[int, Person]) -> None:
        i, person = i_person
        name = person.user_name.upper() if i % 2 else person.user_name
        reply = series.add(scim.request("GET", eq_lookup("Users", "userName", name)), 200)
        if _list_total(reply) != 1:
            series.errors += 1

    phase.run(enumerate(chosen), task)
    return [series.summary()]


def full_import(ctx: Context) -> list[dict[str, Any]]:
    """3. Okta's import: `startIndex=1,101,…&count=100` through every person, in order."""
    probe = Scim(ctx.port, ctx.token)
    total = _list_total(probe.request("GET", "Users?startIndex=1&count=1")) or 0
    starts = list(range(1, total + 1, PAGE))
    phase = ctx.phase("3. import", 1)
    every = phase.record("3. import: every page (count=100)")
    first = phase.record("3. import: first 10 pages")
    last = phase.record("3. import: last 10 pages")
    seen: set[str] = set()

    def task(scim: Scim, start: int) -> None:
        reply = every.add(scim.request("GET", f"Users?startIndex={start}&count={PAGE}"), 200)
        if start <= 10 * PAGE:
            first.add(reply, 200)
        if start > starts[-1] - 10 * PAGE:
            last.add(reply, 200)
        doc = reply.json()
        if doc.get("totalResults") != total:
            every.errors += 1
        seen.update(r["id"] for r in doc["Resources"])

    phase.run(starts, task)
    ctx.facts["import_total"] = total
    ctx.facts["import_distinct_ids"] = len(seen)
    ctx.facts["import_complete"] = len(seen) == total

    # The same request shape at a page of 10 and of 100, and a page far in without the
    # previous page (random access, no keyset hint), for the query-count comparison.
    sizes = ctx.phase("3. page sizes", 1)
    ten = sizes.record("3. page of 10 (first and far pages)")
    far = sizes.record("3. page of 100 far in, random access")
    near_end = max(1, total - 150)
    sizes.run(
        [("ten", 1), ("ten", near_end), ("far", near_end), ("far", max(1, total // 2 + 7))] * 5,
        lambda scim, job: (ten if job[0] == "ten" else far).add(
            scim.request(
                "GET", f"Users?startIndex={job[1]}&count={10 if job[0] == 'ten' else PAGE}"
            ),
            200,
        ),
    )
    return [every.summary(), first.summary(), last.summary(), ten.summary(), far.summary()]


def deactivate(ctx: Context) -> list[dict[str, Any]]:
    """4. Okta's deactivation (§3.5): PATCH replace {"active": false}, several at once."""
    active = [p for p in ctx.people if p.active]
    chosen = ctx.rng.sample(active, ctx.sizes.deactivations)
    phase = ctx.phase("4. deactivate", ctx.concurrency)
    series = phase.record("4. deactivate: PATCH active=false")
    body = {"schemas": [PATCH_OP], "Operations": [{"op": "replace", "value": {"active": False}}]}
    phase.run(
        chosen,
        lambda scim, p: series.add(scim.request("PATCH", f"Users/{p.scim_id}", body), 200),
    )
    ctx.facts["deactivated"] = [p.scim_id for p in chosen]
    return [series.summary()]


def push(ctx: Context) -> list[dict[str, Any]]:
    """5. Group push (§3.8): find by name, create, add members 100 per PATCH, then remove
    members one by one with Okta's `members[value eq "…"]` path."""
    name = "Bench Push Group"
    setup = ctx.phase("5. group create", 1)
    created = setup.record("5. push: lookup + POST /Groups")
    group_id: list[str] = []

    def make(scim: Scim, _: int) -> None:
        path = eq_lookup("Groups", "displayName", name)
        if _list_total(created.add(scim.request("GET", path), 200)) != 0:
            created.errors += 1
        body = {"schemas": [GROUP_SCHEMA], "displayName": name, "members": []}
        reply = created.add(scim.request("POST", "Groups", body), 201)
        group_id.append(reply.json()["id"])

    setup.run([0], make)
    gid = group_id[0]
    deactivated = set(ctx.facts.get("deactivated", []))
    members = ctx.rng.sample(
        [p for p in ctx.people if p.scim_id not in deactivated], ctx.sizes.push_members
    )
    chunks = [members[i : i + PAGE] for i in range(0, len(members), PAGE)]
    adds = ctx.phase("5. add members", 1)
    add = adds.record("5. push: PATCH add 100 members")

    def add_task(scim: Scim, chunk: list[Person]) -> None:
        value = [{"value": p.scim_id, "display": p.user_name} for p in chunk]
        body = {
            "schemas": [PATCH_OP],
            "Operations": [{"op": "add", "path": "members", "value": value}],
        }
        add.add(scim.request("PATCH", f"Groups/{gid}", body), 204)

    adds.run(chunks, add_task)
    removes = ctx.phase("5. remove members", 1)
    remove = removes.record('5. push: PATCH remove members[value eq "…"]')

    def remove_task(scim: Scim, person: Person) -> None:
        op = {"op": "remove", "path": f'members[value eq "{person.scim_id}"]'}
        remove.add(
            scim.request("PATCH", f"Groups/{gid}", {"schemas": [PATCH_OP], "Operations": [op]}),
            204,
        )

    removes.run(ctx.rng.sample(members, ctx.sizes.push_removals), remove_task)
    ctx.facts["push_group_id"] = gid
    ctx.facts["push_expected_members"] = len(members) - ctx.sizes.push_removals
    return [created.summary(), add.summary(), remove.summary()]


def decision(ctx: Context) -> list[dict[str, Any]]:
    """8. The access decision, `POST /api/v1/doors/{id}/check {"person": …}`, beside a
    trivial authenticated API request (`GET /api/v1/places?page_size=1`: the key lookup, a
    COUNT and one row), interleaved in one phase so both meet the same load. Half the checks
    are for people whose groups have a grant on the door (allowed, or outside the office
    hours), half for random pairs (mostly no_grant); a fifth of the people are suspended."""
    rows = []
    reasons: dict[str, int] = {}
    for c in ctx.levels:
        phase = ctx.api_phase("8. decision", c)
        base = phase.record("8. API baseline: GET /api/v1/places")
        check = phase.record("8. decision: POST /api/v1/doors/{id}/check")
        work = []
        for i in range(ctx.sizes.checks):
            if i % 2 and ctx.granted:
                person, door = ctx.rng.choice(ctx.granted)
            else:
                person, door = ctx.rng.choice(ctx.people).scim_id, ctx.rng.choice(ctx.door_ids)
            work += [("base", None, None), ("check", person, door)]

        def task(api: Scim, item: tuple, base: Series = base, check: Series = check) -> None:
            kind, person, door = item
            if kind == "base":
                base.add(api.request("GET", "places?page_size=1"), 200)
                return
            reply = check.add(api.request("POST", f"doors/{door}/check", {"person": person}), 200)
            if reply.status == 200:
                reason = reply.json()["reason"]
                reasons[reason] = reasons.get(reason, 0) + 1

        phase.run(work, task)
        rows += [base.summary(), check.summary()]
    ctx.facts["decision_reasons"] = reasons
    return rows


def ratios(ctx: Context) -> list[dict[str, Any]]:
    """9. The targets' series (issue 14), interleaved request by request with the baseline so
    every ratio is of p50s measured under the same load: `userName eq` (found, any letter
    case), the first page of 100 users, of 100 groups without members, a PATCH adding 1 and
    one adding 100 members (each undone, untimed, so every rep starts alike), removing one
    member of the 10,000-member group (re-added, untimed), and the page of groups holding
    that group, members included."""
    probe = Scim(ctx.port, ctx.token)
    big_id, big_start = _big_group(probe)
    users_total = _list_total(probe.request("GET", "Users?startIndex=1&count=1")) or 0
    last_start = max(PAGE + 1, (users_total - 1) // PAGE * PAGE + 1)
    setup = ctx.phase("9. ratio groups", 1)
    made: list[str] = []
    setup.run(
        ["Bench Ratio Add 1", "Bench Ratio Add 100"],
        lambda scim, name: made.append(
            scim.request(
                "POST", "Groups", {"schemas": [GROUP_SCHEMA], "displayName": name, "members": []}
            ).json()["id"]
        ),
    )
    one_id, hundred_id = made  # one client thread: in the order asked
    big_members = [
        m["value"] for m in probe.request("GET", f"Groups/{big_id}").json().get("members", [])
    ]
    reps = ctx.sizes.ratio_reps
    phase = ctx.phase("9. ratios", 1)
    names = {
        "base": "9. baseline: GET /ServiceProviderConfig",
        "eq": '9. userName eq "…" (found, any case)',
        "users": "9. GET /Users?startIndex=1&count=100",
        "last": "9. GET /Users, the last page of 100 (after the page before it)",
        "groups": "9. GET /Groups?count=100&excludedAttributes=members",
        "add1": "9. PATCH add 1 member",
        "add100": "9. PATCH add 100 members",
        "remove_big": "9. PATCH remove 1 member of the largest group (10,000 at scale 1)",
        "big_page": "9. GET /Groups page holding the largest group, members included",
    }
    series = {key: phase.record(label) for key, label in names.items()}
    active = [p for p in ctx.people if p.active]
    work = []
    for i in range(reps):
        person = ctx.rng.choice(active)
        hundred = ctx.rng.sample(active, PAGE)
        gone = ctx.rng.choice(big_members) if big_members else None
        work += [
            ("base", None),
            ("eq", person.user_name.upper() if i % 2 else person.user_name),
            ("users", None),
            ("last", None),
            ("groups", None),
            ("add1", [person]),
            ("add100", hundred),
            ("remove_big", gone),
        ]
        if i % 5 == 0:
            work.append(("big_page", None))

    def members_patch(op: str, people: list[Person]) -> dict[str, Any]:
        value = [{"value": p.scim_id, "display": p.user_name} for p in people]
        return {
            "schemas": [PATCH_OP],
            "Operations": [{"op": op, "path": "members", "value": value}],
        }

    def task(scim: Scim, item: tuple[str, Any]) -> None:
        kind, arg = item
        s = series[kind]
        if kind == "base":
            s.add(scim.request("GET", "ServiceProviderConfig"), 200)
        elif kind == "eq":
            reply = s.add(scim.request("GET", eq_lookup("Users", "userName", arg)), 200)
            if _list_total(reply) != 1:
                s.errors += 1
        elif kind == "users":
            s.add(scim.request("GET", f"Users?startIndex=1&count={PAGE}"), 200)
        elif kind == "last":
            # As in Okta's import: the page before it first (untimed), then the last page.
            scim.request("GET", f"Users?startIndex={last_start - PAGE}&count={PAGE}")
            s.add(scim.request("GET", f"Users?startIndex={last_start}&count={PAGE}"), 200)
        elif kind == "groups":
            path = f"Groups?startIndex=1&count={PAGE}&excludedAttributes=members"
            s.add(scim.request("GET", path), 200)
        elif kind in ("add1", "add100"):
            gid = one_id if kind == "add1" else hundred_id
            s.add(scim.request("PATCH", f"Groups/{gid}", members_patch("add", arg)), 204)
            scim.request("PATCH", f"Groups/{gid}", members_patch("remove", arg))
        elif kind == "remove_big" and arg:
            op = {"op": "remove", "path": f'members[value eq "{arg}"]'}
            body = {"schemas": [PATCH_OP], "Operations": [op]}
            s.add(scim.request("PATCH", f"Groups/{big_id}", body), 204)
            back = {"schemas": [PATCH_OP], "Operations": [
                {"op": "add", "path": "members", "value": [{"value": arg}]}]}  # fmt: skip
            scim.request("PATCH", f"Groups/{big_id}", back)
        elif kind == "big_page":
            reply = s.add(scim.request("GET", f"Groups?startIndex={big_start}&count={PAGE}"), 200)
            doc = reply.json() if reply.status == 200 else {}
            members = sum(len(g.get("members", [])) for g in doc.get("Resources", []))
            ctx.facts["big_page_members"] = members
            ctx.facts["big_page_bytes"] = len(reply.body)

    phase.run(work, task)
    ctx.facts["big_group_members"] = len(big_members)
    return [s.summary() for s in series.values()]


def _big_group(probe: Scim) -> tuple[str, int]:
    """The largest group's id and the startIndex of a page of 100 that holds it."""
    start, best = 1, ("", 0, 1)
    while True:
        doc = probe.request("GET", f"Groups?startIndex={start}&count={PAGE}").json()
        for i, group in enumerate(doc["Resources"]):
            size = len(group.get("members", []))
            if size > best[1]:
                best = (group["id"], size, start + i)
        start += PAGE
        if start > doc["totalResults"]:
            return best[0], (best[2] - 1) // PAGE * PAGE + 1
