#!/usr/bin/env bash
# `make run`: migrate, seed the demo org on first run, then run the web server, a Celery
# worker and Celery beat together. Ctrl-C stops all three.
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
if [ ! -f "$VAR_DIR/.demo-seeded" ]; then
  $PY manage.py seed_demo
  touch "$VAR_DIR/.demo-seeded"
fi

pids=()
cleanup() {
  trap - INT TERM EXIT
  echo
  echo "Stopping the web server, worker and beat…"
  kill "${pids[@]}" 2>/dev/null || true
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

sleep 2
cat <<MSG

  KisiSCIM is running at http://$HOST:$PORT/   (Celery broker: $broker)
  Demo sign-in:  owner@demo.kisiscim.local  /  demo-doors-open
  SCIM base URL: http://$HOST:$PORT/scim/v2/
  Press Ctrl-C to stop.

MSG
wait -n "${pids[@]}"
