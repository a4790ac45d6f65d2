"""KisiSCIM side by side with its peers, in one run, on this machine and database server:
`python -m bench.peers.run` (`make bench` runs it after the main workloads).

Each server starts fresh with the same data set (BENCH_PEER_USERS people, 2,000 by default)
and gets the same Okta-shaped requests from one client thread, BENCH_PEER_REPS (50) of each:

- KisiSCIM: gunicorn (BENCH_WORKERS sync workers), PostgreSQL, its own database;
- django-scim2 0.23.0 used as documented (`bench/peers/django_scim2/`): gunicorn with the same
  workers, PostgreSQL, its own database, the library's views, adapters and filters;
- scim2-server 0.8.3 (the python-scim reference server, `bench/peers/scim2_server/`): its own
  virtualenv (built under var/bench/ on first use), in memory, one gunicorn worker with four
  threads (its storage is per process).

The table gives each server's p50 and its ratio to its own trivial authenticated request
(`GET /ResourceTypes/User` on all three: scim2-server serves /ServiceProviderConfig without
authentication), and KisiSCIM's standing. A workload a server cannot do is marked (501,
refused, wrong answer), never hidden. Results: bench/results/<date>-peers.json.
"""

import datetime as dt
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from bench.client import PATCH_OP, Reply, Scim, Series, q
from bench.config import REPO, Config, check_database_name
from bench.progress import note
from bench.server import free_port

HERE = Path(__file__).resolve().parent
RESULTS = REPO / "bench" / "results"
DOC = REPO / "docs" / "performance.md"
DOC_START = "<!-- bench:peers:start -->"
DOC_END = "<!-- bench:peers:end -->"
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
BULK_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:BulkRequest"
TOKEN = "peer-bench-token"
STARTUP_TIMEOUT = 120


def user_name(i: int) -> str:
    return f"peer.user{i}@bigcorp.example"


@dataclass
class Server:
    name: str
    label: str
    base: str
    port: int = 0
    token: str = TOKEN
    process: subprocess.Popen | None = None

    def client(self) -> Scim:
        return Scim(self.port, self.token, base=self.base)


def _wait(server: Server, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if server.process is not None and server.process.poll() is not None:
            raise RuntimeError(f"{server.name} exited; see {log}")
        try:
            reply = server.client().request("GET", "ResourceTypes/User")
            if reply.status in (200, 401):
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{server.name} did not answer within {STARTUP_TIMEOUT} s; see {log}")


def _stop(server: Server) -> None:
    process, server.process = server.process, None
    if process is None or process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def _spawn(server: Server, argv: list[str], *, cwd: Path, env: dict[str, str], log: Path) -> None:
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as out:
        server.process = subprocess.Popen(
            argv, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    _wait(server, log)


def _fresh_database(config: Config, name: str) -> str:
    import psycopg

    check_database_name(name)
    with psycopg.connect(config.url_for("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return config.url_for(name)


def _drop_database(config: Config, name: str) -> None:
    import psycopg

    with psycopg.connect(config.url_for("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def kisiscim(config: Config, users: int) -> Iterator[Server]:
    name = f"{config.db_name}_peer_kisiscim"
    peer = replace(config, database_url=_fresh_database(config, name))
    env = peer.django_env()
    run = subprocess.run  # the seed prints the token on its last line
    manage = [sys.executable, "manage.py"]
    run([*manage, "migrate", "--noinput", "-v", "0"], cwd=REPO, env=env, check=True)
    seeded = run(
        [sys.executable, "-m", "bench.peers.seed_kisiscim", str(users)],
        cwd=REPO,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    server = Server(
        "KisiSCIM",
        f"KisiSCIM (gunicorn, {config.workers} sync workers, PostgreSQL)",
        "/scim/v2",
        port=free_port(),
        token=seeded.stdout.strip().splitlines()[-1],
    )
    argv = [sys.executable, "-m", "gunicorn", "kisiscim.wsgi", "--workers", str(config.workers)]
    argv += ["--bind", f"127.0.0.1:{server.port}", "--timeout", "60", "--log-level", "warning"]
    try:
        _spawn(server, argv, cwd=REPO, env=env, log=REPO / "var" / "bench" / "peer-kisiscim.log")
        yield server
    finally:
        _stop(server)
        _drop_database(config, name)


@contextmanager
def django_scim2(config: Config, users: int) -> Iterator[Server]:
    name = f"{config.db_name}_peer_django_scim2"
    _fresh_database(config, name)
    root = HERE / "django_scim2"
    url = config.url_for(name)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))},
        "DJANGO_SETTINGS_MODULE": "peer_project.settings",
        "PEER_DATABASE_URL": url,
        "PYTHONPATH": str(root),
    }
    manage = [sys.executable, "manage.py"]
    for step in (["migrate", "--noinput", "-v", "0"], ["seed_token", TOKEN]):
        subprocess.run([*manage, *step], cwd=root, env=env, check=True, capture_output=True)
    subprocess.run(
        [*manage, "seed_users", str(users), "--prefix", "peer.user"],
        cwd=root,
        env=env,
        check=True,
        capture_output=True,
    )
    server = Server(
        "django-scim2",
        f"django-scim2 0.23.0 as documented (gunicorn, {config.workers} sync workers, PostgreSQL)",
        "/scim/v2",
        port=free_port(),
    )
    argv = [sys.executable, "-m", "gunicorn", "peer_project.wsgi", "--workers", str(config.workers)]
    argv += ["--bind", f"127.0.0.1:{server.port}", "--timeout", "60", "--log-level", "warning"]
    try:
        log = REPO / "var" / "bench" / "peer-django-scim2.log"
        _spawn(server, argv, cwd=root, env=env, log=log)
        yield server
    finally:
        _stop(server)
        _drop_database(config, name)


def _scim2_venv() -> Path:
    """scim2-server's own virtualenv (its pydantic pins are its business), built once."""
    venv = REPO / "var" / "bench" / "venv-scim2-server"
    requirements = HERE / "scim2_server" / "requirements.txt"
    stamp = venv / ".requirements"
    if stamp.exists() and stamp.read_text() == requirements.read_text():
        return venv
    note("building scim2-server's virtualenv (once)")
    shutil.rmtree(venv, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, "--disable-pip-version-check", "-r", str(requirements)], check=True)
    stamp.write_text(requirements.read_text())
    return venv


@contextmanager
def scim2_server(config: Config, users: int) -> Iterator[Server]:
    venv = _scim2_venv()
    server = Server(
        "scim2-server",
        "scim2-server 0.8.3 (in memory, gunicorn, 1 worker x 4 threads)",
        "/v2",
        port=free_port(),
    )
    argv = [str(venv / "bin" / "python"), "-m", "gunicorn", "wsgi:application", "--workers", "1"]
    argv += ["--worker-class", "gthread", "--threads", "4", "--bind", f"127.0.0.1:{server.port}"]
    argv += ["--timeout", "60", "--log-level", "warning"]
    env = {**os.environ, "SCIM2_SERVER_TOKEN": TOKEN}
    try:
        log = REPO / "var" / "bench" / "peer-scim2-server.log"
        _spawn(server, argv, cwd=HERE / "scim2_server", env=env, log=log)
        _bulk_seed(server, users)
        yield server
    finally:
        _stop(server)


def okta_user(name: str, i: int) -> dict[str, Any]:
    given, family = name.split("@")[0].split(".")[:2]
    return {
        "schemas": [USER_SCHEMA],
        "userName": name,
        "name": {"givenName": given.title(), "familyName": family.title()},
        "emails": [{"primary": True, "value": name, "type": "work"}],
        "displayName": f"{given.title()} {family.title()}",
        "locale": "en-US",
        "externalId": f"00upeer{i:08d}",
        "groups": [],
        "password": "1mz050nq",
        "active": True,
    }


def _bulk_seed(server: Server, users: int) -> None:
    """scim2-server keeps nothing on disk: the data set goes in through /Bulk at each start."""
    scim = server.client()
    for start in range(0, users, 500):
        ops = [
            {
                "method": "POST",
                "path": "/Users",
                "bulkId": f"u{i}",
                "data": okta_user(user_name(i), i),
            }
            for i in range(start, min(users, start + 500))
        ]
        reply = scim.request("POST", "Bulk", {"schemas": [BULK_SCHEMA], "Operations": ops})
        if reply.status != 200:
            raise RuntimeError(f"scim2-server bulk seed: {reply.status} {reply.body[:200]!r}")
    scim.close()


# --- Workloads --------------------------------------------------------------------------------


@dataclass
class Outcome:
    """One workload on one server: its timings and whether the answers were right."""

    series: Series
    verdict: str = "ok"  # ok | wrong | unsupported | refused | error
    why: str = ""

    def fail(self, verdict: str, why: str) -> None:
        if self.verdict == "ok":
            self.verdict, self.why = verdict, why

    def summary(self) -> dict[str, Any]:
        return {**self.series.summary(), "verdict": self.verdict, "why": self.why}


def _judge(outcome: Outcome, reply: Reply, expected: tuple[int, ...]) -> bool:
    outcome.series.ms.append(reply.ms)
    outcome.series.queries.append(reply.queries)
    if reply.status in expected:
        return True
    body = reply.body[:160].decode(errors="replace")
    if reply.status == 501:
        outcome.fail("unsupported", f"501 {body}")
    elif reply.status >= 500:
        outcome.fail("error", f"{reply.status} {body}")
    else:
        outcome.fail("refused", f"{reply.status} {body}")
    return False


@dataclass
class Run:
    server: Server
    users: int
    reps: int
    rng: random.Random
    ids: list[str] = field(default_factory=list)
    results: dict[str, Outcome] = field(default_factory=dict)

    def outcome(self, name: str) -> Outcome:
        return self.results.setdefault(name, Outcome(Series(name, 1)))

    def timed(self, name: str, items: list[Any], task: Callable[[Scim, Any, Outcome], None]):
        scim = self.server.client()
        outcome = self.outcome(name)
        started = time.perf_counter()
        try:
            for item in items:
                task(scim, item, outcome)
        finally:
            scim.close()
            outcome.series.wall = time.perf_counter() - started


def _collect_ids(run: Run) -> None:
    """Every seeded person's id, by paging (each server's own way of listing)."""
    scim = run.server.client()
    by_name: dict[str, str] = {}
    start = 1
    while len(by_name) < run.users:
        doc = scim.request("GET", f"Users?startIndex={start}&count=100").json() or {}
        page = doc.get("Resources") or []
        if not page:
            break
        by_name.update({r["userName"]: r["id"] for r in page})
        start += len(page)
    scim.close()
    run.ids = [by_name[user_name(i)] for i in range(run.users) if user_name(i) in by_name]
    if len(run.ids) != run.users:
        raise RuntimeError(f"{run.server.name}: listed {len(run.ids)} of {run.users} people")


def baseline(run: Run) -> None:
    def task(scim: Scim, _: Any, outcome: Outcome) -> None:
        _judge(outcome, scim.request("GET", "ResourceTypes/User"), (200,))

    run.timed("trivial: GET /ResourceTypes/User", [None] * (run.reps * 4), task)


def lookup(run: Run) -> None:
    picks = [run.rng.randrange(run.users) for _ in range(run.reps * 2)]

    def task(scim: Scim, i: int, outcome: Outcome) -> None:
        expression = f'userName eq "{user_name(i).upper()}"'  # any letter case (RFC 7643)
        reply = scim.request("GET", f"Users?filter={q(expression)}&startIndex=1&count=100")
        if _judge(outcome, reply, (200,)):
            found = [r.get("id") for r in (reply.json() or {}).get("Resources", [])]
            if found != [run.ids[i]]:
                outcome.fail("wrong", f"found {len(found)} people, not exactly the one asked for")

    run.timed("userName eq (found, other case)", picks, task)


def page(run: Run) -> None:
    def task(scim: Scim, _: Any, outcome: Outcome) -> None:
        reply = scim.request("GET", "Users?startIndex=1&count=100")
        if _judge(outcome, reply, (200,)):
            doc = reply.json() or {}
            total = doc.get("totalResults")
            if len(doc.get("Resources") or []) != 100 or not isinstance(total, int):
                outcome.fail("wrong", "not 100 Resources with an integer totalResults")

    run.timed("page of 100 users (startIndex=1&count=100)", [None] * run.reps, task)


def create(run: Run) -> None:
    def task(scim: Scim, i: int, outcome: Outcome) -> None:
        name = f"peer.new{i}@bigcorp.example"
        _judge(outcome, scim.request("POST", "Users", okta_user(name, 10_000_000 + i)), (201,))

    run.timed("create (POST /Users, Okta's body)", list(range(run.reps)), task)


def deactivate(run: Run) -> None:
    targets = run.ids[-run.reps :]
    body = {"schemas": [PATCH_OP], "Operations": [{"op": "replace", "value": {"active": False}}]}

    def task(scim: Scim, scim_id: str, outcome: Outcome) -> None:
        _judge(outcome, scim.request("PATCH", f"Users/{scim_id}", body), (200, 204))

    run.timed("deactivate (PATCH active false)", targets, task)
    check = run.server.client().request("GET", f"Users/{targets[0]}").json() or {}
    if check.get("active") is not False:
        run.outcome("deactivate (PATCH active false)").fail("wrong", "still active afterwards")


def push(run: Run) -> None:
    scim = run.server.client()
    created = scim.request(
        "POST", "Groups", {"schemas": [GROUP_SCHEMA], "displayName": "Peers Bench", "members": []}
    )
    outcome = run.outcome("group lookup displayName eq (found)")
    if created.status != 201:
        outcome.fail("refused", f"POST /Groups: {created.status}")
        return
    group_id = (created.json() or {})["id"]
    expression = q('displayName eq "Peers Bench"')
    for _ in range(run.reps):
        reply = scim.request("GET", f"Groups?filter={expression}&excludedAttributes=members")
        if _judge(outcome, reply, (200,)):
            found = [r.get("id") for r in (reply.json() or {}).get("Resources", [])]
            if found != [group_id]:
                outcome.fail("wrong", f"found {len(found)} groups, not the one just created")
    scim.close()

    def add(ids: list[str]) -> dict[str, Any]:
        value = [{"value": i} for i in ids]
        return {
            "schemas": [PATCH_OP],
            "Operations": [{"op": "add", "path": "members", "value": value}],
        }

    singles = run.ids[: run.reps]
    blocks = [run.ids[run.reps + 100 * b : run.reps + 100 * (b + 1)] for b in range(run.reps // 5)]
    blocks = [b for b in blocks if len(b) == 100]

    def add_one(scim: Scim, scim_id: str, outcome: Outcome) -> None:
        _judge(outcome, scim.request("PATCH", f"Groups/{group_id}", add([scim_id])), (200, 204))

    def add_hundred(scim: Scim, ids: list[str], outcome: Outcome) -> None:
        _judge(outcome, scim.request("PATCH", f"Groups/{group_id}", add(ids)), (200, 204))

    def remove_one(scim: Scim, scim_id: str, outcome: Outcome) -> None:
        path = f'members[value eq "{scim_id}"]'
        body = {"schemas": [PATCH_OP], "Operations": [{"op": "remove", "path": path}]}
        _judge(outcome, scim.request("PATCH", f"Groups/{group_id}", body), (200, 204))

    run.timed("group: add 1 member", singles, add_one)
    run.timed("group: add 100 members", blocks, add_hundred)
    run.timed("group: remove 1 member (Okta's members[value eq])", singles, remove_one)


WORKLOADS = (baseline, lookup, page, create, deactivate, push)


def measure(servers: list[Server], users: int, reps: int, seed: int) -> dict[str, dict]:
    """Every workload on each server in turn, before the next workload: the servers meet the
    same load on a shared machine within seconds of each other, not minutes apart."""
    runs = [Run(server, users, reps, random.Random(seed)) for server in servers]
    for run in runs:
        _collect_ids(run)
    for workload in WORKLOADS:
        for run in runs:
            note(f"peers: {run.server.name}: {workload.__name__}")
            workload(run)
    return {
        run.server.name: {name: outcome.summary() for name, outcome in run.results.items()}
        for run in runs
    }


# --- The table --------------------------------------------------------------------------------

TRIVIAL = "trivial: GET /ResourceTypes/User"


def _cell(row: dict[str, Any] | None, base: float | None) -> str:
    if row is None:
        return "—"
    if row["verdict"] != "ok":
        return f"**{row['verdict']}**: {row['why'][:60]}"
    ratio = f" ({row['p50_ms'] / base:.1f}x)" if base else ""
    return f"{row['p50_ms']:.1f} ms{ratio}"


def _standing(
    ours: dict[str, Any] | None, peers: list[dict[str, Any] | None], base: dict[str, float | None]
) -> str:
    """Where KisiSCIM stands on a row, by p50 and by the ratio to each server's own trivial
    request (which, for KisiSCIM alone, includes the token lookup and a durable log row)."""
    if ours is None or ours["verdict"] != "ok":
        return "—"
    able = [p for p in peers if p is not None and p["verdict"] == "ok"]
    if not able:
        return "only KisiSCIM does it right"

    def ratio(row: dict[str, Any]) -> float | None:
        ref = base.get(row["server"])
        return row["p50_ms"] / ref if ref else None

    def verdict(faster: list[str]) -> str:
        return "ahead" if not faster else "behind " + ", ".join(faster)

    by_p50 = verdict([p["server"] for p in able if p["p50_ms"] < ours["p50_ms"]])
    mine = ratio(ours)
    if ours["workload"] == TRIVIAL or mine is None:
        return f"p50 {by_p50}"
    by_ratio = verdict([p["server"] for p in able if (r := ratio(p)) is not None and r < mine])
    return f"p50 {by_p50}; ratio {by_ratio}"


def table(results: dict[str, dict[str, dict[str, Any]]]) -> str:
    names = list(results)
    base = {n: (results[n].get(TRIVIAL) or {}).get("p50_ms") for n in names}
    head = "| workload | " + " | ".join(f"{n} p50 (÷ own trivial)" for n in names)
    lines = [head + " | KisiSCIM |", "|---" * (len(names) + 2) + "|"]
    for workload in results[names[0]]:
        rows = {n: results[n].get(workload) for n in names}
        for n, row in rows.items():
            if row is not None:
                row["server"], row["workload"] = n, workload
        cells = " | ".join(_cell(rows[n], base[n]) for n in names)
        standing = _standing(rows[names[0]], [rows[n] for n in names[1:]], base)
        lines.append(f"| {workload} | {cells} | {standing} |")
    return "\n".join(lines)


def update_doc(text_table: str, header: str) -> None:
    text = DOC.read_text()
    if DOC_START not in text:
        return
    start, end = text.index(DOC_START) + len(DOC_START), text.index(DOC_END)
    DOC.write_text(text[:start] + f"\n{header}\n\n{text_table}\n" + text[end:])


STARTS = (kisiscim, django_scim2, scim2_server)


def main() -> None:
    config = Config.from_env()
    users = int(os.environ.get("BENCH_PEER_USERS", "2000"))
    reps = int(os.environ.get("BENCH_PEER_REPS", "50"))
    if users < 100 + 100 * (reps // 5) + reps:
        sys.exit("BENCH_PEER_USERS is too small for BENCH_PEER_REPS (the member workloads)")
    labels: dict[str, str] = {}
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    with ExitStack() as stack:
        servers = [stack.enter_context(start(config, users)) for start in STARTS]
        for server in servers:
            note(f"peers: {server.label} on 127.0.0.1:{server.port}")
            labels[server.name] = server.label
        results = measure(servers, users, reps, config.seed)
    text_table = table(results)
    today = dt.date.today().isoformat()
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"{today}{'-' + config.label if config.label else ''}-peers.json"
    facts = {
        "date": today,
        "users": users,
        "reps": reps,
        "servers": labels,
        "load_average": {"start": load_at_start, "end": [round(x, 2) for x in os.getloadavg()]},
        "results": results,
    }
    out.write_text(json.dumps(facts, indent=2) + "\n")
    print(text_table)
    note(f"peer results in {out.relative_to(REPO)}")
    if config.update_docs:
        update_doc(text_table, f"{users:,} people, {reps} requests of each, {today}:")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(130)
