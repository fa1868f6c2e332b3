# The two commands a newcomer needs are `make run` and `make test`; everything else is a step of those.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# uv installs the pinned wheels (pip itself only installs uv, pinned in requirements.lock):
# a fresh venv with the service's dependencies took 76-95 s with uv against 228-240 s with
# pip, each with an empty cache, on this machine under load (issue 29).
UV := $(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python -c requirements.lock
UV_STAMP := $(VENV)/.uv-stamp
# `make run` needs only the service (RUN_STAMP); `make test` and the other tools also need the
# [dev] extras (DEV_STAMP).
RUN_STAMP := $(VENV)/.run-stamp
DEV_STAMP := $(VENV)/.dev-stamp
# Test processes: one per core by default (pytest-xdist); TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= auto

.DEFAULT_GOAL := help
.PHONY: help install install-run run serve migrate seed lint format typecheck docs test test-sqlite test-postgres openapi openapi-check docs-examples readme lock lock-mcp-2025 clean docker-smoke

help:
	@echo "make run            install the service, migrate, seed and serve on http://$(HOST):$(PORT) (SQLite)"
	@echo "                    (PORT=8080 HOST=0.0.0.0 APP_DATABASE_URL=postgresql://... make run)"
	@echo "make test           install the dev tools, lint, type-check, build the docs and run the suite (and its"
	@echo "                    database tests on PostgreSQL when TEST_DATABASE_URL is set)"
	@echo "make lint | typecheck | docs | docs-examples | migrate | seed | openapi | openapi-check | lock | clean"

$(UV_STAMP): requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock uv
	@touch $@

$(RUN_STAMP): pyproject.toml requirements.lock $(UV_STAMP)
	$(UV) -e .
	@touch $@

$(DEV_STAMP): $(RUN_STAMP)
	$(UV) -e '.[dev]'
	@touch $@

# What the service needs to run, and no more.
install-run: $(RUN_STAMP)

# The official MCP client of the 2025 revisions (mcp 1.x), in a venv of its own beside the
# service's: tests/test_mcp_2025_client.py runs every tool through it (issue 30).
MCP_2025_VENV := $(VENV)/mcp-2025
MCP_2025_STAMP := $(MCP_2025_VENV)/.stamp

$(MCP_2025_STAMP): requirements-mcp-2025.lock $(UV_STAMP)
	$(PYTHON) -m venv --without-pip --clear $(MCP_2025_VENV)
	$(BIN)/uv pip install --quiet --python $(MCP_2025_VENV)/bin/python -r requirements-mcp-2025.lock
	@touch $@

# The service and every development tool.
install: $(DEV_STAMP) $(MCP_2025_STAMP)

run: install-run migrate seed serve

# Bytecode is written even where PYTHONDONTWRITEBYTECODE is set (as on this machine): else
# every start compiles the service again (about 0.15 s of CPU in bench/RESULTS.md, issue 29).
serve: install-run
	PYTHONDONTWRITEBYTECODE= $(BIN)/met-foi serve --host $(HOST) --port $(PORT)

migrate: install-run
	$(BIN)/met-foi migrate

seed: install-run
	$(BIN)/met-foi seed

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/hadolint Dockerfile

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck: install
	$(BIN)/mypy service tests scripts

# The pages in docs/ as a site in var/site; --strict fails on a broken link or anchor.
# Not --quiet: it drops warnings before --strict counts them, so nothing would fail.
docs: install
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

test: lint typecheck docs test-sqlite test-postgres

# pytest in parallel: TEST_WORKERS processes (default: one per core); --dist loadgroup keeps
# the tests that share a server or a cluster on one worker (tests/conftest.py says which).
# Bytecode is cached even where PYTHONDONTWRITEBYTECODE is set: every pytest process and
# every server a test starts would otherwise compile (and assert-rewrite) it all again.
PYTEST := PYTHONDONTWRITEBYTECODE= $(BIN)/pytest -q -n $(TEST_WORKERS) --dist loadgroup

# The whole suite on SQLite, with the coverage of service/ from every worker (pytest-cov;
# fail_under is in pyproject.toml).
test-sqlite: install
	$(PYTEST) --cov --cov-report=term-missing:skip-covered

# The tests that touch the database's behaviour (marked `sql` by the rule in
# tests/conftest.py) again on PostgreSQL.
test-postgres: install
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== the database tests (-m sql) again on PostgreSQL"; \
		TEST_BACKEND=postgres $(PYTEST) -m sql; \
	else \
		echo "== TEST_DATABASE_URL not set: PostgreSQL run skipped"; \
	fi

openapi: install
	$(BIN)/met-foi openapi --write openapi/openapi.json

openapi-check: install
	$(BIN)/met-foi openapi --check openapi/openapi.json

# Rewrite the generated blocks (curl examples, seed columns) of README.md and docs/*.md.
docs-examples: install
	$(BIN)/python -m scripts.doc_examples --write

readme: docs-examples

# Re-pin every dependency after changing pyproject.toml.
lock:
	rm -rf /tmp/lock-venv && $(PYTHON) -m venv /tmp/lock-venv
	/tmp/lock-venv/bin/pip install --quiet -e '.[dev]' uv
	/tmp/lock-venv/bin/pip freeze --exclude-editable | grep -v '^-e' > requirements.lock

# Re-pin the 2025 client (MCP_2025 names the release) after choosing another.
MCP_2025 ?= mcp==1.30.0
lock-mcp-2025:
	rm -rf /tmp/lock-mcp-2025 && $(PYTHON) -m venv /tmp/lock-mcp-2025
	/tmp/lock-mcp-2025/bin/pip install --quiet '$(MCP_2025)'
	{ sed -n '/^#/p' requirements-mcp-2025.lock; /tmp/lock-mcp-2025/bin/pip freeze; } > requirements-mcp-2025.lock.new
	mv requirements-mcp-2025.lock.new requirements-mcp-2025.lock

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache .coverage .coverage.*

# Embeds (issue 4). The browser test needs /usr/bin/chromium (`apt-get install chromium`).
.PHONY: test-embed embed-screenshot
test-embed: install
	$(BIN)/pytest -q tests/embed tests/contract/test_embed_browser.py

# Re-take docs/embed.md's pictures: the host page, both 2013 charts and the card.
embed-screenshot: install
	EMBED_SCREENSHOT=$(CURDIR)/docs/embed-screenshot.png $(BIN)/pytest -q tests/contract/test_embed_browser.py -k host_page
	EMBED_SCREENSHOT_DIR=$(CURDIR)/docs $(BIN)/pytest -q tests/contract/test_embed_browser.py -k screenshots

# The Docker image without a Docker engine: build and install it as the Dockerfile says, run
# its CMD with its ENV on PostgreSQL (127.0.0.1:5432) and on SQLite, probe it, stop it.
docker-smoke: install
	$(BIN)/python scripts/docker_smoke.py

# Reliability (issue 6): drive the service on loopback with wrk (installed from Debian if
# missing) for LOAD_DURATION (60s) at LOAD_CONNECTIONS (32); fails on any non-2xx/304.
.PHONY: load
load: install
	$(BIN)/python bench/load.py

# ---- benchmarks (issue 7): never part of `make test`; results go to bench/RESULTS.md
DATASETTE_VENV := bench/.venv-datasette
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: bench bench-scale bench-wrk

bench-wrk: install
	@command -v wrk >/dev/null || ($(SUDO) apt-get update && $(SUDO) apt-get install -y wrk)

$(DATASETTE_VENV)/bin/datasette:
	$(PYTHON) -m venv $(DATASETTE_VENV)
	$(DATASETTE_VENV)/bin/pip install --quiet --disable-pip-version-check datasette

bench: bench-wrk $(DATASETTE_VENV)/bin/datasette
	$(BIN)/python bench/bench.py
	$(BIN)/python bench/mcp.py

bench-scale: bench-wrk
	$(BIN)/python bench/scale.py

# Two builds (BEFORE=a checkout) and, with GRANIAN=1, this tree on Granian, in one run.
.PHONY: bench-compare
bench-compare: bench-wrk
	$(BIN)/python bench/compare.py $(if $(BEFORE),--before $(BEFORE)) $(if $(GRANIAN),--granian)

# MCP (issue 16): tools/call get_figure beside GET /v1/figures/{id}, into bench/RESULTS.md.
.PHONY: bench-mcp
bench-mcp: bench-wrk
	$(BIN)/python bench/mcp.py

# Pages for people (issue 15): the browser tests (Playwright on Debian's /usr/bin/chromium;
# never `playwright install`) and docs/web.md's pictures.
.PHONY: web-screenshot
web-screenshot: install
	WEB_SCREENSHOT_DIR=$(CURDIR)/docs $(BIN)/pytest -q tests/contract/test_web_browser.py
