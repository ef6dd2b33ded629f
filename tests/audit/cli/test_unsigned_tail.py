"""verify says how much of an intact log a signed checkpoint covers: entries after the
newest one are checked only against the tree stored beside them, which anyone who can
write the database can recompute, so 'OK' alone overstates what was proven."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from audit.cli import audit
from audit.entry import AuditEvent
from audit.log import AuditLog

HMAC_KEY = bytes(range(32))


def event(n: int) -> AuditEvent:
    return AuditEvent(actor_kind="system", actor_id="sync", action="history.list",
                      purpose="email.sync", decision="allow", request_id=f"r{n}")


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MAILGUARD_AUDIT_HMAC_KEY", HMAC_KEY.hex())
    monkeypatch.setenv("MAILGUARD_AUDIT_SIGNING_KEY", str(tmp_path / "signing.pem"))
    monkeypatch.delenv("MAILGUARD_AUDIT_VERIFIER_KEY", raising=False)
    monkeypatch.delenv("MAILGUARD_AUDIT_ORIGIN", raising=False)
    return tmp_path


def write_log(path: Path, key: Path, entries: int, checkpoint_after: int | None) -> None:
    """Append ``entries``; only the first ``checkpoint_after`` are written by a process that
    can sign (it checkpoints them when it closes), the rest by one that cannot."""
    signed = checkpoint_after or 0
    with AuditLog.open(path, hmac_key=HMAC_KEY, signing_key=str(key) if signed else None,
                       checkpoint_every=0, checkpoint_seconds=0) as log:
        log.append_many([event(n) for n in range(signed)])
    with AuditLog.open(path, hmac_key=HMAC_KEY) as log:
        log.append_many([event(n) for n in range(signed, entries)])


@pytest.mark.parametrize(("checkpoint_after", "note"), [
    (None, "entries 0..9 are covered by no signed checkpoint"),
    (6, "entries 6..9 are covered by no signed checkpoint"),
])
def test_verify_names_the_entries_no_signed_checkpoint_covers(env, checkpoint_after, note):
    db = env / "audit.db"
    write_log(db, env / "signing.pem", 10, checkpoint_after)
    result = CliRunner().invoke(audit, ["verify", "--db", f"sqlite:///{db}"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("OK: 10 entries")
    assert note in result.stderr
    assert "mailguard audit checkpoint --export" in result.stderr


def test_nothing_is_said_when_a_checkpoint_covers_every_entry(env):
    db = env / "audit.db"
    write_log(db, env / "signing.pem", 10, 10)
    result = CliRunner().invoke(audit, ["verify", "--db", f"sqlite:///{db}"])
    assert result.exit_code == 0, result.output
    assert "no signed checkpoint" not in result.output


def test_the_report_says_how_far_signed_checkpoints_reach(env):
    db = env / "audit.db"
    write_log(db, env / "signing.pem", 10, 6)
    with AuditLog.open(db, hmac_key=HMAC_KEY, signing_key=str(env / "signing.pem")) as log:
        report = log.verify()
        assert (report.ok, report.size, report.signed_size) == (True, 10, 6)
        note = log.checkpoint().note
        assert log.verify(checkpoint_notes=[note]).signed_size == 10
