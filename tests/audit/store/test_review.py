"""Review API: origin adoption, address and purpose-family search, grouped statistics."""

from __future__ import annotations

import pytest

from audit import AuditError, AuditLog, AuditQuery

from .conftest import HMAC_KEY, make_event


def test_open_without_origin_adopts_the_stored_one(db_url, open_log, signing_key):
    open_log(db_url, origin="qontak.example/audit").append(make_event(1))
    log = open_log(db_url, origin=None)
    assert log.origin == "qontak.example/audit"
    assert log.checkpoint().note.startswith("qontak.example/audit\n")
    assert log.verify().ok
    with pytest.raises(AuditError, match="origin"):
        AuditLog.open(db_url, hmac_key=HMAC_KEY, origin="other/audit")


def test_a_new_log_opened_without_origin_gets_the_default(sqlite_path, open_log):
    assert open_log(sqlite_path, origin=None).origin == "mailguard.local/audit"


def test_address_matches_the_mailbox_or_the_actor(db_url, open_log):
    log = open_log(db_url)
    log.append(make_event(0, mailbox="ann@example.com", actor_id="ann@example.com"))
    log.append(make_event(1, mailbox="bob@example.com", actor_id="Ann@Example.com",
                          actor_kind="staff"))
    log.append(make_event(2, mailbox="ann@example.com", actor_id="ops", actor_kind="system"))
    log.append(make_event(3, mailbox="bob@example.com", actor_id="bob@example.com"))
    found = [e.seq for e in log.query(AuditQuery(address="ann@example.com"))]
    assert found == [0, 1, 2]
    newest = [e.seq for e in log.query(AuditQuery(address="ann@example.com",
                                                  newest_first=True, limit=2))]
    assert newest == [2, 1]


def test_purpose_family_is_matched_in_sql(db_url, open_log):
    log = open_log(db_url)
    for n, purpose in enumerate(["advertising.targeting", "email.read", "advertising.serving",
                                 "advertisingx.other", "advertising_x"]):
        log.append(make_event(n, purpose=purpose))
    assert [e.seq for e in log.query(AuditQuery(purpose="advertising.*"))] == [0, 2]
    assert [e.seq for e in log.query(AuditQuery(purpose="advertising.*", limit=1))] == [0]
    assert [e.seq for e in log.query(AuditQuery(purpose="email.read"))] == [1]


def test_stats_count_actor_kinds_and_bases(db_url, open_log):
    log = open_log(db_url)
    log.append(make_event(1, actor_kind="staff", basis="consent"))
    log.append(make_event(2, actor_kind="staff", basis="security"))
    log.append(make_event(3, actor_kind="system", basis=""))
    log.append(make_event(4, actor_kind="user", basis="owner"))
    log.append(make_event(6, actor_kind="staff", basis="consent"))
    stats = log.stats()
    assert {c.key: c.count for c in stats.by_actor_kind} == {"staff": 3, "system": 1, "user": 1}
    assert stats.by_actor_kind[0].key == "staff"
    assert {c.key: c.count for c in stats.by_basis} == {
        "consent": 2, "security": 1, "": 1, "owner": 1}
    assert len(log.stats(top=1).by_basis) == 1
