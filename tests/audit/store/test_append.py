"""Appending, checkpoints, proofs and search, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from audit import AuditError, AuditQuery, ProofError
from audit.checkpoint import open_signed_checkpoint
from audit.entry import AuditEntry, IdentifierHasher
from audit.prepared import PreparedEntry

from .conftest import HMAC_KEY, make_event


def test_appends_get_consecutive_seqs_and_verify(db_url, open_log):
    log = open_log(db_url)
    receipts = [log.append(make_event(i)) for i in range(25)]
    receipts += log.append_many([make_event(i) for i in range(25, 40)])
    assert [r.seq for r in receipts] == list(range(40))
    assert log.size() == 40
    report = log.verify()
    assert report.ok, report.problems
    assert report.entries_checked == 40


def test_entries_hold_hashes_not_addresses(db_url, open_log):
    log = open_log(db_url)
    receipt = log.append(make_event(3, mailbox="Carol@Example.com", actor_id="carol@example.com"))
    engine = create_engine(db_url if "://" in db_url else f"sqlite:///{db_url}")
    with engine.connect() as conn:
        raw = bytes(conn.execute(text("SELECT entry FROM audit_entries")).scalar())
    engine.dispose()
    assert b"example.com" not in raw.lower() and b"192.0.2.10" not in raw
    found = list(log.query(AuditQuery(mailbox="carol@example.com")))
    assert [e.seq for e in found] == [receipt.seq]
    assert found[0].mailbox_h == IdentifierHasher(HMAC_KEY).hash("carol@example.com")
    assert found[0].leaf_hash() == receipt.leaf_hash


def test_query_filters_by_resource_decision_and_time(db_url, open_log):
    now = [datetime(2025, 1, 1, tzinfo=UTC)]
    log = open_log(db_url, clock=lambda: now[0])
    for i in range(10):
        now[0] = datetime(2025, 1, 1, i, tzinfo=UTC)
        log.append(make_event(i))
    assert [e.seq for e in log.query(AuditQuery(resource_id="msg-4"))] == [4]
    assert [e.seq for e in log.query(AuditQuery(decision="deny"))] == [0, 5]
    assert [e.seq for e in log.query(AuditQuery(since="2025-01-01T03:00:00.000000Z",
                                                until="2025-01-01T05:00:00.000000Z"))] == [3, 4]
    newest = list(log.query(AuditQuery(newest_first=True, limit=2)))
    assert [e.seq for e in newest] == [9, 8]
    stats = log.stats(bucket="hour")
    assert (stats.total, stats.allowed, stats.denied) == (10, 8, 2)
    assert stats.denied_by_rule[0].key == "default-deny"
    assert len(stats.timeline) == 10 and stats.timeline[0].denied == 1


def test_fast_entry_building_matches_the_entry_module(open_log):
    hasher = IdentifierHasher(HMAC_KEY)
    event = make_event(4, basis_ref="case-7", client_ip="2001:db8::1")
    fast = AuditEntry.from_event(event, seq=12, time="2025-01-01T00:00:00.000001Z",
                                 hasher=hasher)
    slow = AuditEntry.from_dict(fast.to_dict())  # every field validated again
    assert fast == slow and fast.canonical_bytes() == slow.canonical_bytes()


@pytest.mark.parametrize("awkward", [
    "plain", 'with "quotes"', "back\\slash", "ünïcödé ✓", "emoji 😀", "%s %d", "",
])
def test_bytes_prepared_before_the_lock_are_the_canonical_bytes(awkward):
    hasher = IdentifierHasher(HMAC_KEY)
    for field in ("actor_role", "basis_ref", "rule_id", "request_id", "outcome", "mailbox"):
        event = make_event(7, **{field: awkward},
                           resources=[{"kind": "message", "id": awkward or "m"}])
        for seq in (0, 9, 123456789):
            raw, leaf = PreparedEntry.from_event(event, hasher).place(
                seq, "2025-01-31T09:30:00.123456Z")
            entry = AuditEntry.from_event(event, seq=seq, time="2025-01-31T09:30:00.123456Z",
                                          hasher=hasher)
            assert raw == entry.canonical_bytes()
            assert leaf == entry.leaf_hash()
            assert AuditEntry.from_canonical_bytes(raw) == entry


AWKWARD = ["plain", 'with "quotes"', "back\\slash", "ünïcödé ✓", "emoji 😀", "%s %d", ""]


def test_awkward_values_are_stored_searched_and_verified_as_given(db_url, open_log):
    log = open_log(db_url)
    for n, value in enumerate(AWKWARD):
        log.append_many([make_event(n, rule_id=value, request_id=f"r{n} {value}",
                                    resources=[{"kind": "message", "id": value or "m"},
                                               {"kind": "label", "id": f"l {value}"}])])
    for n, value in enumerate(AWKWARD):
        found = list(log.query(AuditQuery(request_id=f"r{n} {value}")))
        assert [(e.seq, e.rule_id) for e in found] == [(n, value)]
        assert [e.seq for e in log.query(AuditQuery(resource_id=f"l {value}"))] == [n]
    report = log.verify()
    assert report.ok, report.problems


def test_checkpoints_every_n_entries_are_signed(db_url, open_log, signing_key):
    log = open_log(db_url, checkpoint_every=10)
    for i in range(25):
        log.append(make_event(i))
    latest = log.latest_checkpoint()
    assert latest is not None and latest.size >= 20
    cp = open_signed_checkpoint(latest.note, log.verifier_key(), origin=log.origin)
    assert (cp.size, cp.root_hash) == (latest.size, latest.root_hash)


def test_checkpoint_after_t_seconds_uses_the_clock(sqlite_path, open_log):
    now = [datetime(2025, 1, 1, tzinfo=UTC)]
    log = open_log(sqlite_path, checkpoint_every=0, checkpoint_seconds=60,
                   clock=lambda: now[0])
    log.append(make_event(0))
    assert log.latest_checkpoint() is None
    now[0] += timedelta(seconds=61)
    log.append(make_event(1))
    assert log.latest_checkpoint() is not None and log.latest_checkpoint().size == 2


def test_inclusion_and_consistency_proofs(db_url, open_log):
    log = open_log(db_url)
    log.append_many([make_event(i) for i in range(37)])
    first = log.checkpoint()
    log.append_many([make_event(i) for i in range(37, 70)])
    early = log.prove_inclusion(5)  # the newest checkpoint covering entry 5 anchors it
    assert early.checkpoint == first and early.tree_size == 37
    early.verify()
    proof = log.prove_inclusion(50)  # no checkpoint covers 50 yet: one is made
    assert proof.checkpoint is not None and proof.tree_size == 70
    proof.verify()
    old = log.prove_inclusion(36, tree_size=37)
    assert old.root_hash == first.root_hash
    old.verify()
    consistency = log.prove_consistency(37, 70)
    assert consistency.old_root == first.root_hash
    consistency.verify()
    forged = type(proof)(proof.seq, proof.tree_size, old.leaf_hash, proof.root_hash,
                         proof.hashes, None)
    with pytest.raises(ProofError):
        forged.verify()


def test_reopening_resumes_the_same_tree(db_url, open_log, signing_key):
    log = open_log(db_url)
    log.append_many([make_event(i) for i in range(11)])
    log.close()
    again = open_log(db_url)
    receipts = [again.append(make_event(i)) for i in range(11, 20)]
    assert receipts[0].seq == 11
    assert again.verify().ok


def test_a_different_hashing_key_is_refused(sqlite_path, open_log):
    open_log(sqlite_path).append(make_event(0))
    with pytest.raises(AuditError, match="different identifier-hashing key"):
        open_log(sqlite_path, hmac_key=b"another-key-of-32-bytes-00000000")


def test_eight_threads_make_one_linear_log(db_url, open_log):
    log = open_log(db_url, checkpoint_every=50)
    seqs: list[int] = []
    lock = threading.Lock()

    def writer(t: int) -> None:
        for i in range(40):
            seq = log.append(make_event(t * 100 + i)).seq
            with lock:
                seqs.append(seq)

    threads = [threading.Thread(target=writer, args=(t,)) for t in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(seqs) == list(range(320))
    report = log.verify()
    assert report.ok, report.problems
    assert report.size == 320


def test_memory_sqlite_is_refused(tmp_path: Path):
    from audit import AuditLog

    with pytest.raises(AuditError, match="not durable"):
        AuditLog.open("sqlite:///:memory:", hmac_key=HMAC_KEY)
