"""Exporting a checkpoint to a file that already holds one (a daily job writing the same
path) replaces it only with a checkpoint of the same log that extends it. A log that was
truncated, rolled back or rewritten since must not overwrite the one piece of evidence
that shows it: the file is kept and the export is refused, naming what it found."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from audit import AuditError, TamperDetected
from audit.cli import audit

from .conftest import make_event
from .test_tamper import attacker, entry_doc, rebuild_nodes, write_entry


@pytest.fixture
def log20(sqlite_path, open_log):
    log = open_log(sqlite_path, checkpoint_every=0, checkpoint_seconds=0)
    log.append_many([make_event(n) for n in range(20)])
    return log


def truncate(path, size):
    db = attacker(path)
    for table in ("audit_entries", "audit_resources"):
        db.execute(f"DELETE FROM {table} WHERE seq >= ?", (size,))
    db.execute("DELETE FROM audit_nodes WHERE (idx + 1) << level > ?", (size,))
    db.execute("DELETE FROM audit_checkpoints WHERE size > ?", (size,))
    db.execute("UPDATE audit_head SET size = ?", (size,))
    db.close()


def test_a_growing_log_replaces_its_file(log20, tmp_path):
    target = tmp_path / "latest.note"
    log20.export_checkpoint(target)
    log20.append_many([make_event(n) for n in range(20, 25)])
    assert log20.export_checkpoint(target).size == 25
    assert target.read_text().split("\n")[1] == "25"


def test_a_truncated_log_does_not_overwrite_the_checkpoint_that_shows_it(
        log20, sqlite_path, open_log, tmp_path):
    target = tmp_path / "latest.note"
    kept = log20.export_checkpoint(target).note
    log20.close()
    truncate(sqlite_path, 12)
    log = open_log(sqlite_path, checkpoint_every=0, checkpoint_seconds=0)
    with pytest.raises(TamperDetected) as caught:
        log.export_checkpoint(target)
    assert caught.value.seq == 12
    assert "20 entries" in str(caught.value) and "12" in str(caught.value)
    assert target.read_text() == kept


def test_a_rewritten_log_does_not_overwrite_it_either(log20, sqlite_path, open_log, tmp_path):
    target = tmp_path / "latest.note"
    kept = log20.export_checkpoint(target).note
    log20.close()
    db = attacker(sqlite_path)
    doc = entry_doc(db, 5)
    assert doc["decision"] == "deny"
    doc["decision"] = "allow"
    write_entry(db, 5, doc, fix_leaf=True)
    rebuild_nodes(db)
    db.execute("DELETE FROM audit_checkpoints")
    db.close()
    log = open_log(sqlite_path, checkpoint_every=0, checkpoint_seconds=0)
    log.append(make_event(99))
    with pytest.raises(TamperDetected) as caught:
        log.export_checkpoint(target)
    assert "one of entries 0..19" in str(caught.value)
    assert target.read_text() == kept


@pytest.mark.parametrize("content", ["", "not a note\n"])
def test_a_file_that_is_no_checkpoint_of_this_log_is_not_replaced(log20, tmp_path, content):
    target = tmp_path / "latest.note"
    target.write_text(content)
    with pytest.raises(AuditError, match="not replaced"):
        log20.export_checkpoint(target)
    assert target.read_text() == content


def test_the_cli_refuses_and_keeps_the_file(log20, sqlite_path, cli_keys, tmp_path):
    target = tmp_path / "latest.note"
    kept = log20.export_checkpoint(target).note
    log20.close()
    truncate(sqlite_path, 12)
    result = CliRunner().invoke(audit, ["checkpoint", "--db", f"sqlite:///{sqlite_path}",
                                        "--export", str(target)])
    assert result.exit_code == 1, result.output
    assert "20 entries" in result.output and "was kept" in result.output
    assert target.read_text() == kept
