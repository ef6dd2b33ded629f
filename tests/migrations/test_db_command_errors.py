"""``mailguard db`` refuses what it cannot do with one line, no traceback and no password."""

from __future__ import annotations

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import text

from guard.db import open_engine
from mailguard.cli import cli
from mailguard.migrations import head, upgrade

PASSWORD = "s3cret-pw"  # noqa: S105 - a made-up password that must never be echoed


def refused(result: Result) -> str:
    """Assert ``result`` is a one-line refusal (exit 1, not a crash); return the line."""
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        repr(result.exception))
    assert "Traceback" not in result.output
    assert PASSWORD not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    return lines[0]


@pytest.mark.parametrize("command", ["upgrade", "current"])
@pytest.mark.parametrize("url, reason", [
    (f"postgresql+psycopg2://bob:{PASSWORD}@127.0.0.1/mail", "driver is not installed"),
    (f"mysql://bob:{PASSWORD}@127.0.0.1/mail", "SQLite or PostgreSQL, not mysql"),
    (f"postgresql+psycopg://bob:{PASSWORD}@127.0.0.1:port/mail", "URL is not valid"),
    (f"postgresql+psycopg://bob:{PASSWORD}@127.0.0.1:1/mail", "names a reachable database"),
])
def test_a_url_mailguard_cannot_use_is_one_line_without_its_password(command, url, reason):
    line = refused(CliRunner().invoke(cli, ["db", command, "--db", url]))
    assert reason in line


def test_upgrade_to_a_revision_that_does_not_exist_is_one_line(database_url):
    line = refused(CliRunner().invoke(cli, ["db", "upgrade", "--db", database_url,
                                            "--to", "9999"]))
    assert line == "Error: there is no revision 9999; mailguard db history lists them"


def _stamp(url: str, revision: str) -> None:
    engine = open_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})
    finally:
        engine.dispose()


def test_a_database_migrated_by_a_newer_release_is_named_so(database_url):
    upgrade(database_url)
    _stamp(database_url, "0999")
    line = refused(CliRunner().invoke(cli, ["db", "upgrade", "--db", database_url]))
    assert "revision 0999, which this release does not know" in line
    shown = CliRunner().invoke(cli, ["db", "current", "--db", database_url])
    assert shown.exit_code == 0
    assert shown.output.strip() == (
        f"0999 (unknown to this release, whose head is {head()}; a newer MailGuard "
        "migrated the database)")


@pytest.mark.sqlite_only
def test_upgrade_creates_the_folder_of_a_new_sqlite_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MAILGUARD_DATABASE_URL", raising=False)
    done = CliRunner().invoke(cli, ["db", "upgrade"])  # the default, instance/mailguard.db
    assert done.exit_code == 0, done.output
    assert done.output.strip() == f"database upgraded from no revision to revision {head()}"
    assert (tmp_path / "instance" / "mailguard.db").is_file()


@pytest.mark.sqlite_only
def test_current_on_a_missing_sqlite_file_creates_nothing(tmp_path):
    missing = tmp_path / "absent" / "mailguard.db"
    done = CliRunner().invoke(cli, ["db", "current", "--db", f"sqlite:///{missing}"])
    assert done.exit_code == 0, done.output
    assert done.output.startswith("no revision (not migrated yet")
    assert not missing.parent.exists()
