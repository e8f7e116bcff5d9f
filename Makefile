# The two commands of the README: `make run` and `make test`. Both set up what they need.
PYTHON ?= python3.11
UV_VERSION := 0.13.9
VENV := .venv
UV := .tools/bin/uv
export UV_PROJECT_ENVIRONMENT := $(VENV)
export HEADWAY_DATA_DIR ?= $(CURDIR)/var

.PHONY: run test lint typecheck pytest bench clean chromium

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --quiet --python $(PYTHON)
	touch $@

run: $(VENV)/.synced
	$(VENV)/bin/headway migrate --noinput -v0
	$(VENV)/bin/headway collectstatic --noinput -v0
	$(VENV)/bin/headway demo --if-empty
	$(VENV)/bin/headway serve

lint: $(VENV)/.synced
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(VENV)/.synced
	$(VENV)/bin/mypy headway bench

# The browser tests (headway/web/tests/test_browser.py) drive Debian's chromium. Install it
# when missing: CI runs as root; elsewhere without root the browser tests skip, except in CI.
CHROMIUM := /usr/bin/chromium
chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && apt-get install -y -qq chromium; \
		elif [ "$$CI" = true ]; then \
			echo "CI needs $(CHROMIUM): run as root or install chromium first" >&2; exit 1; \
		else \
			echo "$(CHROMIUM) is missing: the browser tests will be skipped"; \
		fi; \
	fi

pytest: $(VENV)/.synced chromium
	$(VENV)/bin/headway makemigrations --check --dry-run -v0
	$(VENV)/bin/pytest

test: lint typecheck pytest

bench: $(VENV)/.synced
	$(VENV)/bin/python -m bench.report

clean:
	rm -rf $(VENV) .tools .pytest_cache .mypy_cache .ruff_cache
