# KPA — the two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.13
UV_VERSION := 0.13.9
UV ?= $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := $(PYTHON)
MANAGE := $(UV) run --frozen python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
# Every link KPA writes (mails, .ics, the calendar feed address) starts with SITE_URL: `PORT=8101 make run`
# makes them point at port 8101.
SITE_URL ?= http://$(HOST):$(PORT)

.PHONY: install run serve test test-services lint format messages check-deploy clean help bench bench-reminders \
  bench-prompts

help:
	@echo "make run    - install, migrate, load demo data, serve KPA with its Celery worker and beat"
	@echo "             (PORT=8101 make run for another port; its mails are files in var/mail/)"
	@echo "make test   - the whole test suite on the embedded defaults (no services needed)"
	@echo "make lint   - ruff, format check, mypy (services, selectors, scope), djLint (templates),"
	@echo "             pending migrations, deploy check"
	@echo "make bench  - load test under gunicorn on PostgreSQL and Redis at 100 and 10,000 schools (locust)"
	@echo "make bench-reminders - one beat run of the reminder jobs over 10,000 meetings, then bench-prompts"
	@echo "             (throwaway databases)"
	@echo "make bench-prompts - the yearly evaluation prompts of 10,000 schools through the outbox (mails/s)"

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet "uv==$(UV_VERSION)"

install: $(if $(filter .tools/bin/uv,$(UV)),.tools/bin/uv)
	$(UV) sync --frozen
	@mkdir -p var

run: install
	DEBUG=1 $(MANAGE) migrate --no-input --verbosity 0
	DEBUG=1 $(MANAGE) seed_demo
	@$(MAKE) --no-print-directory serve

# The web server, a Celery worker and beat (no install, migrate or demo data), each in a process group of
# its own (set -m). Ctrl-C, or any of the three ending, stops all three within seconds: TERM, then KILL
# for whatever still runs 4 s later. Killing a worker mid-sweep loses no mail (README, "Mail delivery").
serve:
	@echo "KPA runs on http://$(HOST):$(PORT)/, links in its mails point to $(SITE_URL)/$(if $(EMAIL_URL),, and the mails are files in var/mail/)."
	@echo "Ctrl-C stops the web server, worker and beat."
	@export DEBUG=1 SITE_URL="$(SITE_URL)"; set -m; \
	  $(UV) run --frozen celery -A kpa worker --pool=solo --without-mingle --without-gossip --loglevel=INFO \
	    </dev/null & pids="$$!"; \
	  $(UV) run --frozen celery -A kpa beat --loglevel=INFO </dev/null & pids="$$pids $$!"; \
	  $(MANAGE) runserver $(HOST):$(PORT) </dev/null & pids="$$pids $$!"; \
	  stop() { \
	    trap '' INT TERM; trap - EXIT; \
	    for p in $$pids; do kill -TERM -$$p 2>/dev/null; done; \
	    for _ in $$(seq 40); do \
	      alive=; for p in $$pids; do kill -0 -$$p 2>/dev/null && alive=1; done; \
	      [ -n "$$alive" ] || return 0; sleep 0.1; \
	    done; \
	    for p in $$pids; do kill -KILL -$$p 2>/dev/null; done; \
	  }; \
	  trap 'stop; exit 130' INT TERM; trap stop EXIT; \
	  wait -n

test: install
	$(UV) run --frozen pytest $(PYTEST_ARGS)

# Needs the local PostgreSQL and Redis (DATABASE_URL/REDIS_URL to use others). Seeds kpa_bench_100 and
# kpa_bench_10000 the first time and reuses them; BENCH_ARGS="--reseed" rebuilds, "--duration 30" is quicker.
# Redis databases 12-15 (two per scale, counted down from REDIS_URL's number, 14 by default): emptied after
# the run when they were empty before it, and left alone otherwise.
bench: install
	$(UV) run --frozen python -m benchmarks.load $(BENCH_ARGS)

# SQLite in var/bench/ by default; with DATABASE_URL=postgres://… a <name>_bench database is made and dropped.
# Then the evaluation prompts (bench-prompts, at its default size), so that one target prints both.
bench-reminders: install
	$(UV) run --frozen python -m benchmarks.reminders $(BENCH_ARGS)
	$(UV) run --frozen python -m benchmarks.evaluation_prompts

# seed_scale at 10,000 schools on the eve of the evaluation moment (about 2 minutes), then every gemeente's
# round opened and its prompts sent through the outbox (issue 13). BENCH_ARGS="--schools 1000" is quicker;
# with DATABASE_URL=postgres://… a <name>_prompts_bench database is made and dropped.
bench-prompts: install
	$(UV) run --frozen python -m benchmarks.evaluation_prompts $(BENCH_ARGS)

lint: install
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .
	DEBUG=1 $(UV) run --frozen mypy
	$(UV) run --frozen djlint templates --lint
	$(UV) run --frozen lint-imports  # the layers contract in pyproject.toml (issue 11)
	DEBUG=1 $(MANAGE) makemigrations --check --dry-run
	$(MAKE) --no-print-directory check-deploy

check-deploy: install
	DEBUG=0 SECRET_KEY="deploy-check-$$(head -c 48 /dev/urandom | base64 | tr -d '/+=')" \
	  MFA_ENCRYPTION_KEYS="$$(head -c 32 /dev/urandom | base64 | tr '+/' '-_')" \
	  ALLOWED_HOSTS=kpa.example.nl $(MANAGE) check --deploy --fail-level WARNING

format: install
	$(UV) run --frozen ruff check --fix .
	$(UV) run --frozen ruff format .

messages: install
	DEBUG=1 $(MANAGE) makemessages --locale nl --no-obsolete --ignore ".venv/*" --ignore ".tools/*" --ignore "var/*"
	DEBUG=1 $(MANAGE) compilemessages --locale nl --ignore ".venv/*"

clean:
	rm -rf var .tools
