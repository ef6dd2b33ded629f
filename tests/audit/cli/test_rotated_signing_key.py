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
from audit.log import AuditLog

HMAC_KEY = bytes(range(32))


@pytest.fixture
def rotated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, list[str]]:
    db = tmp_path / "audit.db"
    keys = []
    for name in ("old.pem", "new.pem"):
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
