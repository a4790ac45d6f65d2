# The two commands: `make run` and `make test`. Everything else supports them.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test venv lint format bench clean

venv: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $(STAMP)

## Serve the console with SQLite, a Celery worker and beat (embedded broker unless REDIS_URL).
run: $(STAMP)
	@HOST=$(HOST) PORT=$(PORT) scripts/run-embedded.sh

## The whole suite: SQLite, then PostgreSQL (browser and worker tests included).
test: $(STAMP)
	@scripts/test.sh

## Benchmarks over HTTP at a large customer's scale (BENCH_SCALE=1; see docs/performance.md).
bench: $(STAMP)
	$(PY) -m bench.run

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache
