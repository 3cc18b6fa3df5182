# The two commands: `make lab` (set up and start JupyterLab on the course) and
# `make test` (set up with the dev extras and run every test). `make test-fast` runs the unit
# and property tests only (no browser, no nbgrader CLI, no notebook run): the everyday loop.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
LAB_ARGS ?=
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: lab test test-fast install install-dev chromium hub-tools lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	$(BIN)/jupyter labextension enable --level=sys_prefix @jupyter/nbgrader >/dev/null
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev chromium hub-tools

# Browser tests drive Debian's Chromium (Playwright cannot download its own browser here).
chromium:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian's chromium for the browser tests..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "Chromium is missing: run 'sudo apt-get install chromium' for the browser tests." >&2; exit 1; \
	  fi; \
	fi
	@if ! command -v bwrap >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null || true; \
	fi

# The JupyterHub test (tests/test_hub_e2e.py) needs, as root: Debian's python3-venv (the students'
# shared venv is built from /usr/bin/python3 and cached in /var/cache/dfml-hub-test), node and
# configurable-http-proxy from npm, installed here into $(VENV)/node. Without root or node the
# test is skipped and says what is missing.
HUB_PROXY := $(VENV)/node/node_modules/.bin/configurable-http-proxy

hub-tools:
	@if [ "$$(id -u)" = 0 ]; then \
	  missing=""; \
	  /usr/bin/python3 -c 'import ensurepip, venv' 2>/dev/null || missing="$$missing python3-venv"; \
	  command -v npm >/dev/null 2>&1 || missing="$$missing nodejs npm"; \
	  if [ -n "$$missing" ]; then \
	    echo "Installing$$missing for the JupyterHub test..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  fi; \
	fi
	@if command -v npm >/dev/null 2>&1 && [ ! -x $(HUB_PROXY) ]; then \
	  mkdir -p $(VENV)/node && cd $(VENV)/node && \
	  npm install --no-audit --no-fund --silent configurable-http-proxy@5 >/dev/null; \
	fi

lab: install
	@echo "Starting JupyterLab on the course: open the URL below, then course/01_why_derivatives.ipynb"
	$(BIN)/jupyter lab --ServerApp.root_dir="$(CURDIR)" $(ROOT_FLAG) $(LAB_ARGS) course/01_why_derivatives.ipynb

lint: install-dev
	$(BIN)/ruff check .

test: install-dev
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

FAST_MARKERS := not browser and not slow and not notebooks

test-fast: install-dev
	$(BIN)/ruff check .
	HYPOTHESIS_PROFILE=fast $(BIN)/python -m pytest -n 2 --dist loadgroup -m "$(FAST_MARKERS)" $(PYTEST_ARGS)

bench: install-dev
	for script in bench/*.py; do $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) submitted autograded feedback exchange gradebook.db
