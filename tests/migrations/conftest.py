"""Fixtures of the migration tests: a reference database built by the parts themselves."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import database_url_for
from tests.migrations.schemas import create_all


@pytest.fixture
def reference_url(tmp_path: Path) -> str:
    """Return a second database of the run's backend, built by create_all."""
    url = database_url_for(tmp_path / "reference.db")
    create_all(url)
    return url
