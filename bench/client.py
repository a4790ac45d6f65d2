"""HTTP to the SCIM endpoint the way Okta calls it (and to the REST API the way a door
controller does), timed per request, from several threads (each with its own keep-alive
connection), with the query count from X-Query-Count."""

import http.client
import json
import statistics
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from bench.progress import Progress

OKTA_HEADERS = {
    "User-Agent": "Okta SCIM Client 1.0.0",
    "Accept": "application/scim+json",
    "Accept-Charset": "utf-8",
}
SCIM_JSON = "application/scim+json; charset=utf-8"
API_JSON = "application/json"
API_BASE = "/api/v1"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
RETRYABLE = (
    http.client.RemoteDisconnected,
    http.client.CannotSendRequest,
    ConnectionResetError,
    BrokenPipeError,
)


def q(text: str) -> str:
    """A query-string value, percent-encoded as Okta sends it (%20, %22)."""
    return quote(text, safe="")


@dataclass
class Reply:
    status: int
    ms: float
    queries: int
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


class Scim:
    """One connection. gunicorn's sync workers close it after each response; http.client
    then reconnects on the next request, and a request that met a closing socket is retried
    once (it never reached the application)."""

    def __init__(
        self, port: int, token: str, base: str = "/scim/v2", content_type: str = SCIM_JSON
    ) -> None:
        self.port = port
        self.base = base
        self.content_type = content_type
        self.headers = {**OKTA_HEADERS, "Authorization": f"Bearer {token}"}
        if base == API_BASE:
            self.headers = {"Accept": "application/json", "Authorization": f"Bearer {token}"}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def request(self, method: str, path: str, body: Any = None) -> Reply:
        headers = dict(self.headers)
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = self.content_type
        for attempt in (1, 2):
            try:
                started = time.perf_counter()
                self.conn.request(method, f"{self.base}/{path}", body=data, headers=headers)
                response = self.conn.getresponse()
                payload = response.read()
                elapsed = (time.perf_counter() - started) * 1000
                break
            except RETRYABLE:
                self.conn.close()
                if attempt == 2:
                    raise
        queries = int(response.getheader("X-Query-Count") or -1)
        return Reply(response.status, elapsed, queries, payload)

    def close(self) -> None:
        self.conn.close()


@dataclass
class Series:
    """The replies of one kind of request in one phase."""

    name: str
    concurrency: int
    ms: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    errors: int = 0
    wall: float = 0.0

    def add(self, reply: Reply, expected: int) -> Reply:
        self.ms.append(reply.ms)
        self.queries.append(reply.queries)
        if reply.status != expected:
            self.errors += 1
            if len(self.unexpected) < 3:
                self.unexpected.append(f"{reply.status}: {reply.body[:200]!r}")
        return reply

    def summary(self) -> dict[str, Any]:
        ms = sorted(self.ms)
        n = len(ms)
        cuts = statistics.quantiles(ms, n=100, method="inclusive") if n > 1 else ms * 99
        return {
            "workload": self.name,
            "concurrency": self.concurrency,
            "requests": n,
            "wall_s": round(self.wall, 2),
            "rps": round(n / self.wall, 1) if self.wall else None,
            "p50_ms": round(cuts[49], 2) if n else None,
            "p95_ms": round(cuts[94], 2) if n else None,
            "p99_ms": round(cuts[98], 2) if n else None,
            "mean_ms": round(statistics.fmean(ms), 2) if n else None,
            "queries_min": min(self.queries) if self.queries else None,
            "queries_max": max(self.queries) if self.queries else None,
            "errors": self.errors,
            "error_samples": self.unexpected,
        }


class Phase:
    """Run `task(scim, item)` over items from `concurrency` threads, one connection each,
    with a progress bar; the wall time is shared by every Series the tasks record into."""

    def __init__(
        self, port: int, token: str, label: str, concurrency: int, api: bool = False
    ) -> None:
        self.port = port
        self.token = token
        self.api = api
        self.label = label
        self.concurrency = concurrency
        self.series: dict[str, Series] = {}
        self._lock = threading.Lock()

    def record(self, name: str) -> Series:
        with self._lock:
            if name not in self.series:
                self.series[name] = Series(name, self.concurrency)
            return self.series[name]

    def run(self, items: Iterable[Any], task: Callable[[Scim, Any], None]) -> list[Series]:
        todo = list(items)
        cursor = iter(todo)
        lock = threading.Lock()
        failures: list[BaseException] = []

        def worker(progress: Progress) -> None:
            scim = (
                Scim(self.port, self.token, base=API_BASE, content_type=API_JSON)
                if self.api
                else Scim(self.port, self.token)
            )
            try:
                while not failures:
                    with lock:
                        item = next(cursor, None)
                    if item is None:
                        return
                    task(scim, item)
                    progress.advance()
            except BaseException as exc:
                failures.append(exc)
            finally:
                scim.close()

        started = time.perf_counter()
        with Progress(f"{self.label} (c={self.concurrency})", len(todo)) as progress:
            threads = [
                threading.Thread(target=worker, args=(progress,), daemon=True)
                for _ in range(min(self.concurrency, len(todo)))
            ]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        wall = time.perf_counter() - started
        if failures:
            raise failures[0]
        for series in self.series.values():
            series.wall = wall
        return list(self.series.values())
