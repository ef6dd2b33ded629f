"""``mailguard serve`` with the README's settings: each unusable one stops it in one line.

The README's "Running against real Google" names the variables and promises that every
sub-command "exits non-zero with a one-line reason on failure". These start the command
with a working environment except for one setting and check what the operator reads. Left
unset, the database and the checkpoint key are those of ``mailguard db upgrade`` and the
other commands, in the folder the command is started from.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from guard.vault import generate_key
from mailguard.cli import cli
from mailguard.migrations import upgrade
from mailguard.serve import check_settings

HMAC_HEX = "ab" * 32


@pytest.fixture
def operator_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Set the README's environment for a migrated SQLite database; return it."""
    client = tmp_path / "client_secret.json"
    client.write_text(json.dumps({"web": {"client_id": "c.apps.googleusercontent.com",
                                          "client_secret": "s"}}))
    database = f"sqlite:///{tmp_path / 'mailguard.db'}"
    upgrade(database)
    env = {"MAILGUARD_SECRET_KEY": "k" * 48, "MAILGUARD_DATABASE_URL": database,
           "MAILGUARD_TOKEN_KEYS": generate_key(), "MAILGUARD_AUDIT_HMAC_KEY": HMAC_HEX,
           "MAILGUARD_AUDIT_SIGNING_KEY": str(tmp_path / "audit-signing-key.pem"),
           "MAILGUARD_OAUTH_CLIENT_FILE": str(client)}
    for name in ("MAILGUARD_AUDIT_ORIGIN", "MAILGUARD_POLICY_PATH", "MAILGUARD_POLICY",
                 "MAILGUARD_AUDIT_SIGNING_KEY_FILE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    check_settings()  # the environment works as given (and the log now holds its keys)
    return env


def _serve_output(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> str:
    monkeypatch.setenv(name, value)
    result = CliRunner().invoke(cli, ["serve", "--bind", "127.0.0.1:9"])
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    return lines[0]


@pytest.mark.parametrize(("name", "value", "says"), [
    ("MAILGUARD_DATABASE_URL", "postgresql+psycopg://mailguard:hunter2@127.0.0.1:9/mail",
     "MAILGUARD_DATABASE_URL: could not read the revision of the database"),
    ("MAILGUARD_DATABASE_URL", "not a url", "MAILGUARD_DATABASE_URL: the database URL is "
     "not valid"),
    ("MAILGUARD_DATABASE_URL", "mysql://mailguard:hunter2@127.0.0.1/mail",
     "MAILGUARD_DATABASE_URL: MailGuard keeps its state in SQLite or PostgreSQL, not mysql"),
    ("MAILGUARD_DATABASE_URL", "sqlite:////proc/no-such-folder/mailguard.db",
     "MAILGUARD_DATABASE_URL: the database cannot be opened"),
], ids=["unreachable", "malformed", "another-database", "no-such-folder"])
def test_a_database_it_cannot_use_is_named_in_one_line(operator_env, monkeypatch, name,
                                                        value, says):
    line = _serve_output(monkeypatch, name, value)
    assert says in line
    assert "hunter2" not in line


def test_another_hashing_key_than_the_logs_is_one_line(operator_env, monkeypatch):
    line = _serve_output(monkeypatch, "MAILGUARD_AUDIT_HMAC_KEY", "cd" * 32)
    assert "created with a different identifier-hashing key" in line
    assert "MAILGUARD_AUDIT_HMAC_KEY" in line
    assert "cd" * 32 not in line


def test_another_origin_than_the_logs_is_one_line(operator_env, monkeypatch):
    line = _serve_output(monkeypatch, "MAILGUARD_AUDIT_ORIGIN", "mail.example/elsewhere")
    assert "origin" in line and "MAILGUARD_AUDIT_ORIGIN" in line


def test_a_signing_key_file_that_is_no_key_is_one_line(operator_env, monkeypatch, tmp_path):
    not_a_key = tmp_path / "not-a-key.pem"
    not_a_key.write_text("-----BEGIN NOTHING-----\n")
    line = _serve_output(monkeypatch, "MAILGUARD_AUDIT_SIGNING_KEY", str(not_a_key))
    assert str(not_a_key) in line and "Ed25519" in line


def test_a_signing_key_path_that_is_a_folder_is_named(operator_env, monkeypatch, tmp_path):
    line = _serve_output(monkeypatch, "MAILGUARD_AUDIT_SIGNING_KEY", str(tmp_path))
    assert line.startswith(f"Error: MAILGUARD_AUDIT_SIGNING_KEY: cannot use {tmp_path}")


def test_a_signing_key_in_a_folder_that_cannot_be_made_is_named(operator_env, monkeypatch,
                                                               tmp_path):
    # a log no key has signed yet: its key file would be created, and cannot be
    fresh = f"sqlite:///{tmp_path / 'fresh.db'}"
    upgrade(fresh)
    monkeypatch.setenv("MAILGUARD_DATABASE_URL", fresh)
    line = _serve_output(monkeypatch, "MAILGUARD_AUDIT_SIGNING_KEY",
                         "/proc/no-such-folder/audit-signing-key.pem")
    assert line.startswith("Error: MAILGUARD_AUDIT_SIGNING_KEY: cannot use /proc/no-such-folder")


def test_a_missing_signing_key_of_a_signed_log_is_named_and_not_created(operator_env,
                                                                       monkeypatch, tmp_path):
    """A host started without the log's key file must not mint a second signer."""
    elsewhere = tmp_path / "typo" / "audit-signing-key.pem"
    line = _serve_output(monkeypatch, "MAILGUARD_AUDIT_SIGNING_KEY", str(elsewhere))
    assert line.startswith(f"Error: MAILGUARD_AUDIT_SIGNING_KEY: there is no checkpoint key "
                           f"file at {elsewhere}, but this log is already signed by key id ")
    assert not elsewhere.exists()


def test_unset_database_and_signing_key_are_those_of_the_other_commands(
        operator_env, monkeypatch, tmp_path):
    """``mailguard db upgrade`` then ``serve``, both without the two variables, share a log."""
    folder = tmp_path / "deployment"
    folder.mkdir()
    monkeypatch.chdir(folder)
    monkeypatch.delenv("MAILGUARD_DATABASE_URL")
    monkeypatch.delenv("MAILGUARD_AUDIT_SIGNING_KEY")
    migrated = CliRunner().invoke(cli, ["db", "upgrade"])
    assert migrated.exit_code == 0, migrated.output
    added = CliRunner().invoke(cli, ["staff", "add", "alice@qontak.com", "--role", "security"])
    assert added.exit_code == 0, added.output
    settings = check_settings()
    assert settings["DATABASE_URL"] == "sqlite:///instance/mailguard.db"
    assert (folder / "instance" / "audit-signing.key").is_file()
    verified = CliRunner().invoke(cli, ["audit", "verify"])
    assert verified.exit_code == 0, verified.output
    # the server closed the log the staff command wrote with a checkpoint signed by that key
    assert verified.output.startswith("OK: 1 entries"), verified.output
    assert "1 stored checkpoints" in verified.output
