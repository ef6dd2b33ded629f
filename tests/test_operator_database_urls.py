"""Every command that opens the database refuses one it cannot use in one line.

`mailguard staff list --db mysql://...` printed a traceback (and `keys rotate` another),
where the audit and db commands say in one line that MailGuard keeps its state in SQLite
or PostgreSQL. No refusal repeats the URL, which may hold a password.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner, Result

from guard.vault import generate_key
from mailguard.cli import cli

PASSWORD = "s3cret-pw"  # noqa: S105 - a made-up password that must never be echoed
HMAC_KEY = "ab" * 32

COMMANDS = {
    "staff list": ["staff", "list"],
    "staff add": ["staff", "add", "alice@qontak.com", "--role", "security"],
    "staff remove": ["staff", "remove", "alice@qontak.com"],
    "keys rotate": ["keys", "rotate"],
    "db current": ["db", "current"],
    "db upgrade": ["db", "upgrade"],
}

URLS = {
    "mysql": (f"mysql://bob:{PASSWORD}@127.0.0.1/mail",
              "MailGuard keeps its state in SQLite or PostgreSQL, not mysql"),
    "mysql-driver": (f"mysql+pymysql://bob:{PASSWORD}@127.0.0.1/mail",
                     "MailGuard keeps its state in SQLite or PostgreSQL, not mysql"),
    "oracle": (f"oracle://bob:{PASSWORD}@db.internal/mail",
               "MailGuard keeps its state in SQLite or PostgreSQL, not oracle"),
    "port-no-number": (f"postgresql+psycopg://bob:{PASSWORD}@127.0.0.1:port/mail",
                       "the database URL is not valid"),
    "no-scheme": (f"bob:{PASSWORD}@db.internal/mail", "the database URL is not valid"),
    "driver-not-installed": (f"postgresql+psycopg2://bob:{PASSWORD}@127.0.0.1/mail",
                             "the URL's database driver is not installed"),
    "unknown-driver": (f"postgresql+nosuch://bob:{PASSWORD}@127.0.0.1/mail",
                       "the URL's database driver is not installed"),
}


def refusal(result: Result) -> str:
    """Assert ``result`` is a one-line refusal, not a crash; return the line."""
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        repr(result.exception))
    assert "Traceback" not in result.output and PASSWORD not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    return lines[0]


@pytest.mark.parametrize("command", list(COMMANDS.values()), ids=list(COMMANDS))
@pytest.mark.parametrize(("url", "reason"), list(URLS.values()), ids=list(URLS))
@pytest.mark.parametrize("given_as", ["option", "variable"])
def test_an_unusable_url_is_refused_in_one_line(command: list[str], url: str, reason: str,
                                                given_as: str) -> None:
    env: dict[str, str | None] = {"MAILGUARD_AUDIT_HMAC_KEY": HMAC_KEY,
                                  "MAILGUARD_TOKEN_KEYS": generate_key(),
                                  "MAILGUARD_DATABASE_URL": None}
    args = list(command)
    if given_as == "option":
        args += ["--db", url]
    else:
        env["MAILGUARD_DATABASE_URL"] = url
    line = refusal(CliRunner().invoke(cli, args, env=env))
    assert line.startswith(f"Error: {reason}"), line
    assert "sqlite:///" in line and "postgresql+psycopg://" in line  # what to write instead


def test_staff_names_a_folder_it_cannot_create(tmp_path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    line = refusal(CliRunner().invoke(cli, [
        "staff", "list", "--db", f"sqlite:///{blocker / 'mailguard.db'}"],
        env={"MAILGUARD_AUDIT_HMAC_KEY": HMAC_KEY}))
    assert line.startswith("Error: cannot create the database's folder")
    assert str(blocker) in line
