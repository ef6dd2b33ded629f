"""The audit log's engine keeps statement parameters out of error messages."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from audit.engine import make_engine
from tests.conftest import database_url_for

SECRET = "reviewer.search@example.org"


def test_a_failing_statement_names_no_parameter(tmp_path: Path) -> None:
    engine = make_engine(database_url_for(tmp_path / "audit.db"))
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE probe (name VARCHAR(200) PRIMARY KEY)"))
        conn.execute(text("INSERT INTO probe (name) VALUES (:name)"), {"name": SECRET})
    with pytest.raises(IntegrityError) as failed, engine.begin() as conn:
        conn.execute(text("INSERT INTO probe (name) VALUES (:name)"), {"name": SECRET})

    message = str(failed.value) + repr(failed.value)
    assert "INSERT INTO probe" in message
    assert "hidden due to hide_parameters" in message
    assert SECRET not in message
