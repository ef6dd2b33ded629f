"""Rotation under an operator's mistakes and concurrent writers; tokens that were tampered with.

Each test is named after what it reproduces: a rotation half done with a key list lacking a
row's key, a mistyped database URL turned into an empty vault, a worker still on the old
key list re-sealing a rotated token with the key about to be dropped, a refresh bringing
back a disconnected account's tokens, truncated and swapped ciphertexts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, create_engine, inspect, select, update

from fakegmail.pytest_plugin import FakeGmailAccount, new_account
from fakegmail.server import EmulatorServer
from guard.errors import GmailAuthError
from guard.keys_cli import keys
from guard.service import Guard
from guard.vault import (
    SealedValueAltered,
    StoredTokens,
    TokenVault,
    VaultKeyMissing,
    VaultKeys,
    generate_key,
    oauth_tokens,
)
from tests.guard.mail.conftest import credentials_of, settings_for

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
REFRESH = "1//refresh-token-never-in-clear"
ACCESS = "ya29.access-token-never-in-clear"
SCOPE = "https://mail.google.com/"


def tokens(suffix: str = "") -> StoredTokens:
    return StoredTokens(refresh_token=REFRESH + suffix, access_token=ACCESS + suffix,
                        expiry=NOW, scopes=(SCOPE,))


def vault(engine: Engine, *keys: str, clock: Callable[[], datetime] = lambda: NOW
          ) -> TokenVault:
    return TokenVault(engine, VaultKeys(keys), clock)


def stored(engine: Engine) -> dict[str, tuple[str, bytes]]:
    with engine.connect() as conn:
        return {r.mailbox: (r.key_id, bytes(r.sealed)) for r in conn.execute(
            select(oauth_tokens.c.mailbox, oauth_tokens.c.key_id, oauth_tokens.c.sealed))}


def rotate(url: str, keys_env: str) -> object:
    return CliRunner().invoke(keys, ["rotate", "--database-url", url],
                              env={"MAILGUARD_TOKEN_KEYS": keys_env})


def key_id(key: str) -> str:
    return VaultKeys([key]).newest_id


def test_rotating_with_a_key_list_lacking_a_rows_key_changes_nothing(
        engine: Engine, database_url: str) -> None:
    first, second, new = generate_key(), generate_key(), generate_key()
    vault(engine, first).put("ann@example.org", tokens("-ann"))
    vault(engine, second).put("bob@example.org", tokens("-bob"))
    before = stored(engine)
    result = rotate(database_url, f"{new},{first}")  # the second key was forgotten
    assert result.exit_code == 1  # type: ignore[attr-defined]
    output = result.output  # type: ignore[attr-defined]
    assert output.count("\n") == 1 and "Traceback" not in output
    assert f"sealed with key {key_id(second)}, which is not configured" in output
    assert "nothing was re-encrypted" in output
    assert stored(engine) == before
    for key in (first, second, new):
        assert key not in output


def test_the_vault_refuses_rotating_a_row_whose_key_is_missing_before_touching_any(
        engine: Engine) -> None:
    first, second, new = generate_key(), generate_key(), generate_key()
    vault(engine, first).put("ann@example.org", tokens("-ann"))
    vault(engine, second).put("bob@example.org", tokens("-bob"))
    before = stored(engine)
    with pytest.raises(VaultKeyMissing, match="nothing was re-encrypted"):
        vault(engine, new, first).rotate()
    assert stored(engine) == before


def test_rotate_against_a_mistyped_database_url_creates_nothing_and_clears_no_key(
        tmp_path: Path) -> None:
    path = tmp_path / "mailgaurd.db"  # the operator's typo
    result = rotate(f"sqlite:///{path}", generate_key())
    assert result.exit_code == 1  # type: ignore[attr-defined]
    output = result.output  # type: ignore[attr-defined]
    assert "holds no token vault" in output and "can be removed" not in output
    assert output.count("\n") == 1
    engine = create_engine(f"sqlite:///{path}")
    assert inspect(engine).get_table_names() == []
    engine.dispose()


def test_rotating_twice_re_encrypts_nothing_the_second_time(
        engine: Engine, database_url: str) -> None:
    old, new = generate_key(), generate_key()
    vault(engine, old).put("ann@example.org", tokens())
    assert rotate(database_url, f"{new},{old}").exit_code == 0  # type: ignore[attr-defined]
    after_first = stored(engine)
    again = rotate(database_url, f"{new},{old}")
    assert again.exit_code == 0, again.output  # type: ignore[attr-defined]
    assert "re-encrypted 0 of 1 token rows" in again.output  # type: ignore[attr-defined]
    assert stored(engine) == after_first
    assert vault(engine, new).get("ann@example.org") == tokens()


@pytest.mark.parametrize("keys_env, expected", [
    ("\u00e9{new}", "key #1 is not 32 bytes"),
    ("{new}!!!!", "key #1 is not 32 bytes"),
    ("{new},{new}", "configured twice"),
    ("{new},{new_standard}", "configured twice"),
    (" , ", "MAILGUARD_TOKEN_KEYS"),
    ("{new},short", "key #2 is not 32 bytes"),
], ids=["non-ascii", "stray-characters", "duplicate", "duplicate-other-alphabet", "empty",
        "malformed-second"])
def test_rotate_refuses_bad_key_lists_in_one_line_without_echoing_a_key(
        engine: Engine, database_url: str, keys_env: str, expected: str) -> None:
    new = generate_key()
    while "-" not in new and "_" not in new:
        new = generate_key()
    standard = new.replace("-", "+").replace("_", "/")
    vault(engine, new).put("ann@example.org", tokens())
    before = stored(engine)
    result = rotate(database_url, keys_env.format(new=new, new_standard=standard))
    output = result.output  # type: ignore[attr-defined]
    assert result.exit_code == 1, output  # type: ignore[attr-defined]
    assert expected in output and output.count("\n") == 1 and "Traceback" not in output
    assert new not in output and new[:20] not in output and standard[:20] not in output
    assert stored(engine) == before


@pytest.mark.parametrize("url", [
    "postgresql+psycopg://mailguard:s3cret-pw@127.0.0.1:1/mailguard",
    "nosuchdriver://mailguard:s3cret-pw@db.internal/mailguard",
    "sqlite:////nonexistent-dir/s3cret-pw/mailguard.db",
], ids=["unreachable", "unknown-driver", "unopenable-file"])
def test_rotate_reports_a_database_failure_in_one_line_without_the_url(url: str) -> None:
    key = generate_key()
    result = rotate(url, key)
    output = result.output  # type: ignore[attr-defined]
    assert result.exit_code == 1, output  # type: ignore[attr-defined]
    assert output.startswith("Error: ") and output.count("\n") == 1
    assert "Traceback" not in output and "s3cret-pw" not in output and key not in output


def test_a_truncated_token_row_is_refused_as_altered_not_a_crash(engine: Engine) -> None:
    v = vault(engine, generate_key())
    v.put("ann@example.org", tokens())
    for cut in (b"", b"\x00" * 5, b"\x00" * 20):
        with engine.begin() as conn:
            conn.execute(update(oauth_tokens).values(sealed=cut))
        with pytest.raises(SealedValueAltered, match="altered"):
            v.get("ann@example.org")


def test_a_row_re_sealed_by_an_older_worker_during_rotation_is_still_rotated(
        engine: Engine) -> None:
    """A worker still on the old key list refreshes a token between rotate's read and write."""
    old, new = generate_key(), generate_key()
    older_worker = vault(engine, old)
    older_worker.put("ann@example.org", tokens())
    raced: list[bool] = []

    def clock_that_races() -> datetime:
        if not raced:
            raced.append(True)
            older_worker.put("ann@example.org", tokens("-refreshed"))
        return NOW

    report = vault(engine, new, old, clock=clock_that_races).rotate()
    assert raced and report.re_encrypted == 1
    assert stored(engine)["ann@example.org"][0] == key_id(new)
    assert vault(engine, new).get("ann@example.org") == tokens("-refreshed")


def test_a_refresh_by_a_worker_on_older_keys_does_not_re_seal_a_rotated_token(
        engine: Engine) -> None:
    old, new = generate_key(), generate_key()
    vault(engine, old).put("ann@example.org", tokens())
    vault(engine, new, old).rotate()
    assert not vault(engine, old).put_refreshed("ann@example.org", tokens("-refreshed"))
    assert vault(engine, new).get("ann@example.org") == tokens()


def test_a_refresh_after_a_disconnect_does_not_bring_the_tokens_back(engine: Engine) -> None:
    v = vault(engine, generate_key())
    v.put("ann@example.org", tokens())
    assert v.delete("ann@example.org")
    assert not v.put_refreshed("ann@example.org", tokens("-refreshed"))
    assert v.get("ann@example.org") is None


@pytest.fixture
def two_accounts(emulator: EmulatorServer) -> tuple[FakeGmailAccount, FakeGmailAccount]:
    return (new_account(emulator.state, emulator.url),
            new_account(emulator.state, emulator.url))


@pytest.fixture
def open_guard(database_url: str, tmp_path: Path, emulator: EmulatorServer
               ) -> Iterator[Callable[..., Guard]]:
    opened: list[Guard] = []

    def open_with(*token_keys: str) -> Guard:
        guard = Guard.open(settings_for(emulator, tmp_path, database_url=database_url,
                                        token_keys=token_keys))
        opened.append(guard)
        return guard

    yield open_with
    for guard in opened:
        guard.close()


def connect(guard: Guard, account: FakeGmailAccount, emulator: EmulatorServer) -> None:
    guard.accounts.connect(account.email, email=account.email,
                           credentials=credentials_of(account, emulator),
                           granted_scopes=[SCOPE])


def test_tokens_swapped_between_accounts_ask_for_a_reconnect_and_log_no_token(
        open_guard: Callable[..., Guard], emulator: EmulatorServer,
        two_accounts: tuple[FakeGmailAccount, FakeGmailAccount],
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    guard = open_guard(generate_key())
    ann, bob = two_accounts
    connect(guard, ann, emulator)
    connect(guard, bob, emulator)
    rows = stored(guard.accounts._vault._engine)  # noqa: SLF001 - the database's own view
    with guard.accounts._vault._engine.begin() as conn:  # noqa: SLF001
        for mailbox, other in ((ann.email, bob.email), (bob.email, ann.email)):
            conn.execute(update(oauth_tokens).where(oauth_tokens.c.mailbox == mailbox)
                         .values(sealed=rows[other][1]))
    with pytest.raises(GmailAuthError, match="reconnect"):
        guard.accounts.credentials_for(ann.email)
    connect(guard, ann, emulator)  # reconnecting replaces the altered row
    assert guard.accounts.credentials_for(ann.email).refresh_token == ann.refresh_token
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "failed authentication" in logged
    for secret in (ann.refresh_token, bob.refresh_token, ann.token, bob.token):
        assert secret not in logged


def test_a_worker_on_older_keys_fails_closed_on_a_rotated_token_and_recovers_on_restart(
        open_guard: Callable[..., Guard], emulator: EmulatorServer,
        two_accounts: tuple[FakeGmailAccount, FakeGmailAccount], database_url: str,
        caplog: pytest.LogCaptureFixture) -> None:
    old, new = generate_key(), generate_key()
    ann, _bob = two_accounts
    older = open_guard(old)
    connect(older, ann, emulator)
    current = open_guard(new, old)
    current.accounts._vault.rotate()  # noqa: SLF001
    before = stored(current.accounts._vault._engine)  # noqa: SLF001
    caplog.set_level(logging.WARNING)
    with pytest.raises(VaultKeyMissing, match=f"key {key_id(new)}, which is not configured"):
        older.accounts.credentials_for(ann.email)
    # Its in-memory credentials refreshed meanwhile are not written back with the old key.
    older.accounts.store_credentials(ann.email, credentials_of(ann, emulator))
    assert stored(current.accounts._vault._engine) == before  # noqa: SLF001
    assert not older.accounts.needs_reconnect(ann.email)
    assert "MAILGUARD_TOKEN_KEYS" in caplog.text and old not in caplog.text
    restarted = open_guard(new)
    assert restarted.accounts.credentials_for(ann.email).refresh_token == ann.refresh_token
