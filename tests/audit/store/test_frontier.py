"""A writer whose cached frontier is stale reads it from the database, and refuses a gap."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from audit import AuditError

from .conftest import make_event


def _engine(db_url: str):
    return create_engine(db_url if "://" in db_url else f"sqlite:///{db_url}")


def test_writers_take_turns_and_keep_one_tree(db_url, open_log):
    first, second = open_log(db_url), open_log(db_url)
    seqs = []
    for n in range(7):  # every append finds the other writer's entries: a stale cache
        writer = first if n % 2 == 0 else second
        seqs.extend(r.seq for r in writer.append_many([make_event(n)] * (n % 3 + 1)))
    assert seqs == list(range(len(seqs)))
    assert first.verify().ok and second.verify().ok


def test_a_missing_frontier_node_refuses_the_append(db_url, open_log):
    first = open_log(db_url)
    first.append_many([make_event(n) for n in range(3)])  # frontier: node (1, 0), leaf 2
    engine = _engine(db_url)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE audit_nodes DISABLE TRIGGER USER"))
        else:
            conn.execute(text("DROP TRIGGER audit_nodes_no_delete"))
        conn.execute(text("DELETE FROM audit_nodes WHERE level = 1 AND idx = 0"))
    engine.dispose()
    second = open_log(db_url)
    with pytest.raises(AuditError, match=r"Merkle node \(1, 0\) is missing"):
        second.append(make_event(3))
    assert second.size() == 3
