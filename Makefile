# MailGuard: the README's two commands are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_BIN ?= /usr/lib/postgresql/15/bin

.PHONY: run test lint check bench system-deps node-deps clean hostile test-clock

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

## Debian packages the test suite needs: the PostgreSQL 15 server, Chromium for the
## browser tests and Node.js for the test of Google's Node.js client. Installed only when
## missing.
system-deps:
	@missing=""; \
	[ -x $(PG_BIN)/initdb ] || missing="$$missing postgresql-15"; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	command -v node >/dev/null || missing="$$missing nodejs"; \
	command -v npm >/dev/null || missing="$$missing npm"; \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

## Google's Node.js Gmail client and google-auth-library, as package-lock.json pins them,
## for tests/fakegmail/node.
NODE_DIR := tests/fakegmail/node
node-deps: $(NODE_DIR)/node_modules/.installed
$(NODE_DIR)/node_modules/.installed: $(NODE_DIR)/package-lock.json | system-deps
	npm ci --prefix $(NODE_DIR) --no-audit --no-fund --loglevel=error
	touch $@

run: $(STAMP)
	$(BIN)/mailguard demo --port $${PORT:-8000} --seed-messages $${SEED_MESSAGES:-200}

## Static checks: ruff, mypy on the packages (cache in .mypy_cache), bandit (fails on
## any high-severity finding; accepted ones carry `# nosec <id>` with a reason), and the
## import contracts.
lint: $(STAMP)
	@$(BIN)/python -c "import bandit" 2>/dev/null || $(BIN)/pip install --quiet bandit
	$(BIN)/ruff check .
	$(BIN)/mypy --cache-dir .mypy_cache audit guard webclient fakegmail mailguard
	$(BIN)/bandit -q -c pyproject.toml -r audit guard webclient fakegmail mailguard --severity-level high
	$(BIN)/lint-imports

## The whole suite on SQLite, then again with every database-backed suite on the same
## throw-away PostgreSQL server (MAILGUARD_TEST_DATABASE=postgres; see tests/conftest.py).
PG_SUITES := tests/audit tests/guard tests/webclient tests/browser tests/hostile tests/authz tests/migrations
test: $(STAMP) system-deps node-deps lint
	bash scripts/with-postgres.sh bash -c '$(BIN)/pytest -n 2 -q && \
		MAILGUARD_TEST_DATABASE=postgres $(BIN)/pytest -n 2 -q $(PG_SUITES)'

## The suites that run in one process again, with the wall clock started at moments where
## the hour matters (tests/clock_shift.py): Jakarta office hours on a weekday, a Saturday
## night before UTC midnight, Jakarta midnight, the turn of the year.
CLOCK_MOMENTS ?= 2026-11-30T03:00:00Z 2026-11-28T22:30:00Z 2026-11-30T16:58:00Z \
	2026-12-31T23:58:00Z
test-clock: $(STAMP) system-deps
	bash scripts/with-postgres.sh bash -c 'for moment in $(CLOCK_MOMENTS); do \
		MAILGUARD_TEST_NOW=$$moment $(BIN)/pytest -n 2 -q -p no:cacheprovider \
			tests/webclient tests/guard tests/authz tests/audit tests/fakegmail \
			--ignore=tests/fakegmail/node || exit 1; done'

## The long hostile runs: fault sessions with new seeds and fuzzing (hypothesis over the
## kept corpus, then atheris/libFuzzer adding to tests/hostile/corpus), each within
## HOSTILE_SECONDS (default 600).
hostile: $(STAMP) system-deps
	@$(BIN)/python -c "import atheris" 2>/dev/null || $(BIN)/pip install --quiet atheris
	HOSTILE_SECONDS=$${HOSTILE_SECONDS:-600} bash scripts/with-postgres.sh \
		$(BIN)/pytest -q -p no:cacheprovider tests/hostile
	$(BIN)/python -m tests.hostile.fuzz_mime tests/hostile/corpus \
		-max_total_time=$${HOSTILE_SECONDS:-600} -max_len=1048576 -timeout=30 \
		-artifact_prefix=test-artifacts/

bench: $(STAMP) system-deps
	bash scripts/with-postgres.sh $(BIN)/python -m bench --report bench/results/report.md

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache $(NODE_DIR)/node_modules
