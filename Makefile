# Guyub: `make run` starts the product, `make test` runs every test. Both set everything up.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HTMX_VERSION := 2.0.11
HTMX := saas/static/vendor/htmx.min.js
CHROMIUM ?= /usr/bin/chromium
MO_FILES := translations/id/LC_MESSAGES/messages.mo translations/en/LC_MESSAGES/messages.mo

.PHONY: help setup bytecode run test test-fast test-calendar lint fmt typecheck translations compile-translations bench chromium wrk servers pdf-libs clean

help:
	@echo "make run           start Guyub on http://localhost:5000 (demo at http://demo.localhost:5000)"
	@echo "make test          run the whole test suite (installs Chromium for the browser tests)"
	@echo "make test-fast     the suite without browser tests"
	@echo "make test-calendar the suite at a month's end, a year's end and 00:30 WIB on the 1st"
	@echo "make lint | fmt | typecheck | translations | bench"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

$(HTMX):
	@mkdir -p $(dir $@) .cache/npm
	cd .cache/npm && npm pack --silent htmx.org@$(HTMX_VERSION) >/dev/null
	tar -xzf .cache/npm/htmx.org-$(HTMX_VERSION).tgz -C .cache/npm package/dist/htmx.min.js
	cp .cache/npm/package/dist/htmx.min.js $@

translations/%/LC_MESSAGES/messages.mo: translations/%/LC_MESSAGES/messages.po | $(VENV)/.installed
	$(BIN)/pybabel -q compile -d translations -l $*

compile-translations: $(MO_FILES)

setup: $(VENV)/.installed $(HTMX) compile-translations pdf-libs bytecode

# The application's modules compiled once, as a deployment does: where PYTHONDONTWRITEBYTECODE is
# set (containers often set it), every process would compile its ~250 modules from source again
# at each start, most of a command's second. Up-to-date files are skipped.
bytecode: $(VENV)/.installed
	@$(BIN)/python -m compileall -q saas migrations wsgi.py gunicorn.conf.py >/dev/null

run: setup
	$(BIN)/python -m saas.devserver

# WeasyPrint (receipts, cards and statements as PDF) draws text with Debian's Pango.
pdf-libs:
	@if ! ldconfig -p | grep -q libpangoft2-1.0.so.0; then \
		echo "Installing Debian's Pango for PDF documents"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 >/dev/null; \
	fi

chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
		echo "Installing Debian's chromium for the browser tests"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; \
	fi

# Debian's Redis (the shared page cache) and nginx (the reverse proxy of deploy/), which the
# tests start on loopback themselves; neither runs as a service.
servers:
	@if ! command -v redis-server >/dev/null || [ ! -x /usr/sbin/nginx ]; then \
		echo "Installing Debian's redis-server and nginx for the tests"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq redis-server nginx >/dev/null; \
	fi

# pytest exits 5 when it collected no test: that is a failure here, like any non-zero exit.
test: setup chromium servers lint typecheck
	$(BIN)/python -m pytest

test-fast: setup servers
	$(BIN)/python -m pytest -m "not browser"

# The suite at instants where a calendar bug shows: a month's last evening, a year's last evening,
# and 00:30 WIB on the 1st (UTC is still on the day before). No test may depend on the date.
CALENDAR_INSTANTS := 2026-11-30T23:30:00+07:00 2026-12-31T23:30:00+07:00 2027-01-01T00:30:00+07:00
test-calendar: setup chromium servers
	@for instant in $(CALENDAR_INSTANTS); do \
		echo "== the suite at $$instant"; \
		GUYUB_TEST_NOW=$$instant $(BIN)/python -m pytest -q || exit 1; \
	done

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: $(VENV)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: $(VENV)/.installed
	$(BIN)/mypy

translations: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 --no-location --sort-output \
		--project Guyub --copyright-holder "Guyub" -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete
	$(BIN)/python -m saas.translations_tool fill-english
	$(MAKE) compile-translations

wrk:
	@if ! command -v wrk >/dev/null; then \
		echo "Installing Debian's wrk for the load benchmarks"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq wrk >/dev/null; \
	fi

bench: setup chromium wrk servers
	@$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) .cache saas/static/vendor instance/static-build
