"""The token vault: tokens sealed at rest, bound to their row, rotatable without downtime."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, select, update

from guard.keys_cli import keys
from guard.vault import (
    StoredTokens,
    TokenVault,
    VaultKeyError,
    VaultKeys,
    generate_key,
    oauth_tokens,
)

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
REFRESH = "1//refresh-token-that-must-never-be-stored-in-clear"
ACCESS = "ya29.access-token-that-must-never-be-stored-in-clear"


def tokens(suffix: str = "") -> StoredTokens:
    return StoredTokens(refresh_token=REFRESH + suffix, access_token=ACCESS + suffix,
                        expiry=NOW, scopes=("https://mail.google.com/",))


def vault(engine: Engine, *keys: str) -> TokenVault:
    return TokenVault(engine, VaultKeys(keys), lambda: NOW)


def test_tokens_round_trip(engine: Engine) -> None:
    v = vault(engine, generate_key())
    v.put("Ann@Example.org", tokens())
    assert v.get("ann@example.org") == tokens()
    v.put("ann@example.org", tokens("-2"))
    assert v.get("ann@example.org") == tokens("-2")
    assert v.delete("ann@example.org")
    assert v.get("ann@example.org") is None


def test_the_database_file_holds_no_token(tmp_path: Path) -> None:
    from guard.db import create_schema, open_engine

    path = tmp_path / "guard.db"
    engine = open_engine(f"sqlite:///{path}")
    create_schema(engine)
    v = vault(engine, generate_key())
    for n in range(5):
        v.put(f"user{n}@example.org", tokens(f"-{n}"))
    engine.dispose()
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(FULL)")
        dump = "\n".join(conn.iterdump())
    raw = path.read_bytes() + b"".join(p.read_bytes() for p in tmp_path.glob("guard.db-*"))
    assert "guard_oauth_tokens" in dump and "user3@example.org" in dump
    for secret in ("refresh-token-that", "access-token-that", REFRESH, ACCESS):
        assert secret not in dump
        assert secret.encode() not in raw


def test_a_ciphertext_moved_to_another_row_does_not_open(engine: Engine) -> None:
    v = vault(engine, generate_key())
    v.put("ann@example.org", tokens("-ann"))
    v.put("bob@example.org", tokens("-bob"))
    with engine.begin() as conn:
        sealed = conn.execute(select(oauth_tokens.c.sealed)
                              .where(oauth_tokens.c.mailbox == "ann@example.org")).scalar_one()
        conn.execute(update(oauth_tokens).where(oauth_tokens.c.mailbox == "bob@example.org")
                     .values(sealed=sealed))
    with pytest.raises(VaultKeyError, match="altered or moved"):
        v.get("bob@example.org")


def test_rotation_re_seals_every_row_while_old_keys_still_open(engine: Engine) -> None:
    old, new = generate_key(), generate_key()
    before = vault(engine, old)
    for n in range(4):
        before.put(f"user{n}@example.org", tokens(f"-{n}"))
    during = vault(engine, new, old)  # the new key first; the old one still opens rows
    assert during.get("user2@example.org") == tokens("-2")
    during.put("user0@example.org", tokens("-0b"))  # a refresh mid-rotation: newest key
    report = during.rotate()
    assert (report.rows, report.re_encrypted, report.already_current) == (4, 3, 1)
    assert during.key_usage() == {VaultKeys([new]).newest_id: 4}
    after = vault(engine, new)  # the old key is gone from the configuration
    assert after.get("user3@example.org") == tokens("-3")
    assert after.get("user0@example.org") == tokens("-0b")
    with pytest.raises(VaultKeyError, match="not configured"):
        vault(engine, generate_key()).get("user1@example.org")


@pytest.mark.parametrize("bad", ["", "short", "x" * 44, generate_key()[:-4]],
                         ids=["empty", "short", "not-base64-key", "truncated-key"])
def test_malformed_keys_are_refused_with_what_a_key_looks_like(bad: str) -> None:
    with pytest.raises(VaultKeyError, match="44 characters|no token vault key"):
        VaultKeys([bad] if bad else [])


def test_keys_rotate_command(engine: Engine, database_url: str) -> None:
    old, new = generate_key(), generate_key()
    vault(engine, old).put("ann@example.org", tokens())
    runner = CliRunner()
    result = runner.invoke(keys, ["rotate", "--database-url", database_url],
                           env={"MAILGUARD_TOKEN_KEYS": f"{new},{old}"})
    assert result.exit_code == 0, result.output
    assert "re-encrypted 1 of 1" in result.output
    assert vault(engine, new).get("ann@example.org") == tokens()
    missing = runner.invoke(keys, ["rotate", "--database-url", database_url],
                            env={"MAILGUARD_TOKEN_KEYS": ""})
    assert missing.exit_code == 1
    assert "MAILGUARD_TOKEN_KEYS" in missing.output
    generated = runner.invoke(keys, ["generate"])
    assert generated.exit_code == 0 and len(generated.output.strip()) == 44
