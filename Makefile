# paperlabs: `make run` serves the app, `make test` runs every test, `make bench` the benchmarks.
SHELL := /bin/bash
VENV ?= .venv
HOST ?= 127.0.0.1
PORT ?= 8000
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# plotly.js with only the labs' trace types, and axe-core for the browser tests: both
# from the npm registry at set-up time (assets/package.json pins the versions).
ASSETS := assets/build/plotly.min.js

# The newest Python that actually runs (pyenv shims on PATH can fail): PYTHON=... overrides.
PYTHON ?= $(shell for p in /root/.pyenv/versions/3.13*/bin/python3.13 python3.13 \
	/root/.pyenv/versions/3.12*/bin/python3.12 python3.12 python3; do \
	if "$$p" -c 'import sys; assert sys.version_info >= (3, 11)' >/dev/null 2>&1; then echo "$$p"; break; fi; done)

.PHONY: setup assets run test lint test-fast test-browser bench audit chromium clean nginx serve-scale

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "No Python 3.11+ found; set PYTHON=/path/to/python3"; exit 1; }
	@echo "Using $(PYTHON) ($$($(PYTHON) --version))"
	$(PYTHON) -m venv $(VENV)
	@# pip's own notices go to a log, so the lines that matter stay on screen.
	@echo "Installing the Python packages (log: $(VENV)/pip.log)"
	@{ $(PY) -m pip install --upgrade pip && $(PY) -m pip install -e '.[test]'; } \
	  >$(VENV)/pip.log 2>&1 || { tail -n 30 $(VENV)/pip.log; exit 1; }
	@touch $(STAMP)

$(ASSETS): assets/package.json assets/package-lock.json assets/build.mjs assets/plotly-paperlabs.js
	@command -v npm >/dev/null || { echo "npm is needed to build assets/build/plotly.min.js"; exit 1; }
	@echo "Building the plotly.js bundle (npm ci; log: assets/npm.log)"
	@{ cd assets && npm ci --no-audit --no-fund && node build.mjs; } >assets/npm.log 2>&1 \
	  || { tail -n 30 assets/npm.log; exit 1; }

assets: $(ASSETS)

setup: $(STAMP) $(ASSETS)
	@echo "Python in $(VENV): $$($(PY) --version)"
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py load_samples
	$(PY) manage.py load_content

run: setup
	$(PY) manage.py collectstatic --noinput -v 0
	@echo
	@echo "Serving paperlabs on http://$(HOST):$(PORT)/  (another address: make run HOST=0.0.0.0 PORT=8080)"
	$(VENV)/bin/daphne -b $(HOST) -p $(PORT) labs.asgi:application

# A department's deployment (README, "Live classroom at scale"): nginx in front of WORKERS
# Daphne processes sharing PostgreSQL and the Redis channel layer.
WORKERS ?= 2
SCALE_PORT ?= 8080
SCALE_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/paperlabs
SCALE_REDIS_URL ?= redis://127.0.0.1:6379/0

# Debian's nginx (the reverse proxy of serve-scale and its tests).
nginx:
	@if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then \
	  if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian's nginx"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; \
	  else echo "nginx is missing and cannot be installed here: apt-get install -y nginx"; exit 1; fi; \
	fi

serve-scale: $(STAMP) nginx
	@$(PY) -c "import psycopg, sys; u = sys.argv[1].replace('postgres://', 'postgresql://'); \
	base, name = u.rsplit('/', 1); c = psycopg.connect(base + '/postgres', autocommit=True); \
	c.execute('SELECT 1 FROM pg_database WHERE datname = %s', (name,)).fetchone() or c.execute('CREATE DATABASE \"' + name + '\"')" \
	  "$(SCALE_DATABASE_URL)"
	DATABASE_URL=$(SCALE_DATABASE_URL) REDIS_URL=$(SCALE_REDIS_URL) PAPERLABS_CHANNEL_LAYER=pubsub \
	  $(PY) manage.py serve_scale --workers $(WORKERS) --port $(SCALE_PORT)

# Debian's Chromium for the browser tests (Playwright's own download does not work offline).
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian's chromium"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium is missing and cannot be installed here: browser tests will be skipped"; fi; \
	fi

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy algorithms

test-fast: $(STAMP) $(ASSETS)
	$(PY) manage.py collectstatic --noinput -v 0
	$(VENV)/bin/pytest -m "not browser" -q -rs

# Playwright's sync API cannot share a process with pytest-asyncio's loops: its own run.
test-browser: $(STAMP) $(ASSETS) chromium
	$(PY) manage.py collectstatic --noinput -v 0
	$(VENV)/bin/pytest -m browser -q -rs tests/browser

test: $(STAMP) lint test-fast test-browser

# Exits non-zero if a target is missed; BENCH="bench_player bench_small_world" runs some.
bench: $(STAMP) $(ASSETS) chromium
	$(PY) manage.py collectstatic --noinput -v 0
	$(VENV)/bin/python -m tests.bench $(BENCH)

# Hostile inputs against a live server on 127.0.0.1 (bounded in count and time); prints
# a table and exits non-zero if a bound did not hold. AUDIT_ADDRESS=127.0.0.1:8000
# audits a running server instead of starting one.
audit: $(STAMP)
	$(PY) -m tests.audit

clean:
	rm -rf $(VENV) staticfiles artifacts db.sqlite3 assets/build assets/node_modules assets/npm.log
