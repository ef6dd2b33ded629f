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


def test_workers_starting_together_share_the_key_one_of_them_creates(env, monkeypatch):
    """Another process creates the key file and records its key while this one starts:
    between this one's look for the file and its read of the log's keys. Both sign with
    that key; nothing is refused (it was: a web worker failed to start)."""
    from audit.store import Store

    db, key_file = env / "audit.db", env / "keys" / "audit-signing.key"
    real_items = Store.meta_items
    peer: list[AuditLog] = []

    def peer_starts_meanwhile(self, prefix):
        if prefix == "verifier_key:" and not peer:
            monkeypatch.setattr(Store, "meta_items", real_items)
            peer.append(AuditLog.open(db, hmac_key=HMAC_KEY, signing_key=str(key_file)))
        return real_items(self, prefix)

    AuditLog.open(db, hmac_key=HMAC_KEY).close()  # the log exists, unsigned
    monkeypatch.setattr(Store, "meta_items", peer_starts_meanwhile)
    with AuditLog.open(db, hmac_key=HMAC_KEY, signing_key=str(key_file)) as log:
        assert peer, "the other process started in between"
        log.append(event())
        log.checkpoint()
        mine = log.verifier_key()
    with peer[0] as other:
        other.checkpoint()
        assert other.verifier_key() == mine  # one key signs the log
