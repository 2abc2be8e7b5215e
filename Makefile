# Gongxin: `make run` serves the demo, `make test` runs the whole suite. Everything a fresh
# clone needs is installed by these targets (Python packages into .venv, assets from npm,
# Debian packages for Chromium, fonts and PDF tools).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
GX := $(VENV)/bin/gongxin
ORGS ?= 3000
PORT ?= 8000

.PHONY: run test install assets messages system-deps bench lint clean-db seed-1m

$(VENV)/.installed: pyproject.toml
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed assets messages

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

src/gongxin/static/vendor/.built: node_modules/.package-lock.json scripts/build-assets.mjs
	npm run --silent build
	touch $@

assets: src/gongxin/static/vendor/.built

PO_FILES := $(wildcard src/gongxin/locale/*/LC_MESSAGES/django.po)
MO_FILES := $(PO_FILES:.po=.mo)

%.mo: %.po
	@command -v msgfmt >/dev/null || bash scripts/system-deps.sh gettext
	msgfmt --check -o $@ $<

messages: $(MO_FILES)

system-deps:
	bash scripts/system-deps.sh

run: install
	@mkdir -p var
	GONGXIN_DEMO=1 $(GX) migrate --no-input -v0
	GONGXIN_DEMO=1 $(GX) collectstatic --no-input -v0
	GONGXIN_DEMO=1 $(GX) seed --orgs $(ORGS) --seed 2026 --if-empty
	GONGXIN_DEMO=1 $(GX) nightly
	@GONGXIN_DEMO=1 $(GX) demo_accounts
	@echo "Serving on http://127.0.0.1:$(PORT)/ (task worker running beside it; Ctrl-C stops both)"
	@GONGXIN_DEMO=1 $(GX) tasks worker & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  GONGXIN_DEMO=1 $(GX) runserver 127.0.0.1:$(PORT) --noreload

test: install system-deps
	$(VENV)/bin/pytest -q -n auto $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check src tests bench

bench: install
	$(VENV)/bin/pip install --quiet -e '.[test,bench]'
	$(VENV)/bin/python bench/search.py $(BENCH_ARGS)
	$(VENV)/bin/python bench/dormant.py --orgs 100000
	$(VENV)/bin/python bench/dormant.py --orgs 100000 --database-url postgres://postgres@127.0.0.1:5432/gongxin_bench_dormant
	$(VENV)/bin/python bench/annual_import.py --sizes 10000 100000 --engines sqlite postgresql
	$(VENV)/bin/python bench/credit.py --orgs 100000
	$(VENV)/bin/python bench/credit.py --orgs 100000 --database-url postgres://postgres@127.0.0.1:5432/gongxin_bench_credit
	$(VENV)/bin/python bench/ocds.py --projects 100000
	$(VENV)/bin/python bench/load.py
	$(VENV)/bin/python bench/sheet_limits.py
	$(VENV)/bin/python bench/search.py --report
