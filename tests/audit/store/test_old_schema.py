"""A log created before the purpose and action indexes were dropped keeps working."""

from __future__ import annotations

from sqlalchemy import create_engine, inspect, text

from audit import AuditQuery

from .conftest import make_event

_OLD_INDEXES = {"ix_audit_entries_purpose": "purpose", "ix_audit_entries_action": "action"}


def _engine_url(db_url: str) -> str:
    return db_url if "://" in db_url else f"sqlite:///{db_url}"


def _entry_indexes(db_url: str) -> set[str]:
    engine = create_engine(_engine_url(db_url))
    try:
        return {ix["name"] for ix in inspect(engine).get_indexes("audit_entries") if ix["name"]}
    finally:
        engine.dispose()


def test_a_new_log_writes_no_index_on_purpose_or_action(db_url, open_log):
    open_log(db_url).append(make_event(0))
    indexes = _entry_indexes(db_url)
    assert not indexes & _OLD_INDEXES.keys()
    assert {"ix_audit_entries_time", "ix_audit_entries_mailbox_h",
            "ix_audit_entries_actor_id_h", "ix_audit_entries_request_id"} <= indexes


def test_a_log_with_the_old_indexes_opens_appends_searches_and_verifies(db_url, open_log):
    first = open_log(db_url)
    first.append_many([make_event(n) for n in range(6)])
    first.close()
    engine = create_engine(_engine_url(db_url))
    with engine.begin() as conn:  # the schema logs were created with until now
        for name, column in _OLD_INDEXES.items():
            conn.execute(text(f"CREATE INDEX {name} ON audit_entries ({column})"))
    engine.dispose()

    log = open_log(db_url)
    receipts = log.append_many([make_event(n, action="label.modify", purpose="email.organize")
                                for n in range(6, 9)])
    receipts.append(log.append(make_event(9)))
    assert [r.seq for r in receipts] == [6, 7, 8, 9]
    assert _OLD_INDEXES.keys() <= _entry_indexes(db_url)
    assert [e.seq for e in log.query(AuditQuery(purpose="email.organize"))] == [6, 7, 8]
    assert [e.seq for e in log.query(AuditQuery(action="label.modify"))] == [6, 7, 8]
    assert log.stats().by_purpose[0].key == "email.read"
    report = log.verify()
    assert report.ok, report.problems
    assert report.entries_checked == 10
