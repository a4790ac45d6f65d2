#!/usr/bin/env bash
# `make test`: the suite on SQLite, then the whole suite on PostgreSQL.
#
# PostgreSQL is TEST_DATABASE_URL (default postgresql://root@127.0.0.1:5432/test). When it is
# unreachable its run is skipped with a reason, unless REQUIRE_SERVICES is set (as in CI), in
# which case that is a failure. Extra arguments go to both pytest runs.
set -uo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
PG_URL="${TEST_DATABASE_URL:-postgresql://root@127.0.0.1:5432/test}"
status=0

echo "== SQLite: all but the browser, worker and PostgreSQL-only (concurrency) tests"
env -u TEST_DATABASE_URL "$PY" -m pytest -m "not browser and not worker and not postgres" "$@" || status=$?

if "$PY" -c 'import sys, psycopg; psycopg.connect(sys.argv[1], connect_timeout=3).close()' "$PG_URL" 2>/dev/null; then
  echo "== PostgreSQL ($PG_URL): the whole suite"
  TEST_DATABASE_URL="$PG_URL" "$PY" -m pytest "$@" || status=$?
elif [ -n "${REQUIRE_SERVICES:-}" ]; then
  echo "PostgreSQL is not reachable at $PG_URL and REQUIRE_SERVICES is set." >&2
  status=1
else
  echo "SKIPPED the PostgreSQL run: nothing answers at $PG_URL (set TEST_DATABASE_URL)."
fi
exit $status
