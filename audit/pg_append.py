"""Append one batch to the PostgreSQL audit store in two round trips (psycopg pipeline mode).

Round trip one sends ``BEGIN``, the head lock (``SELECT ... FOR UPDATE``) and a query that
reads the Merkle frontier at the locked size on the server, skipped when this process's
cached frontier is already at that size. Round trip two sends one statement that inserts
the rows of all three tables (each table's rows in one JSON parameter) and moves the head,
then ``COMMIT``, then a one-statement transaction that makes it durable (below). The
frontier query is a separate statement from the lock on purpose: under READ COMMITTED each
statement takes a new snapshot, so it sees every node committed by the writer whose lock
it waited for.

Early lock release: the append transaction commits with ``synchronous_commit = off``, so
the head lock is released as soon as its commit record is in the WAL buffers, without
waiting for the disk. The batch's callers are released only after the one-statement
transaction that follows (an XID and a synchronous commit, closed by the pipeline's sync)
has returned: PostgreSQL flushes the WAL in order, so that flush makes the append durable
too, and the flushes of several processes overlap (``commit_delay``/``commit_siblings``
can widen that group; they are deployment knobs, not requirements). Writers thus queue on
the head lock for the hashing and two round trips, not for an fsync each.

Security caveat: between the two commits other sessions can already read the entries; if
the server crashed in that window they would vanish, together with everything committed
after them (the WAL is replayed in order, so the log stays one linear prefix), and their
callers would have been refused. Checkpoints are stored by synchronous commits, so a
signed checkpoint never outlives the entries it covers.
"""

from __future__ import annotations

import json
from base64 import b64encode
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from audit.batch_rows import place_batch
from audit.errors import AuditError
from audit.merkle import MerkleAccumulator, Node

if TYPE_CHECKING:
    from audit.store import LeafBuilder, PendingLeaf

# (size, level, index, hash) per frontier node, highest level first; one row with NULL
# level when the caller's cached frontier is at the head's size (or the log is empty).
FRONTIER = """
SELECT h.size, f.level, f.idx, f.hash FROM audit_head h LEFT JOIN LATERAL (
    SELECT l AS level, (h.size >> l) - 1 AS idx,
           CASE WHEN l = 0
                THEN (SELECT e.leaf_hash FROM audit_entries e WHERE e.seq = h.size - 1)
                ELSE (SELECT n.hash FROM audit_nodes n
                      WHERE n.level = l AND n.idx = (h.size >> l) - 1)
           END AS hash
    FROM generate_series(0, 62) AS l
    WHERE h.size <> %s AND (h.size >> l) & 1 = 1
) f ON true
WHERE h.id = 1
ORDER BY f.level DESC
"""

# Each table's rows go as one JSON array of row arrays: psycopg adapts one string instead
# of a Python list per column (which cost more client time, with the head lock held, than
# the rest of the append). The arrays are parsed as jsonb, once: ``->>`` on a ``json``
# value lexes the element's text again for every field. Bytes travel as base64 (entries)
# and hex (hashes). All three tables and the head are written by one statement
# (data-modifying CTEs), so the locked part of an append is one statement, not four.
_ENTRY_TYPES = ("bigint", *("text",) * 12)
# Module constants only; every value is a parameter.
WRITE_BATCH = (
    "WITH written_entries AS (INSERT INTO audit_entries (seq, time, actor_kind, actor_id_h, "  # noqa: S608
    "actor_role, mailbox_h, action, purpose, basis, basis_ref, decision, rule_id, "
    "request_id, entry, leaf_hash) "
    "SELECT " + ", ".join(f"(r->>{i})::{t}" for i, t in enumerate(_ENTRY_TYPES))
    + ", decode(r->>13, 'base64'), decode(r->>14, 'hex') "
    "FROM jsonb_array_elements(%s::jsonb) AS r), "
    "written_resources AS (INSERT INTO audit_resources (seq, kind, resource_id) "
    "SELECT (r->>0)::bigint, r->>1, r->>2 FROM jsonb_array_elements(%s::jsonb) AS r), "
    "written_nodes AS (INSERT INTO audit_nodes (level, idx, hash) SELECT (r->>0)::int, "
    "(r->>1)::bigint, decode(r->>2, 'hex') FROM jsonb_array_elements(%s::jsonb) AS r) "
    "UPDATE audit_head SET size = %s WHERE id = 1"
)
# The head lock, and ``SET LOCAL synchronous_commit = off`` in the same statement.
LOCK_HEAD_ASYNC = ("SELECT size, set_config('synchronous_commit', 'off', true) "
                   "FROM audit_head WHERE id = 1 FOR UPDATE")
# Run on its own (autocommit), it is a transaction with an XID: its synchronous commit
# waits until the WAL up to it, and so the append committed before it, is on disk.
FLUSH = "SELECT pg_current_xact_id()"


class LostBeforeWriting(Exception):
    """The writer's connection was dead before COMMIT was queued: nothing was written.

    The server rolls back a transaction whose connection is gone, so the batch can be
    retried on a new connection without any risk of recording it twice.
    """


def append_batch(conn: Any, items: Sequence[Any], build: LeafBuilder,
                 cached: MerkleAccumulator | None
                 ) -> tuple[list[tuple[int, PendingLeaf]], MerkleAccumulator]:
    """Write ``items`` as consecutive entries in one transaction on ``conn`` (autocommit).

    Returns the (seq, leaf) pairs and the accumulator after the batch. Raises the driver's
    error on any database failure, leaving the transaction for the caller to roll back.
    """
    import psycopg

    cur = conn.cursor()
    frontier = conn.cursor()
    committing = False
    try:
        with conn.pipeline():
            cur.execute("BEGIN")
            cur.execute(LOCK_HEAD_ASYNC)
            frontier.execute(FRONTIER, (cached.size if cached is not None else -1,))
            acc = _accumulator(frontier.fetchall(), cached)
            rows = place_batch(items, build, acc)
            cur.execute(WRITE_BATCH, (
                _json([[*row[:13], b64encode(row[13]).decode("ascii"), row[14].hex()]
                       for row in rows.entry_rows]),
                _json(rows.resource_rows),
                _json([(level, index, value.hex()) for level, index, value in rows.node_rows]),
                acc.size))
            committing = True
            cur.execute("COMMIT")  # releases the head lock without waiting for the disk
            cur.execute(FLUSH)  # its own transaction, committed once the WAL is flushed
    except psycopg.OperationalError as exc:
        if not committing and conn.broken:
            raise LostBeforeWriting(str(exc)) from exc
        raise
    finally:
        cur.close()
        frontier.close()
    return rows.built, acc


def rollback(conn: Any) -> None:
    """End the writer's open transaction, if any (explicit BEGIN on an autocommit link)."""
    import psycopg

    if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
        conn.execute("ROLLBACK")


def _accumulator(rows: list[Any], cached: MerkleAccumulator | None) -> MerkleAccumulator:
    """Return the accumulator at the locked size: the cached one or the frontier read."""
    if not rows:
        raise AuditError("the audit_head row is missing; reopen the log to recreate it")
    size = int(rows[0][0])
    if cached is not None and cached.size == size:
        return cached
    found = []
    for _size, level, index, value in rows:
        if level is None:
            continue
        if value is None:
            raise AuditError(
                f"the Merkle node ({level}, {index}) is missing from the audit store; "
                "run verification to find what was removed")
        found.append(Node(int(level), int(index), bytes(value)))
    return MerkleAccumulator.from_frontier(size, found)


def _json(rows: Sequence[Sequence[Any]]) -> str:
    """Encode rows of strings and integers as one JSON array (UTF-8 text, nothing escaped
    beyond what JSON requires)."""
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":"))
