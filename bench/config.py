"""What a benchmark run measures, from environment variables, and the environment every
process of the run (the bench itself, the data-set builder, gunicorn, the audit) starts with.
"""

import os
import secrets
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgresql://root@127.0.0.1:5432/kisiscim_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/12"
WORKLOADS = (
    "baseline", "create", "lookup", "import", "deactivate", "push", "decision", "ratios", "audit",
    "peers",
)  # fmt: skip
# Databases the benchmark must never create, drop or write: the test suites' and the server's.
PROTECTED = ("postgres", "template0", "template1", "test")


@dataclass(frozen=True)
class Sizes:
    """The data set and workload sizes at a scale (1.0 = the large customer)."""

    scale: float
    people: int = 0
    groups: int = 0
    big_group: int = 0
    other_people: int = 0
    other_groups: int = 0
    creates: int = 0
    lookups: int = 0
    deactivations: int = 0
    push_members: int = 0
    push_removals: int = 0
    baseline: int = 0
    places: int = 0
    doors: int = 0
    grants_per_group: int = 0
    checks: int = 0
    ratio_reps: int = 0

    @classmethod
    def at(cls, scale: float) -> "Sizes":
        def n(full: int, least: int) -> int:
            return max(least, round(full * scale))

        people = n(100_000, 1_000)
        return cls(
            scale=scale,
            people=people,
            groups=n(2_000, 20),
            big_group=min(people, n(10_000, 100)),
            other_people=people // 4,
            other_groups=n(500, 5),
            creates=n(5_000, 100),
            lookups=n(2_000, 200),
            deactivations=n(5_000, 100),
            push_members=min(people, n(10_000, 200)) // 100 * 100,
            push_removals=n(1_000, 50),
            baseline=n(2_000, 500),
            places=n(100, 5),
            doors=n(10_000, 100),
            grants_per_group=5,
            checks=n(2_000, 500),
            ratio_reps=n(400, 100),
        )


@dataclass(frozen=True)
class Config:
    scale: float
    seed: int
    database_url: str
    redis_url: str
    workers: int
    concurrency: int
    workloads: tuple[str, ...]
    label: str
    update_docs: bool
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(50))

    @classmethod
    def from_env(cls) -> "Config":
        wanted = os.environ.get("BENCH_WORKLOADS", "").strip()
        workloads = tuple(w.strip() for w in wanted.split(",") if w.strip()) or WORKLOADS
        unknown = set(workloads) - set(WORKLOADS)
        if unknown:
            sys.exit(f"BENCH_WORKLOADS: unknown {sorted(unknown)}; choose from {WORKLOADS}")
        config = cls(
            scale=float(os.environ.get("BENCH_SCALE", "0.05")),
            seed=int(os.environ.get("BENCH_SEED", "42")),
            database_url=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
            redis_url=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL),
            workers=int(os.environ.get("BENCH_WORKERS", "4")),
            concurrency=int(os.environ.get("BENCH_CONCURRENCY", "8")),
            workloads=workloads,
            label=os.environ.get("BENCH_LABEL", "").strip(),
            update_docs=os.environ.get("BENCH_UPDATE_DOCS", "") == "1",
        )
        if not 0 < config.scale <= 2:
            sys.exit("BENCH_SCALE must be in (0, 2]; 1 is the large customer (100,000 people).")
        check_database_name(config.db_name)
        return config

    @property
    def sizes(self) -> Sizes:
        return Sizes.at(self.scale)

    @property
    def db_name(self) -> str:
        return urlsplit(self.database_url).path.lstrip("/")

    @property
    def template_name(self) -> str:
        return f"{self.db_name}_tpl"

    def url_for(self, db_name: str) -> str:
        parts = urlsplit(self.database_url)
        return urlunsplit(parts._replace(path=f"/{db_name}"))

    def django_env(self, db_name: str | None = None, **extra: str) -> dict[str, str]:
        """The environment of a Django process of this run, on the bench database (or
        `db_name`). Side effects go to a dedicated Redis database, never to a mail server."""
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL", "EMAIL_URL", "SCIM_"))
        }
        env.update(
            DJANGO_SETTINGS_MODULE="kisiscim.settings.base",
            DATABASE_URL=self.url_for(db_name or self.db_name),
            DJANGO_SECRET_KEY=self.secret_key,
            DJANGO_DEBUG="0",
            DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
            DJANGO_SECURE_SSL_REDIRECT="0",
            SCIM_RATE_LIMIT="off",
            LOG_LEVEL="WARNING",
            EMAIL_URL="dummymail://",
            PYTHONPATH=str(REPO),
            # The embedded broker (when Redis is absent) writes here, not into var/ of `make run`.
            KISISCIM_VAR_DIR=str(REPO / "var" / "bench"),
        )
        if self.redis_url:
            env["REDIS_URL"] = self.redis_url
        env.update(extra)
        return env


def check_database_name(name: str) -> None:
    if not name or name in PROTECTED or name.startswith("test_"):
        sys.exit(f"Refusing to use database {name!r}: pick a dedicated one (BENCH_DATABASE_URL).")
