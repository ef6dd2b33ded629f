"""A new database is stamped at this release's revision; one that needs a migration is refused.

The web server (``Guard.open``, through ``create_schema``) must not start on a database a
migration has yet to convert and fail later, request by request, on what it finds there.
"""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, inspect

from audit import AuditLog
from guard.db import SCHEMA_REVISION, SchemaOutOfDate, create_schema, open_engine
from guard.service import Guard
from guard.settings import GuardSettings, OAuthClient
from guard.vault import generate_key
from mailguard.cli import cli
from mailguard.migrations import current, head, upgrade
from mailguard.serve import check_settings
from tests.conftest import database_url_for
from tests.migrations.schemas import HMAC_KEY, create_all, schema_of
from webclient import preferences
from webclient.auth import session_records


def settings(url: str) -> GuardSettings:
    """Return guard settings on ``url`` (Gmail is never reached in these tests)."""
    return GuardSettings(
        database_url=url, token_keys=(generate_key(),), audit_hmac_key=HMAC_KEY,
        oauth_client=OAuthClient.for_root("http://127.0.0.1:9/", client_id="c",
                                          client_secret="s"),
        gmail_root_url="http://127.0.0.1:9/")


def version_table(url: str) -> object:
    """Describe the alembic_version table at ``url``."""
    engine = create_engine(url)
    try:
        inspector = inspect(engine)
        return ([(c["name"], str(c["type"]), c["nullable"], c["default"])
                 for c in inspector.get_columns("alembic_version")],
                inspector.get_pk_constraint("alembic_version"))
    finally:
        engine.dispose()


def test_the_code_schema_revision_is_the_newest_migration():
    assert SCHEMA_REVISION == head()


def test_a_database_made_by_create_schema_is_stamped_and_upgrade_does_nothing(
        database_url, tmp_path):
    engine = open_engine(database_url)
    try:
        create_schema(engine)
        create_schema(engine)  # opening again changes nothing
        preferences.metadata.create_all(engine)  # as the web client's start-up does
        session_records.metadata.create_all(engine)
    finally:
        engine.dispose()
    AuditLog.open(database_url, hmac_key=HMAC_KEY).close()
    assert current(database_url) == head()
    before = schema_of(database_url)
    done = CliRunner().invoke(cli, ["db", "upgrade", "--db", database_url])
    assert done.output.strip() == f"database already at revision {head()}"
    assert schema_of(database_url) == before
    migrated = database_url_for(tmp_path / "migrated.db")
    upgrade(migrated)
    assert schema_of(migrated) == before
    assert version_table(database_url) == version_table(migrated)


def test_a_guard_opened_on_an_empty_database_leaves_it_at_head(database_url):
    with Guard.open(settings(database_url)) as guard:
        assert guard.audit.verify().ok
    assert current(database_url) == head()


def test_a_database_holding_only_the_audit_log_is_completed_and_stamped(database_url):
    AuditLog.open(database_url, hmac_key=HMAC_KEY).close()
    with Guard.open(settings(database_url)):
        pass
    assert current(database_url) == head()


@pytest.mark.parametrize("make, reason", [
    (lambda url: upgrade(url, "0004"), "is at schema revision 0004 and this release needs"),
    (create_all, "made by a MailGuard release from before migrations"),
])
def test_the_guard_refuses_a_database_that_needs_an_upgrade(database_url, make, reason):
    make(database_url)
    before = schema_of(database_url)
    with pytest.raises(SchemaOutOfDate, match=reason) as refused:
        Guard.open(settings(database_url))
    assert "run `mailguard db upgrade`" in str(refused.value)
    assert schema_of(database_url) == before
    upgrade(database_url)
    with Guard.open(settings(database_url)) as guard:
        assert guard.audit.verify().ok


def test_mailguard_serve_refuses_a_database_that_needs_an_upgrade(
        database_url, tmp_path, monkeypatch):
    upgrade(database_url, "0004")
    client = tmp_path / "client.json"
    client.write_text('{"web": {"client_id": "c", "client_secret": "s", '
                      '"auth_uri": "http://127.0.0.1:9/auth", '
                      '"token_uri": "http://127.0.0.1:9/token"}}')
    for name, value in {
            "MAILGUARD_SECRET_KEY": "k" * 40, "MAILGUARD_DATABASE_URL": database_url,
            "MAILGUARD_TOKEN_KEYS": generate_key(), "MAILGUARD_AUDIT_HMAC_KEY": "ab" * 32,
            "MAILGUARD_AUDIT_SIGNING_KEY": str(tmp_path / "signing.key"),
            "MAILGUARD_OAUTH_CLIENT_FILE": str(client)}.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(click.ClickException) as refused:
        check_settings()
    assert "is at schema revision 0004" in refused.value.message
    assert "run `mailguard db upgrade`" in refused.value.message


def test_mailguard_staff_refuses_a_database_that_needs_an_upgrade_in_one_line(
        database_url, monkeypatch):
    upgrade(database_url, "0004")
    monkeypatch.setenv("MAILGUARD_DATABASE_URL", database_url)
    monkeypatch.setenv("MAILGUARD_AUDIT_HMAC_KEY", HMAC_KEY.hex())
    result = CliRunner().invoke(cli, ["staff", "add", "ana@qontak.com", "--role", "security"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output and result.exception is not None
    assert isinstance(result.exception, SystemExit)
    assert "run `mailguard db upgrade`" in result.output
