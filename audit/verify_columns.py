"""Check that searchable columns and resource rows say what an entry's hashed bytes say.

Runs in the database over one seq range: every searchable column against the field of the
same name in the canonical JSON, and the resource index against the resources the bytes
name, both ways and counting repeats (the resources are extracted once and compared with
EXCEPT). Each entry's bytes are parsed once per statement. It runs inside the
verification's read snapshot; a failed statement is undone to a savepoint, so the snapshot
survives it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from audit.problems import Problem, ProblemKind

if TYPE_CHECKING:
    from audit.verify_snapshot import ReadSnapshot

COLUMNS = ("time", "actor_kind", "actor_id_h", "actor_role", "mailbox_h", "action",
            "purpose", "basis", "basis_ref", "decision", "rule_id", "request_id")


def column_problems(snap: ReadSnapshot, lo: int, hi: int) -> list[Problem]:
    """Return the first column and resource-index mismatches among entries ``lo``..``hi-1``."""
    # The SQL below is assembled from module constants only; values go in as parameters.
    pg = snap.pg
    doc = "convert_from(entry, 'UTF8')::jsonb" if pg else "CAST(entry AS TEXT)"
    rng = "seq >= ? AND seq < ?"
    if pg:
        cols = " OR ".join(f"j->>'{c}' IS DISTINCT FROM {c}" for c in COLUMNS)
        # OFFSET 0 keeps the subquery whole: inlined, each j->> would parse the bytes again
        column_sql = (f"SELECT min(seq) FROM (SELECT *, {doc} AS j FROM audit_entries "  # noqa: S608
                      f"WHERE {rng} OFFSET 0) s WHERE {cols}")
        blob_res = (f"SELECT seq, r->>'kind' AS kind, r->>'id' AS rid FROM audit_entries, "  # noqa: S608
                    f"jsonb_array_elements({doc}->'resources') AS r WHERE {rng}")
    else:
        cols = " OR ".join(f"json_extract(j, '$.{c}') IS NOT {c}" for c in COLUMNS)
        column_sql = (f"SELECT min(seq) FROM (SELECT *, {doc} AS j FROM audit_entries "  # noqa: S608
                      f"WHERE {rng}) WHERE {cols}")
        blob_res = (f"SELECT e.seq AS seq, json_extract(r.value, '$.kind') AS kind, "  # noqa: S608
                    f"json_extract(r.value, '$.id') AS rid FROM audit_entries e, "
                    f"json_each({doc}, '$.resources') r WHERE e.{rng}")
    # each (seq, kind, id) with how often it is named, so a duplicated row shows too
    table_res = (f"SELECT seq, kind, resource_id, count(*) FROM audit_resources "  # noqa: S608
                 f"WHERE {rng} GROUP BY seq, kind, resource_id")
    named = "SELECT seq, kind, rid, count(*) FROM b GROUP BY seq, kind, rid"
    # the resources named by the bytes are extracted once and compared both ways
    resource_sql = (f"WITH b AS MATERIALIZED ({blob_res}) SELECT "  # noqa: S608
                    f"(SELECT min(seq) FROM ({named} EXCEPT {table_res}) x),"
                    f" (SELECT min(seq) FROM ({table_res} EXCEPT {named}) y)")
    checks = [
        (column_sql, ("the searchable columns of entry {seq} differ from its hashed bytes "
                      "(the row was edited)",), (lo, hi)),
        (resource_sql,
         ("a resource of entry {seq} is missing from the resource index (it was deleted)",
          "the resource index lists a resource entry {seq} does not name, or lists it more "
          "often than the entry does (a row was inserted)"),
         (lo, hi, lo, hi, lo, hi)),
    ]
    problems = []
    for sql, details, params in checks:
        snap.execute("SAVEPOINT verify_columns")
        try:
            found = snap.query(sql, params)[0]
        except Exception:  # noqa: BLE001 - malformed JSON is itself tampering
            snap.execute("ROLLBACK TO SAVEPOINT verify_columns")
            problems.append(Problem(ProblemKind.COLUMN_MISMATCH, None,
                                    "an entry's bytes are not valid JSON; the entry "
                                    "stream check names which"))
            continue
        snap.execute("RELEASE SAVEPOINT verify_columns")
        for seq, detail in zip(found, details, strict=True):
            if seq is not None:
                problems.append(Problem(ProblemKind.COLUMN_MISMATCH, int(seq),
                                        detail.format(seq=int(seq)), int(seq)))
    return problems
