"""Workers starting together on a new database: one creates the preferences table, the other
finds it made meanwhile and starts too (both backends raised 'already exists' before)."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy.exc import OperationalError

from guard.db import open_engine
from tests.conftest import database_url_for
from webclient import preferences


def _app(url: str) -> Flask:
    app = Flask(__name__)
    app.config["DATABASE_URL"] = url
    return app


def test_a_table_made_by_another_worker_meanwhile_is_accepted(tmp_path, monkeypatch):
    url = database_url_for(tmp_path / "prefs.db")
    real_create_all = preferences.metadata.create_all

    def raced(engine, *args, **kwargs):
        real_create_all(open_engine(url))  # the other worker wins the race
        raise OperationalError("CREATE TABLE webclient_trusted_senders", {},
                               Exception("table webclient_trusted_senders already exists"))

    monkeypatch.setattr(preferences.metadata, "create_all", raced)
    app = _app(url)
    preferences.init_app(app)
    assert preferences.EXTENSION in app.extensions


def test_a_database_error_with_no_table_made_still_stops_start_up(tmp_path, monkeypatch):
    def broken(engine, *args, **kwargs):
        raise OperationalError("CREATE TABLE webclient_trusted_senders", {},
                               Exception("disk I/O error"))

    monkeypatch.setattr(preferences.metadata, "create_all", broken)
    with pytest.raises(OperationalError):
        preferences.init_app(_app(database_url_for(tmp_path / "prefs.db")))
