# MailGuard: the README's two commands are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_BIN ?= /usr/lib/postgresql/15/bin

.PHONY: run test lint check bench system-deps clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

## Debian packages the test suite needs: the PostgreSQL 15 server and Chromium for the
## browser tests. Installed only when missing.
system-deps:
	@missing=""; \
	[ -x $(PG_BIN)/initdb ] || missing="$$missing postgresql-15"; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

run: $(STAMP)
	$(BIN)/mailguard demo --port $${PORT:-8000} --seed-messages $${SEED_MESSAGES:-200}

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

test: $(STAMP) system-deps lint
	bash scripts/with-postgres.sh $(BIN)/pytest -n 2 -q

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
