"""Run the vault's storage tests on SQLite and, when MAILGUARD_TEST_PG_URL is set, PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from guard.db import create_schema, open_engine

PG_URL = os.environ.get("MAILGUARD_TEST_PG_URL")
BACKENDS = ["sqlite"] + ([pytest.param("postgres", marks=pytest.mark.postgres)]
                         if PG_URL or os.environ.get("CI") else [])


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Return a fresh database URL: an SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'vault.db'}"
        return
    if not PG_URL:
        pytest.fail("MAILGUARD_TEST_PG_URL is unset in CI; run the tests under "
                    "scripts/with-postgres.sh")
    name = f"vault_{uuid.uuid4().hex[:16]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE datname = :n"), {"n": name})
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """Return an engine on ``database_url`` with the guard's tables."""
    engine = open_engine(database_url)
    create_schema(engine)
    yield engine
    engine.dispose()
