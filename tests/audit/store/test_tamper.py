"""Every tamper case an attacker with database access could try is detected, by seq."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from audit import ProblemKind, TamperDetected
from audit.merkle import MerkleAccumulator

from .conftest import make_event

SIZE = 40


def attacker(path: Path) -> sqlite3.Connection:
    """Open the file as an attacker would: raw SQL, triggers dropped."""
    db = sqlite3.connect(path, isolation_level=None)
    for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        db.execute(f"DROP TRIGGER {name}")
    return db


def entry_doc(db: sqlite3.Connection, seq: int) -> dict:
    return json.loads(db.execute("SELECT entry FROM audit_entries WHERE seq = ?",
                                 (seq,)).fetchone()[0])


def write_entry(db: sqlite3.Connection, seq: int, doc: dict, *, fix_leaf: bool) -> None:
    raw = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    db.execute("UPDATE audit_entries SET entry = ? WHERE seq = ?", (raw, seq))
    if fix_leaf:
        db.execute("UPDATE audit_entries SET leaf_hash = ? WHERE seq = ?",
                   (hashlib.sha256(b"\x00" + raw).digest(), seq))


def rebuild_nodes(db: sqlite3.Connection) -> None:
    """Recompute every leaf hash and node from the (tampered) entries, as a careful attacker."""
    db.execute("DELETE FROM audit_nodes")
    acc = MerkleAccumulator()
    for seq, raw in db.execute("SELECT seq, entry FROM audit_entries ORDER BY seq").fetchall():
        leaf = hashlib.sha256(b"\x00" + raw).digest()
        db.execute("UPDATE audit_entries SET leaf_hash = ? WHERE seq = ?", (leaf, seq))
        for node in acc.append(leaf)[1:]:
            db.execute("INSERT INTO audit_nodes VALUES (?, ?, ?)",
                       (node.level, node.index, node.hash))


def modify_field(db):
    doc = entry_doc(db, 13)
    doc["decision"] = "allow" if doc["decision"] == "deny" else "deny"
    write_entry(db, 13, doc, fix_leaf=False)


def modify_field_and_leaf_hash(db):
    doc = entry_doc(db, 12)
    doc["purpose"] = "advertising.targeting"
    write_entry(db, 12, doc, fix_leaf=True)
    db.execute("UPDATE audit_entries SET purpose = 'advertising.targeting' WHERE seq = 12")


def modify_search_column(db):
    db.execute("UPDATE audit_entries SET mailbox_h = 'h1:00' WHERE seq = 17")


def retype_search_column(db):
    """Same bytes, stored as a blob: a search for the text value would no longer find it."""
    db.execute("UPDATE audit_entries SET mailbox_h = CAST(mailbox_h AS BLOB) WHERE seq = 18")


def modify_resource_row(db):
    db.execute("UPDATE audit_resources SET resource_id = 'msg-999' WHERE seq = 21")


def delete_entry(db):
    db.execute("DELETE FROM audit_entries WHERE seq = 9")


def delete_entry_and_renumber_the_rest(db):
    """Entry 10 deleted and every later one moved down, bytes and leaf hashes rewritten."""
    db.execute("DELETE FROM audit_entries WHERE seq = 10")
    db.execute("DELETE FROM audit_resources WHERE seq = 10")
    for seq in range(11, SIZE):
        doc = entry_doc(db, seq)
        doc["seq"] = seq - 1
        db.execute("UPDATE audit_entries SET seq = ? WHERE seq = ?", (seq - 1, seq))
        db.execute("UPDATE audit_resources SET seq = ? WHERE seq = ?", (seq - 1, seq))
        write_entry(db, seq - 1, doc, fix_leaf=True)
    db.execute("UPDATE audit_head SET size = ?", (SIZE - 1,))


def delete_last_entries_and_head(db):
    db.execute("DELETE FROM audit_entries WHERE seq >= 30")
    db.execute("UPDATE audit_head SET size = 30")


def insert_entry_after_head(db):
    doc = entry_doc(db, 3)
    doc["seq"] = SIZE
    raw = json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()
    db.execute("INSERT INTO audit_entries (seq, time, actor_kind, actor_id_h, actor_role, "
               "mailbox_h, action, purpose, basis, basis_ref, decision, rule_id, request_id, "
               "entry, leaf_hash) SELECT ?, time, actor_kind, actor_id_h, actor_role, "
               "mailbox_h, action, purpose, basis, basis_ref, decision, rule_id, request_id, "
               "?, ? FROM audit_entries WHERE seq = 3",
               (SIZE, raw, hashlib.sha256(b"\x00" + raw).digest()))


def insert_entry_in_the_middle(db):
    for seq in range(SIZE - 1, 19, -1):
        db.execute("UPDATE audit_entries SET seq = seq + 1 WHERE seq = ?", (seq,))
    doc = entry_doc(db, 21)
    doc["seq"] = 20
    doc["request_id"] = "forged"
    raw = json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()
    db.execute("INSERT INTO audit_entries SELECT 20, time, actor_kind, actor_id_h, actor_role, "
               "mailbox_h, action, purpose, basis, basis_ref, decision, rule_id, 'forged', "
               "?, ? FROM audit_entries WHERE seq = 21",
               (raw, hashlib.sha256(b"\x00" + raw).digest()))
    db.execute("UPDATE audit_head SET size = size + 1")


def swap_entries(db):
    rows = {seq: db.execute("SELECT * FROM audit_entries WHERE seq = ?", (seq,)).fetchone()
            for seq in (14, 27)}
    db.execute("DELETE FROM audit_entries WHERE seq IN (14, 27)")
    for new_seq, old in ((14, rows[27]), (27, rows[14])):
        db.execute(f"INSERT INTO audit_entries VALUES ({','.join('?' * len(old))})",
                   (new_seq, *old[1:]))


def rewrite_entry_and_every_hash(db):
    doc = entry_doc(db, 25)
    doc["rule_id"] = "rewritten"
    write_entry(db, 25, doc, fix_leaf=True)
    db.execute("UPDATE audit_entries SET rule_id = 'rewritten' WHERE seq = 25")
    rebuild_nodes(db)


def alter_checkpoint_note(db):
    size, note = db.execute("SELECT size, note FROM audit_checkpoints ORDER BY size "
                            "LIMIT 1").fetchone()
    lines = note.split("\n")
    lines[1] = str(size - 1)
    db.execute("UPDATE audit_checkpoints SET note = ? WHERE size = ?", ("\n".join(lines), size))


def alter_checkpoint_root(db):
    db.execute("UPDATE audit_checkpoints SET root = zeroblob(32) WHERE size = 20")


CASES: list[tuple[str, Callable, int | None, ProblemKind]] = [
    ("modified field", modify_field, 13, ProblemKind.MODIFIED),
    ("modified field with its leaf hash", modify_field_and_leaf_hash, 12,
     ProblemKind.TREE_MISMATCH),
    ("modified search column", modify_search_column, 17, ProblemKind.COLUMN_MISMATCH),
    ("search column retyped as a blob", retype_search_column, 18,
     ProblemKind.COLUMN_MISMATCH),
    ("modified resource row", modify_resource_row, 21, ProblemKind.COLUMN_MISMATCH),
    ("deleted entry", delete_entry, 9, ProblemKind.MISSING),
    ("deleted entry, later ones renumbered", delete_entry_and_renumber_the_rest, 10,
     ProblemKind.TREE_MISMATCH),
    ("deleted tail with head", delete_last_entries_and_head, 30, ProblemKind.TRUNCATED),
    ("inserted after head", insert_entry_after_head, SIZE, ProblemKind.INSERTED),
    ("inserted in the middle", insert_entry_in_the_middle, 20, ProblemKind.REORDERED),
    ("two entries swapped", swap_entries, 14, ProblemKind.REORDERED),
    ("rewritten with every hash", rewrite_entry_and_every_hash, 20,
     ProblemKind.CHECKPOINT_MISMATCH),
    ("altered checkpoint note", alter_checkpoint_note, None, ProblemKind.CHECKPOINT_INVALID),
    ("altered checkpoint root", alter_checkpoint_root, None, ProblemKind.CHECKPOINT_INVALID),
]


@pytest.fixture(autouse=True, params=["one batch", "batches of 8"])
def batch_size(request, monkeypatch):
    """Verify in one batch (entry by entry on any doubt) and in aligned bulk batches of 8."""
    if request.param == "batches of 8":
        monkeypatch.setattr("audit.verify.BATCH", 8)
    return request.param


@pytest.fixture
def written(sqlite_path, open_log):
    """A 40-entry log with checkpoints at 20 and 40, closed."""
    log = open_log(sqlite_path, checkpoint_every=20)
    for i in range(SIZE):
        log.append(make_event(i))
    assert log.latest_checkpoint().size == SIZE
    log.close()
    return sqlite_path


@pytest.mark.parametrize(("name", "tamper", "seq", "kind"), CASES, ids=[c[0] for c in CASES])
def test_tampering_is_detected_at_the_first_bad_seq(written, open_log, name, tamper, seq, kind):
    db = attacker(written)
    tamper(db)
    db.close()
    report = open_log(written).verify()
    assert not report.ok
    first = report.first_problem
    assert (first.kind, first.seq) == (kind, seq), report.problems
    with pytest.raises(TamperDetected) as caught:
        report.raise_for_problems()
    assert caught.value.seq == seq


def test_a_clean_log_never_raises_an_alarm(written, open_log, tmp_path):
    log = open_log(written)
    note = log.export_checkpoint(tmp_path / "cp.note")
    progress: list[tuple[int, int]] = []
    report = log.verify(checkpoint_notes=[note.note, (tmp_path / "cp.note").read_text()],
                        progress=lambda done, total: progress.append((done, total)))
    assert report.ok, report.problems
    assert report.checkpoints_checked >= 2 and report.notes_checked == 2
    assert progress[-1] == (SIZE, SIZE)


def test_truncation_behind_an_exported_checkpoint(written, open_log):
    exported = open_log(written).latest_checkpoint().note
    db = attacker(written)
    for table in ("audit_entries", "audit_resources"):
        db.execute(f"DELETE FROM {table} WHERE seq >= 25")
    db.execute("DELETE FROM audit_nodes WHERE (idx + 1) << level > 25")
    db.execute("DELETE FROM audit_checkpoints WHERE size > 25")
    db.execute("UPDATE audit_head SET size = 25")
    db.close()
    log = open_log(written)
    assert log.verify().ok  # without the exported note, a clean cut cannot be seen
    report = log.verify(checkpoint_notes=[exported])
    assert (report.first_problem.kind, report.first_bad_seq) == (ProblemKind.TRUNCATED, 25)


def test_rollback_and_rewrite_behind_an_exported_checkpoint(written, open_log):
    log = open_log(written)
    exported = log.latest_checkpoint().note
    log.close()
    db = attacker(written)
    for table in ("audit_entries", "audit_resources"):
        db.execute(f"DELETE FROM {table} WHERE seq >= 30")
    db.execute("DELETE FROM audit_nodes WHERE (idx + 1) << level > 30")
    db.execute("DELETE FROM audit_checkpoints WHERE size > 30")
    db.execute("UPDATE audit_head SET size = 30")
    db.close()
    log = open_log(written)  # the legitimate writer carries on, unaware
    for i in range(SIZE):
        log.append(make_event(1000 + i))
    assert log.verify().ok
    report = log.verify(checkpoint_notes=[exported])
    assert report.first_problem.kind == ProblemKind.CHECKPOINT_MISMATCH
    assert report.first_bad_seq == 20  # after the last checkpoint that still matches


def test_a_forged_exported_note_is_reported(written, open_log, tmp_path):
    note = open_log(written).latest_checkpoint().note.replace("\n40\n", "\n41\n")
    report = open_log(written).verify(checkpoint_notes=[note])
    assert report.first_problem.kind == ProblemKind.CHECKPOINT_INVALID


def test_values_that_need_escaping_verify_clean_and_their_columns_are_checked(
        sqlite_path, open_log):
    rule = 'rule "quoted" \\ backslash'
    log = open_log(sqlite_path)
    for i in range(6):
        log.append(make_event(i, rule_id=rule, request_id=f"r-\u00e9-{i}",
                              resources=[{"kind": "message", "id": 'm"1'},
                                         {"kind": "label", "id": "l\\2"}]))
    log.checkpoint()
    assert log.verify().ok
    log.close()
    db = attacker(sqlite_path)
    # the column now holds the escaped spelling the bytes use: text, but not the value
    db.execute("UPDATE audit_entries SET rule_id = ? WHERE seq = 4", (json.dumps(rule)[1:-1],))
    db.close()
    report = open_log(sqlite_path).verify()
    assert (report.first_problem.kind, report.first_bad_seq) == (ProblemKind.COLUMN_MISMATCH, 4)


def test_a_clean_sqlite_log_is_checked_in_one_pass(written, open_log, monkeypatch):
    """Columns and resource rows are checked with the entries; the precise per-range check
    runs only for a batch that is not clean (it is several times slower)."""
    import audit.verify_scan

    precise: list[tuple[int, int]] = []
    check = audit.verify_scan.column_problems

    def counted(snap, lo, hi):
        precise.append((lo, hi))
        return check(snap, lo, hi)

    monkeypatch.setattr(audit.verify_scan, "column_problems", counted)
    assert open_log(written).verify().ok
    assert precise == []
    db = attacker(written)
    modify_search_column(db)
    db.close()
    report = open_log(written).verify()
    assert (report.first_problem.kind, report.first_bad_seq) == (ProblemKind.COLUMN_MISMATCH, 17)
    assert precise and all(lo <= 17 < hi for lo, hi in precise)


def test_resources_rewritten_as_a_string_in_the_bytes_are_a_column_mismatch(sqlite_path,
                                                                             open_log):
    """The bytes name no resources but a string that spells the resource index's rows."""
    log = open_log(sqlite_path, checkpoint_every=0)
    log.append_many([make_event(i) for i in range(6)])
    assert log.verify().ok
    log.close()
    db = attacker(sqlite_path)
    doc = entry_doc(db, 4)
    doc["resources"] = json.dumps(doc["resources"], sort_keys=True, separators=(",", ":"))
    write_entry(db, 4, doc, fix_leaf=True)
    rebuild_nodes(db)
    db.execute("DELETE FROM audit_checkpoints")  # now only the column check can see it
    db.close()
    report = open_log(sqlite_path).verify()
    assert (report.first_problem.kind, report.first_bad_seq) == (ProblemKind.COLUMN_MISMATCH, 4)
