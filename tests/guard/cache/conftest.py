"""The inbox cache's database, on each backend this run covers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from guard.db import create_schema, open_engine
from tests.conftest import POSTGRES, backend_params


@pytest.fixture(params=backend_params())
def cache_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """Return an engine on an empty guard schema (SQLite file or a fresh PostgreSQL database)."""
    url = (f"sqlite:///{tmp_path / 'cache.db'}" if request.param == "sqlite"
           else POSTGRES.create())
    engine = open_engine(url)
    try:
        create_schema(engine)
        yield engine
    finally:
        engine.dispose()
        if request.param != "sqlite":
            POSTGRES.drop(url)
