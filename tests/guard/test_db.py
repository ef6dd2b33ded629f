"""The guard's engines keep statement parameters out of error messages and logs."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from guard.db import create_schema, open_engine
from guard.mail_cache import cache_state
from tests.conftest import database_url_for

ADDRESS = "grace.hopper@example.org"
TOKEN = "hist-4242424242"


def test_a_failing_statement_names_no_parameter(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    engine = open_engine(database_url_for(tmp_path / "guard.db"))
    create_schema(engine)
    row = {"mailbox": ADDRESS, "history_id": TOKEN, "page_size": 25,
           "next_page_token": None, "result_size_estimate": 0,
           "synced_at": datetime(2024, 5, 1, 12, 0, tzinfo=UTC)}
    with engine.begin() as conn:
        conn.execute(insert(cache_state), row)
    with caplog.at_level(logging.DEBUG), pytest.raises(IntegrityError) as failed:
        with engine.begin() as conn:
            conn.execute(insert(cache_state), row)

    text = str(failed.value) + repr(failed.value) + caplog.text + repr(failed.value.__cause__)
    assert "guard_mail_cache_state" in text  # the statement is still named
    assert "hidden due to hide_parameters" in text
    assert ADDRESS not in text
    assert TOKEN not in text
