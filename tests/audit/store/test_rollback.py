"""A log rolled back behind an exported checkpoint and appended to again is blamed from the
first entry the rollback replaced, not from the checkpoints signed after it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from audit import AuditLog
from tests.audit.stepping_clock import SteppingClock

from .conftest import make_event

KEPT = 10  # entries the rolled-back log still holds
EXPORTED = 20  # entries the exported checkpoint covers
BASE = datetime(2025, 5, 1, 8, 0, tzinfo=UTC)


def seconds(step: int = 1) -> SteppingClock:
    """Each reading one second after the previous one, or before it with ``step=-1``."""
    return SteppingClock(BASE + timedelta(seconds=step), timedelta(seconds=step))


@contextmanager
def attacker(log: AuditLog) -> Iterator[Any]:
    """Yield a connection of ``log``'s database with the append-only triggers off."""
    tables = ("audit_entries", "audit_resources", "audit_nodes", "audit_checkpoints",
              "audit_head")
    pg = log.store.dialect == "postgresql"
    with log.store.engine.begin() as conn:
        if pg:
            for table in tables:
                conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
        else:
            for (name,) in conn.execute(text(
                    "SELECT name FROM sqlite_master WHERE type = 'trigger'")).all():
                conn.execute(text(f"DROP TRIGGER {name}"))
        yield conn
        if pg:
            for table in tables:
                conn.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER USER"))


def roll_back(log: AuditLog, size: int) -> None:
    """Put the log back as it was at ``size`` entries, as restoring an old backup would."""
    with attacker(log) as conn:
        conn.execute(text("DELETE FROM audit_entries WHERE seq >= :n"), {"n": size})
        conn.execute(text("DELETE FROM audit_resources WHERE seq >= :n"), {"n": size})
        conn.execute(text("DELETE FROM audit_nodes WHERE (idx + 1) * "
                          "(CAST(1 AS BIGINT) << level) > :n"), {"n": size})
        conn.execute(text("DELETE FROM audit_checkpoints WHERE size > :n"), {"n": size})
        conn.execute(text("UPDATE audit_head SET size = :n"), {"n": size})


def exported_then_rolled_back(db_url: str, open_log: Callable[..., AuditLog],
                              regrown: int) -> tuple[AuditLog, str]:
    """Build the scenario; return the regrown log (open) and the exported note."""
    clock = seconds()
    log = open_log(db_url, clock=clock, checkpoint_seconds=0)
    log.append_many(make_event(n) for n in range(KEPT))
    log.checkpoint()  # the backup holds this one
    log.append_many(make_event(n) for n in range(KEPT, EXPORTED))
    note = log.checkpoint().note  # exported to the reviewer
    roll_back(log, KEPT)
    log.close()
    # the log goes on checkpointing, over the entries that replace the rolled-back ones
    log = open_log(db_url, clock=clock, checkpoint_every=4, checkpoint_seconds=0)
    for n in range(regrown):
        log.append(make_event(100 + n, request_id=f"after-rollback-{n}"))
    return log, note


@pytest.mark.parametrize("regrown", [5, 25], ids=["to-fewer-entries", "past-the-checkpoint"])
def test_a_rollback_regrown_after_an_exported_checkpoint_names_the_first_replaced_entry(
        db_url, open_log, regrown):
    log, note = exported_then_rolled_back(db_url, open_log, regrown)

    report = log.verify(checkpoint_notes=[note])

    assert not report.ok
    assert report.first_bad_seq == KEPT
    assert "rolled back" in report.first_problem.detail


def test_checkpoints_signed_out_of_order_on_a_clean_log_raise_no_alarm(db_url, open_log):
    """A smaller checkpoint signed after a larger one (another process's slower checkpoint,
    or a clock behind) is no rollback while the log still holds what both cover."""
    log = open_log(db_url, clock=seconds(step=-1), checkpoint_seconds=0)
    log.append_many(make_event(n) for n in range(KEPT))
    small = log.checkpoint().note
    log.append_many(make_event(n) for n in range(KEPT, EXPORTED))
    large = log.checkpoint().note  # signed "before" the smaller one

    report = log.verify(checkpoint_notes=[large, small])

    assert report.ok, report.problems


def test_verify_cli_names_the_first_entry_a_restored_backup_replaced(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from click.testing import CliRunner

    from audit.cli import audit

    from .conftest import HMAC_KEY

    db, key_file = tmp_path / "audit.db", tmp_path / "signing.pem"
    clock = seconds()

    def opened() -> AuditLog:
        return AuditLog.open(db, hmac_key=HMAC_KEY, signing_key=str(key_file), clock=clock,
                             checkpoint_seconds=0)

    with opened() as log:
        log.append_many(make_event(n) for n in range(KEPT))
    backup = (tmp_path / "backup.db")
    backup.write_bytes(db.read_bytes())  # closed: the WAL is checkpointed into the file
    with opened() as log:
        log.append_many(make_event(n) for n in range(KEPT, EXPORTED))
        log.export_checkpoint(tmp_path / "exported.txt")
    db.write_bytes(backup.read_bytes())
    with opened() as log:
        log.append_many(make_event(100 + n) for n in range(5))
    monkeypatch.setenv("MAILGUARD_AUDIT_HMAC_KEY", HMAC_KEY.hex())
    monkeypatch.setenv("MAILGUARD_AUDIT_SIGNING_KEY", str(key_file))
    monkeypatch.delenv("MAILGUARD_AUDIT_VERIFIER_KEY", raising=False)
    monkeypatch.delenv("MAILGUARD_AUDIT_ORIGIN", raising=False)

    result = CliRunner().invoke(audit, ["verify", "--db", f"sqlite:///{db}",
                                        "--checkpoint", str(tmp_path / "exported.txt")])

    assert result.exit_code == 1, result.output
    assert f"first bad entry is entry {KEPT}:" in result.output
