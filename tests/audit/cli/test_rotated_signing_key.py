"""After the checkpoint key is replaced, the log holds checkpoints signed by the old key
and the new one. A reviewer trusts both by giving MAILGUARD_AUDIT_VERIFIER_KEY both
verifier keys (separated by white space); with only one, the other's checkpoints stay a
finding."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from audit.cli import audit
from audit.entry import AuditEvent
from audit.errors import AuditError
from audit.log import AuditLog

HMAC_KEY = bytes(range(32))


@pytest.fixture
def rotated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, list[str]]:
    db = tmp_path / "audit.db"
    keys = []
    for name in ("old.pem", "new.pem"):
        if name == "new.pem":  # replaced on purpose: the new file is created first
            created = CliRunner().invoke(audit, ["new-signing-key", str(tmp_path / name)])
            assert created.exit_code == 0, created.output
        with AuditLog.open(db, hmac_key=HMAC_KEY, signing_key=str(tmp_path / name)) as log:
            log.append(AuditEvent(actor_kind="system", actor_id="sync", action="history.list",
                                  purpose="email.sync", decision="allow"))
            keys.append(log.verifier_key())
    monkeypatch.setenv("MAILGUARD_AUDIT_HMAC_KEY", HMAC_KEY.hex())
    monkeypatch.setenv("MAILGUARD_AUDIT_SIGNING_KEY", str(tmp_path / "new.pem"))
    monkeypatch.delenv("MAILGUARD_AUDIT_ORIGIN", raising=False)
    return db, keys


@pytest.mark.parametrize("separator", [" ", "\n", "  \n "])
def test_both_verifier_keys_are_trusted(rotated, monkeypatch, separator):
    db, keys = rotated
    monkeypatch.setenv("MAILGUARD_AUDIT_VERIFIER_KEY", separator.join(keys) + "\n")
    result = CliRunner().invoke(audit, ["verify", "--db", f"sqlite:///{db}"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("OK: 2 entries, 1 Merkle nodes, 2 stored checkpoints")


def test_with_only_the_new_key_the_old_checkpoint_is_still_a_finding(rotated, monkeypatch):
    db, keys = rotated
    monkeypatch.setenv("MAILGUARD_AUDIT_VERIFIER_KEY", keys[1])
    result = CliRunner().invoke(audit, ["verify", "--db", f"sqlite:///{db}"])
    assert result.exit_code == 1
    assert "checkpoint_invalid" in result.stdout


def test_a_bad_second_key_is_named(rotated, monkeypatch):
    db, keys = rotated
    monkeypatch.setenv("MAILGUARD_AUDIT_VERIFIER_KEY", f"{keys[0]} typo")
    result = CliRunner().invoke(audit, ["verify", "--db", f"sqlite:///{db}"])
    assert result.exit_code == 1
    assert "MAILGUARD_AUDIT_VERIFIER_KEY key 2 is not a verifier key" in result.output
    assert "TAMPERED" not in result.output


def test_a_missing_key_file_is_not_created_for_a_signed_log(tmp_path):
    """A mistyped path, or a host without the key, must not start a second signer."""
    db = tmp_path / "audit.db"
    with AuditLog.open(db, hmac_key=HMAC_KEY, signing_key=str(tmp_path / "old.pem")) as log:
        log.append(AuditEvent(actor_kind="system", actor_id="sync", action="history.list",
                              purpose="email.sync", decision="allow"))
        key_id = log.verifier_key().split("+")[1]
    with pytest.raises(AuditError, match=f"already signed by key id {key_id}.*nothing was "
                                         "created"):
        AuditLog.open(db, hmac_key=HMAC_KEY, signing_key=str(tmp_path / "typo.pem"))
    assert not (tmp_path / "typo.pem").exists()
    with AuditLog.open(db, hmac_key=HMAC_KEY, read_only=True) as log:
        assert len(log.stored_verifier_keys()) == 1


def test_a_log_never_signed_still_creates_its_first_key(tmp_path):
    db = tmp_path / "audit.db"
    AuditLog.open(db, hmac_key=HMAC_KEY).close()  # appends-only so far: no key stored
    with AuditLog.open(db, hmac_key=HMAC_KEY, signing_key=str(tmp_path / "k.pem")) as log:
        assert log.checkpoint().size == 0
    assert (tmp_path / "k.pem").stat().st_mode & 0o777 == 0o600


def test_new_signing_key_never_overwrites(tmp_path):
    path = tmp_path / "k.pem"
    first = CliRunner().invoke(audit, ["new-signing-key", str(path)])
    assert first.exit_code == 0, first.output
    before = path.read_bytes()
    again = CliRunner().invoke(audit, ["new-signing-key", str(path)])
    assert again.exit_code == 1
    assert "already exists" in again.output
    assert path.read_bytes() == before
