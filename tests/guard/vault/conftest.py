"""Run the vault's storage tests on SQLite and, when MAILGUARD_TEST_PG_URL is set, PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from guard.db import create_schema, open_engine
from tests.conftest import backend_params


@pytest.fixture(params=backend_params())
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Return a fresh database URL: an SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'vault.db'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """Return an engine on ``database_url`` with the guard's tables."""
    engine = open_engine(database_url)
    create_schema(engine)
    yield engine
    engine.dispose()
