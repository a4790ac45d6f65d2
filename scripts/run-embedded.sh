#!/usr/bin/env bash
# `make run`: migrate, seed the demo org (once; later runs add only what a newer demo has),
# then run the web server, a Celery worker and Celery beat together, and print one banner
# with the URL and the demo sign-ins once the server answers. Ctrl-C stops all three.
set -euo pipefail
cd "$(dirname "$0")/.."

export DJANGO_DEBUG="${DJANGO_DEBUG:-1}"
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
PY=.venv/bin/python
# The settings make the folders they need under KISISCIM_VAR_DIR (default var/).
VAR_DIR="${KISISCIM_VAR_DIR:-var}"
mkdir -p "$VAR_DIR"

$PY manage.py migrate --noinput
# Idempotent: prints nothing when the demo is complete already.
$PY manage.py seed_demo --quiet-if-exists

pids=()
cleanup() {
  trap - INT TERM EXIT
  echo
  echo "Stopping the web server, worker and beat…"
  kill "${pids[@]}" 2>/dev/null || true
  # A Celery worker can hang in its warm shutdown; give the three 10 s, then stop them.
  for _ in $(seq 20); do
    kill -0 "${pids[@]}" 2>/dev/null || break
    sleep 0.5
  done
  kill -KILL "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

broker="embedded ($VAR_DIR/celery)"
[ -n "${REDIS_URL:-}" ] && broker="Redis"
.venv/bin/celery -A kisiscim worker --loglevel=INFO --concurrency=2 &
pids+=($!)
.venv/bin/celery -A kisiscim beat --loglevel=INFO &
pids+=($!)
$PY manage.py runserver "$HOST:$PORT" &
pids+=($!)

# The banner comes after the start-up noise: once the server answers /healthz (up to 60 s).
url="http://$HOST:$PORT"
if $PY - "$url/healthz" <<'PY'
import sys, time, urllib.request
for _ in range(120):
    try:
        with urllib.request.urlopen(sys.argv[1], timeout=1) as response:
            if response.status == 200:
                sys.exit(0)
    except OSError:
        pass
    time.sleep(0.5)
sys.exit(1)
PY
then
  sleep 1  # let the worker's and beat's own start-up lines land first
  LOG_LEVEL=WARNING $PY manage.py demo_banner --url "$url/" --broker "$broker"
else
  echo "KisiSCIM did not answer on $url/healthz within 60 s: see the output above." >&2
fi
wait -n "${pids[@]}"
