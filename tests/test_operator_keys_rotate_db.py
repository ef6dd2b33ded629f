"""`mailguard keys rotate` finds the database as every other command does.

It took only ``--database-url`` with no default, so the README's environment (which leaves
``MAILGUARD_DATABASE_URL`` unset for ``sqlite:///instance/mailguard.db``) failed with
"Missing option", and its errors began with a lowercase ``error:`` unlike click's
``Error:`` everywhere else.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import inspect

from guard.db import create_schema, open_engine
from guard.vault import StoredTokens, TokenVault, VaultKeys, generate_key, oauth_tokens
from mailguard.cli import cli

TOKENS = StoredTokens(refresh_token="1//refresh-never-in-clear", access_token="ya29.at")


def vault_with_a_row(url: str, key: str) -> None:
    engine = open_engine(url)
    try:
        create_schema(engine)
        TokenVault(engine, VaultKeys([key]), lambda: datetime.now(UTC)).put(
            "ann@example.org", TOKENS)
    finally:
        engine.dispose()


def key_ids(url: str) -> set[str]:
    engine = open_engine(url)
    try:
        with engine.connect() as conn:
            return {row.key_id for row in conn.execute(oauth_tokens.select())}
    finally:
        engine.dispose()


def rotate(args: list[str], env: dict[str, str | None]) -> Result:
    return CliRunner().invoke(cli, ["keys", "rotate", *args], env=env)


@pytest.mark.sqlite_only
def test_without_db_or_variable_rotate_uses_instance_mailguard_db(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    old, new = generate_key(), generate_key()
    monkeypatch.chdir(tmp_path)
    (tmp_path / "instance").mkdir()
    url = f"sqlite:///{tmp_path / 'instance' / 'mailguard.db'}"
    vault_with_a_row(url, old)
    result = rotate([], {"MAILGUARD_TOKEN_KEYS": f"{new},{old}",
                         "MAILGUARD_DATABASE_URL": None})
    assert result.exit_code == 0, result.output
    assert "re-encrypted 1 of 1 token rows" in result.output
    assert key_ids(url) == {VaultKeys([new]).newest_id}


@pytest.mark.parametrize("spelling", ["--db", "--database-url"])
def test_db_and_its_older_spelling_both_name_the_database(
        database_url: str, spelling: str) -> None:
    old, new = generate_key(), generate_key()
    vault_with_a_row(database_url, old)
    result = rotate([spelling, database_url], {"MAILGUARD_TOKEN_KEYS": f"{new},{old}",
                                               "MAILGUARD_DATABASE_URL": None})
    assert result.exit_code == 0, result.output
    assert key_ids(database_url) == {VaultKeys([new]).newest_id}


def test_the_environment_variable_names_the_database(database_url: str) -> None:
    old, new = generate_key(), generate_key()
    vault_with_a_row(database_url, old)
    result = rotate([], {"MAILGUARD_TOKEN_KEYS": f"{new},{old}",
                         "MAILGUARD_DATABASE_URL": database_url})
    assert result.exit_code == 0, result.output
    assert key_ids(database_url) == {VaultKeys([new]).newest_id}


def test_help_shows_db_its_default_and_variable() -> None:
    result = CliRunner().invoke(cli, ["keys", "rotate", "--help"])
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert "--db, --database-url URL" in text
    assert "MAILGUARD_DATABASE_URL" in text and "sqlite:///instance/mailguard.db" in text


@pytest.mark.parametrize("env", [
    {"MAILGUARD_TOKEN_KEYS": ""},
    {"MAILGUARD_TOKEN_KEYS": "not-a-key"},
], ids=["no-keys", "malformed-key"])
def test_errors_begin_as_the_other_commands_errors(tmp_path: Path, env: dict[str, str]) -> None:
    result = rotate(["--db", f"sqlite:///{tmp_path / 'x.db'}"], dict(env))
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and result.output.count("\n") == 1


@pytest.mark.sqlite_only
def test_a_missing_default_database_is_refused_and_not_created(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "instance").mkdir()
    result = rotate([], {"MAILGUARD_TOKEN_KEYS": generate_key(),
                         "MAILGUARD_DATABASE_URL": None})
    assert result.exit_code == 1
    assert result.output.startswith("Error: the database holds no token vault")
    assert "--db (or MAILGUARD_DATABASE_URL)" in result.output
    assert "can be removed" not in result.output
    assert not (tmp_path / "instance" / "mailguard.db").exists()


def test_an_empty_database_names_db_in_its_refusal(database_url: str) -> None:
    engine = open_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE unrelated (id INTEGER)")
        result = rotate(["--db", database_url], {"MAILGUARD_TOKEN_KEYS": generate_key()})
        assert result.exit_code == 1
        assert result.output.startswith("Error: the database holds no token vault")
        assert "check --db" in result.output
        assert oauth_tokens.name not in inspect(engine).get_table_names()
    finally:
        engine.dispose()
