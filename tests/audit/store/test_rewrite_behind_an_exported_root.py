"""A log rewritten consistently (every leaf, node and head recomputed) with no stored
checkpoint, verified against an exported checkpoint: a root hash commits to the whole
tree, so it cannot point at the entry that differs. Verification names the range the
first differing entry lies in and says so, instead of naming entry 0 as the bad one."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization

from audit import ProblemKind, TamperDetected
from audit.cli import audit

from .conftest import make_event
from .test_tamper import (
    attacker,
    batch_size,  # noqa: F401 - autouse: one batch, and batches of 8
    entry_doc,
    rebuild_nodes,
    write_entry,
)

SIZE = 40
REWRITTEN = 25


def rewrite_consistently(path: Path, seq: int) -> None:
    """Change one entry's rule (bytes and column), recompute every hash, keep no checkpoint."""
    db = attacker(path)
    doc = entry_doc(db, seq)
    doc["rule_id"] = "rewritten"
    write_entry(db, seq, doc, fix_leaf=True)
    db.execute("UPDATE audit_entries SET rule_id = 'rewritten' WHERE seq = ?", (seq,))
    rebuild_nodes(db)
    db.execute("DELETE FROM audit_checkpoints")
    db.close()


@pytest.fixture
def exported(sqlite_path, open_log, tmp_path):
    """A 40-entry log with no stored checkpoint; notes exported at 20 and 40 entries."""
    log = open_log(sqlite_path, checkpoint_every=0, checkpoint_seconds=0)
    notes = {}
    for i in range(SIZE):
        log.append(make_event(i))
        if i + 1 in (20, SIZE):
            notes[i + 1] = log.export_checkpoint(tmp_path / f"cp{i + 1}.note").note
    log.close()
    return notes


def test_only_the_root_says_the_first_bad_entry_is_somewhere_in_the_checkpoint(
        sqlite_path, open_log, exported):
    rewrite_consistently(sqlite_path, REWRITTEN)
    log = open_log(sqlite_path)
    assert log.verify().ok  # nothing in the database itself can show it
    report = log.verify(checkpoint_notes=[exported[SIZE]])
    first = report.first_problem
    assert (first.kind, first.seq, first.last_seq) == (ProblemKind.CHECKPOINT_MISMATCH, 0,
                                                       SIZE - 1)
    assert not first.located
    assert "cannot say which" in first.detail
    assert first.where == f"first bad entry is one of entries 0..{SIZE - 1}"
    with pytest.raises(TamperDetected) as caught:
        report.raise_for_problems()
    assert f"one of entries 0..{SIZE - 1}" in str(caught.value)
    assert "at entry 0" not in str(caught.value)


def test_an_earlier_exported_root_narrows_the_range(sqlite_path, open_log, exported):
    rewrite_consistently(sqlite_path, REWRITTEN)
    report = open_log(sqlite_path).verify(checkpoint_notes=list(exported.values()))
    first = report.first_problem
    assert (first.kind, first.seq, first.last_seq) == (ProblemKind.CHECKPOINT_MISMATCH, 20,
                                                       SIZE - 1)
    assert "entries 0..19 match the exported checkpoint at size 20" in first.detail
    assert first.where == f"first bad entry is one of entries 20..{SIZE - 1}"


def test_a_modified_entry_is_still_named_exactly(sqlite_path, open_log, exported):
    db = attacker(sqlite_path)
    doc = entry_doc(db, REWRITTEN)
    doc["rule_id"] = "rewritten"
    write_entry(db, REWRITTEN, doc, fix_leaf=False)
    db.close()
    first = open_log(sqlite_path).verify(checkpoint_notes=[exported[SIZE]]).first_problem
    assert (first.kind, first.seq, first.located) == (ProblemKind.MODIFIED, REWRITTEN, True)
    assert first.where == f"first bad entry is entry {REWRITTEN}"


def test_the_cli_does_not_name_entry_0(sqlite_path, signing_key, exported, tmp_path,
                                       monkeypatch):
    rewrite_consistently(sqlite_path, REWRITTEN)
    key_file = tmp_path / "signing.pem"
    key_file.write_bytes(signing_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    monkeypatch.setenv("MAILGUARD_AUDIT_SIGNING_KEY", str(key_file))
    monkeypatch.delenv("MAILGUARD_AUDIT_VERIFIER_KEY", raising=False)
    monkeypatch.delenv("MAILGUARD_AUDIT_ORIGIN", raising=False)
    result = CliRunner().invoke(audit, ["verify", "--db", f"sqlite:///{sqlite_path}",
                                        "--checkpoint", str(tmp_path / f"cp{SIZE}.note")])
    assert result.exit_code == 1, result.output
    line = result.stdout.strip()
    assert line.startswith(f"TAMPERED: first bad entry is one of entries 0..{SIZE - 1}: "
                           "checkpoint_mismatch: "), line
    assert "entry 0:" not in line


def test_two_processes_name_the_same_range(sqlite_path, open_log, exported):
    rewrite_consistently(sqlite_path, REWRITTEN)
    report = open_log(sqlite_path).verify(checkpoint_notes=[exported[SIZE]], workers=2)
    first = report.first_problem
    assert (first.kind, first.seq, first.last_seq, first.located) == (
        ProblemKind.CHECKPOINT_MISMATCH, 0, SIZE - 1, False)
