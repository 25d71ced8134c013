# Two commands do all set-up on a fresh machine: `make run` and `make test`.
# Prerequisites: Python 3.11+, Java 17+, Maven (fetches the Kafka broker jars once).

PYTHON ?= python3
UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.synced

.PHONY: help setup run stop test test-fast browser lint format contracts bench screenshots clean prerequisites

help:
	@echo "make run      start broker, database, the four services and the gateway; load the demo dealer"
	@echo "make test     the whole suite against its own throwaway broker and database"
	@echo "make stop     stop a 'make run' started in the background"
	@echo "make lint     ruff + import boundaries;  make contracts  regenerate JSON Schemas + AsyncAPI;  make bench  benchmarks"
	@echo "make screenshots  run the browser tests and refresh the README's pictures in docs/screenshots/"

prerequisites:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null || \
		{ echo "Python 3.11 or newer is needed as '$(PYTHON)' (set PYTHON=/path/to/python3.11)."; exit 1; }
	@command -v java >/dev/null || { echo "Java 17+ is needed to run the Kafka broker (apt-get install openjdk-17-jre-headless)."; exit 1; }
	@command -v mvn >/dev/null || { echo "Maven is needed once, to fetch the Kafka broker jars (apt-get install maven)."; exit 1; }

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install -q uv==$(UV_VERSION)

# Re-running is a no-op unless the lock file or a pyproject changed.
$(STAMP): $(UV) uv.lock pyproject.toml $(wildcard */pyproject.toml services/*/pyproject.toml deploy/*/pyproject.toml)
	$(UV) sync --all-packages --locked --quiet
	@touch $@

setup: prerequisites $(STAMP)
	@$(PY) -m crm_devstack.kafka fetch
	@bash deploy/prometheus/install-promtool.sh

run: setup
	$(PY) -m crm_devstack.stack

stop:
	@if [ -f .run/stack.pid ]; then kill -TERM $$(cat .run/stack.pid) && echo "stopping the suite"; \
	else echo "no background run (.run/stack.pid missing)"; fi

# Four independent suites run side by side (crm_devstack/suites.py says why); logs in .run/test-logs/.
test: setup lint browser
	$(PY) -m crm_contracts.generate --check
	$(PY) -m crm_devstack.suites

# The browser tests (tests/browser) drive Debian's Chromium, never a Playwright download; a Chinese font
# makes their screenshots readable. Installed with apt when missing and run as root, else explained.
CRM_CHROMIUM ?= /usr/bin/chromium
browser:
	@if [ ! -x "$(CRM_CHROMIUM)" ] || ! fc-list :lang=zh 2>/dev/null | grep -q .; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "installing Chromium and a Chinese font for the browser tests (apt-get)"; \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-wqy-microhei >/dev/null || \
			{ apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-wqy-microhei >/dev/null; }; \
		else \
			echo "The browser tests need Chromium at $(CRM_CHROMIUM) and a Chinese font:"; \
			echo "  sudo apt-get install -y chromium fonts-wqy-microhei   (or set CRM_CHROMIUM=/path/to/chromium)"; \
		fi; \
	fi

test-fast: setup
	$(VENV)/bin/pytest -m "not slow"

# Boundaries (.importlinter): services never import one another, the kit and contracts know no service,
# domain code imports no framework or I/O library, the console imports no service.
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-logo --cache-dir .cache/import-linter

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .

contracts: $(STAMP)
	$(PY) -m crm_contracts.generate

bench: setup
	$(PY) -m bench

# The README's pictures: the browser tests write every screen to .run/screenshots/; three are kept in docs/.
SHOWN := console-customer360.png console-tasks.png survey-questionnaire-zh.png
screenshots: setup browser
	$(PY) -m crm_devstack.suites --only browser
	@mkdir -p docs/screenshots
	@for shot in $(SHOWN); do cp .run/screenshots/$$shot docs/screenshots/; done
	@echo "docs/screenshots/ refreshed: $(SHOWN)"

clean:
	rm -rf .run .cache $(VENV) $(TOOLS)
