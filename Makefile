# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
PYTEST_ARGS ?=
# The suite runs on every core (pytest-xdist), a file's tests on one worker (their module
# fixtures are built once); `make test PYTEST_WORKERS=0` runs it in one process.
PYTEST_WORKERS ?= auto
XDIST := -n $(PYTEST_WORKERS) --dist loadfile

.PHONY: install run test test-fast browser-deps screenshots bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

## Start the console (http://localhost:8501) on the default workspace with the demo connector.
run: install
	$(BIN)/ecluse run

## Debian's chromium for the browser tests (never a downloaded browser build).
browser-deps:
	@if [ ! -x /usr/bin/chromium ]; then \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; \
	fi

## Install everything and run the whole suite.
test: install browser-deps
	$(BIN)/python -m pytest $(XDIST) $(PYTEST_ARGS)

## The suite without the browser tests.
test-fast: install
	$(BIN)/python -m pytest $(XDIST) -m "not browser" $(PYTEST_ARGS)

## Refresh the README's screenshots from the browser test.
screenshots: install browser-deps
	ECLUSE_UPDATE_SCREENSHOTS=1 $(BIN)/python -m pytest tests/test_browser.py tests/test_browser_send.py $(PYTEST_ARGS)

bench: install
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache tests/artifacts
