"""mailguard audit checkpoint creates the checkpoint key on first use only: for a log whose
checkpoints some key already signs, a key file path that names nothing (a mistyped
setting, a command run from another folder) is refused instead of a new key being made,
which would leave the log signed by two keys and its verifier failing on one of them."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from audit.cli import audit
from audit.entry import AuditEvent
from audit.log import AuditLog

HMAC_KEY = bytes(range(32))


def event() -> AuditEvent:
    return AuditEvent(actor_kind="system", actor_id="sync", action="history.list",
                      purpose="email.sync", decision="allow")


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MAILGUARD_AUDIT_HMAC_KEY", HMAC_KEY.hex())
    monkeypatch.delenv("MAILGUARD_AUDIT_VERIFIER_KEY", raising=False)
    monkeypatch.delenv("MAILGUARD_AUDIT_ORIGIN", raising=False)
    return tmp_path


def test_a_signed_log_is_not_given_a_new_key(env, monkeypatch):
    db = env / "audit.db"
    with AuditLog.open(db, hmac_key=HMAC_KEY, signing_key=str(env / "real.pem")) as log:
        log.append(event())
    missing = env / "elsewhere" / "audit-signing.key"
    monkeypatch.setenv("MAILGUARD_AUDIT_SIGNING_KEY", str(missing))
    result = CliRunner().invoke(audit, ["checkpoint", "--db", f"sqlite:///{db}"])
    assert result.exit_code == 1, result.output
    assert f"no checkpoint key file at {missing}" in result.output
    assert "MAILGUARD_AUDIT_SIGNING_KEY" in result.output
    assert not missing.exists()
    with AuditLog.open(db, hmac_key=HMAC_KEY, read_only=True) as log:
        assert len(log.stored_verifier_keys()) == 1


def test_a_log_never_signed_gets_its_key_on_first_use(env, monkeypatch):
    db = env / "audit.db"
    with AuditLog.open(db, hmac_key=HMAC_KEY) as log:
        log.append(event())
    key = env / "keys" / "audit-signing.key"
    monkeypatch.setenv("MAILGUARD_AUDIT_SIGNING_KEY", str(key))
    result = CliRunner().invoke(audit, ["checkpoint", "--db", f"sqlite:///{db}"])
    assert result.exit_code == 0, result.output
    assert key.exists()
    monkeypatch.setenv("MAILGUARD_AUDIT_SIGNING_KEY", str(key))
    assert CliRunner().invoke(audit, ["checkpoint", "--db", f"sqlite:///{db}"]).exit_code == 0
