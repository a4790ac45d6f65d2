"""The benchmark's PostgreSQL databases: a template holding the built data set (reused while
its scale, seed and generator version match) and the working database, cloned from it for
every run so each run starts from the same rows.

Only the two databases named after BENCH_DATABASE_URL (`<name>` and `<name>_tpl`) are ever
created or dropped; `test` and `test_*` are refused by the configuration.
"""

import json
import subprocess
import sys
import time
from typing import Any

import psycopg
from psycopg import sql

from bench.config import REPO, Config, check_database_name
from bench.progress import note

MARKER_TABLE = "bench_dataset"


def _admin(config: Config) -> psycopg.Connection:
    return psycopg.connect(config.url_for("postgres"), autocommit=True, connect_timeout=5)


def _exists(conn: psycopg.Connection, name: str) -> bool:
    row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    return row is not None


def _drop(conn: psycopg.Connection, name: str) -> None:
    check_database_name(name)
    conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def template_marker(config: Config) -> dict[str, Any] | None:
    """What the template holds (scale, seed, generator version, reference time), if built."""
    with _admin(config) as conn:
        if not _exists(conn, config.template_name):
            return None
    with psycopg.connect(config.url_for(config.template_name), connect_timeout=5) as conn:
        found = conn.execute("SELECT to_regclass(%s)", [MARKER_TABLE]).fetchone()
        if found is None or found[0] is None:
            return None
        row = conn.execute(sql.SQL("SELECT spec FROM {}").format(sql.Identifier(MARKER_TABLE)))
        spec = row.fetchone()
        return spec[0] if spec else None


def migrate(config: Config, db_name: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=REPO,
        env=config.django_env(db_name),
        check=True,
    )


def prepare(config: Config, version: int) -> dict[str, Any]:
    """Make the working database a fresh copy of the data set; build the template first when
    it is missing or was built for another scale, seed or generator version."""
    marker = template_marker(config)
    wanted = {"scale": config.scale, "seed": config.seed, "version": version}
    if marker is None or any(marker.get(k) != v for k, v in wanted.items()):
        started = time.monotonic()
        note(f"building the data set at scale {config.scale} (seed {config.seed}) …")
        with _admin(config) as conn:
            _drop(conn, config.template_name)
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config.template_name)))
        migrate(config, config.template_name)
        subprocess.run(
            [sys.executable, "-m", "bench.dataset", json.dumps(wanted)],
            cwd=REPO,
            env=config.django_env(config.template_name),
            check=True,
            stdout=subprocess.DEVNULL,  # the marker it prints is read back from the database
        )
        marker = template_marker(config)
        assert marker is not None, "the data-set builder wrote no marker"
        note(f"data set built in {time.monotonic() - started:.0f} s")
    else:
        note(f"reusing the data set of {marker['built_at']} (scale {config.scale})")
    with _admin(config) as conn:
        _drop(conn, config.db_name)
        conn.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(config.db_name), sql.Identifier(config.template_name)
            )
        )
    # Migrations added since the template was built (new indexes) apply to the copy.
    migrate(config, config.db_name)
    with psycopg.connect(config.database_url, autocommit=True) as conn:
        conn.execute("ANALYZE")
    return marker


def server_facts(config: Config) -> dict[str, Any]:
    with psycopg.connect(config.database_url, connect_timeout=5) as conn:
        version = conn.execute("SHOW server_version").fetchone()
        shared = conn.execute("SHOW shared_buffers").fetchone()
    return {
        "postgresql": version[0] if version else "?",
        "shared_buffers": shared[0] if shared else "?",
    }
