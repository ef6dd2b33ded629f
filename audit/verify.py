"""Verify a stored audit log end to end and name the first entry that cannot be trusted.

One streaming pass in seq order (constant memory: batches of rows and of Merkle nodes)
recomputes every leaf hash from the stored canonical bytes, checks the seq inside the bytes
against the row, checks that seqs run 0, 1, 2, ... without gap or duplicate, rebuilds the
tree and compares every stored node, every stored checkpoint (root and signature) and every
exported checkpoint note the caller supplies. A second pass, run in the database, checks
that the searchable columns and resource rows say what the hashed bytes say.

Security caveats: entries after the newest signed checkpoint are protected only by the
stored nodes, which a database writer can recompute; export checkpoints often. A checkpoint
is only as good as the verifier key it is checked with: pass keys obtained out of band.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

from audit.checkpoint import open_signed_checkpoint
from audit.errors import CheckpointError, TamperDetected
from audit.merkle import EMPTY_ROOT, MerkleAccumulator, frontier_positions, root_at

if TYPE_CHECKING:
    from audit.store import Store

BATCH = 1 << 14  # a power of two: batches are aligned subtrees
_COLUMNS = ("time", "actor_kind", "actor_id_h", "actor_role", "mailbox_h", "action",
            "purpose", "basis", "basis_ref", "decision", "rule_id", "request_id")
_SEQ_MARK = b',"seq":'


class ProblemKind(enum.StrEnum):
    """What verification found wrong."""

    MODIFIED = "modified"
    MISSING = "missing"
    INSERTED = "inserted"
    REORDERED = "reordered"
    TREE_MISMATCH = "tree_mismatch"
    COLUMN_MISMATCH = "column_mismatch"
    CHECKPOINT_INVALID = "checkpoint_invalid"
    CHECKPOINT_MISMATCH = "checkpoint_mismatch"
    TRUNCATED = "truncated"


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding: the first seq not proven good (``seq``..``last_seq``) and what is wrong."""

    kind: ProblemKind
    seq: int | None
    detail: str
    last_seq: int | None = None


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """The outcome of verification; ``ok`` is True only when nothing was found."""

    size: int
    root_hash: bytes
    entries_checked: int
    nodes_checked: int
    checkpoints_checked: int
    notes_checked: int
    keys_trusted: bool
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        """Return True when the log verified cleanly."""
        return not self.problems

    @property
    def first_problem(self) -> Problem | None:
        """Return the finding with the smallest seq (the first bad entry), if any."""
        return self.problems[0] if self.problems else None

    @property
    def first_bad_seq(self) -> int | None:
        """Return the first seq that cannot be trusted, if any."""
        first = self.first_problem
        return first.seq if first else None

    def raise_for_problems(self) -> None:
        """Raise TamperDetected naming the first bad entry when verification failed."""
        first = self.first_problem
        if first is not None:
            raise TamperDetected(first.seq, f"{first.kind.value}: {first.detail}")


Progress = Callable[[int, int], None]


def verify_store(store: Store, *, origin: str, verifier_keys: Sequence[str],
                 keys_trusted: bool, checkpoint_notes: Sequence[str] = (),
                 progress: Progress | None = None, columns: bool = True) -> VerifyReport:
    """Verify everything ``store`` holds against itself, its checkpoints and exported notes.

    ``columns=False`` skips the second pass (searchable columns and resource index against
    the hashed bytes); the tamper evidence itself, the first pass, always runs.
    """
    raw = store.engine.raw_connection()
    try:
        dbapi: Any = raw.driver_connection
        pg = store.dialect == "postgresql"
        if pg:
            dbapi.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        else:
            dbapi.execute("BEGIN")
        scan = _Scan(dbapi, pg, origin, verifier_keys, checkpoint_notes, progress)
        scan.run()
        if columns:
            scan.problems.extend(_column_problems(store, scan.size))
        if pg:
            dbapi.rollback()
        else:
            dbapi.execute("ROLLBACK")
    finally:
        raw.close()
    return VerifyReport(
        size=scan.size, root_hash=scan.root, entries_checked=scan.entries_checked,
        nodes_checked=scan.nodes_checked, checkpoints_checked=scan.checkpoints_checked,
        notes_checked=len(checkpoint_notes), keys_trusted=keys_trusted,
        problems=_order(scan.problems))


def _order(problems: list[Problem]) -> tuple[Problem, ...]:
    """Sort by seq, preferring a precise finding inside a range finding that covers it."""
    def key(p: Problem) -> tuple[int, int]:
        seq = p.seq if p.seq is not None else 1 << 62
        for other in problems:
            if (other is not p and other.seq is not None and p.last_seq is not None
                    and seq <= other.seq <= p.last_seq and other.last_seq in (None, other.seq)):
                seq = other.seq
                return seq, 1
        return seq, 0
    return tuple(sorted(problems, key=key))


class _Scan:
    """The streaming pass over entries, nodes and checkpoints."""

    def __init__(self, dbapi: Any, pg: bool, origin: str, keys: Sequence[str],
                 notes: Sequence[str], progress: Progress | None) -> None:
        self.db = dbapi
        self.pg = pg
        self.origin = origin
        self.keys = keys
        self.notes = notes
        self.progress = progress
        self.problems: list[Problem] = []
        self.size = 0
        self.root = EMPTY_ROOT
        self.entries_checked = 0
        self.nodes_checked = 0
        self.checkpoints_checked = 0
        self._good_mark = 0

    def _query(self, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
        """Run a small query and return all rows."""
        cur = self.db.cursor()
        try:
            cur.execute(sql.replace("?", "%s") if self.pg else sql, params)
            return list(cur.fetchall())
        finally:
            cur.close()

    def run(self) -> None:
        """Scan; stop at the first problem in the entry stream (later ones are its echoes)."""
        head = self._query("SELECT size FROM audit_head WHERE id = 1")
        self.size = int(head[0][0]) if head else 0
        marks = self._marks()
        acc = MerkleAccumulator()
        self._check_marks(marks, acc)
        if not self.problems:
            self._stream(acc, marks)
        self.root = acc.root() if acc.size == self.size else EMPTY_ROOT
        if not self.problems:
            self._check_tail()

    def _marks(self) -> dict[int, list[tuple[str, bytes, str]]]:
        """Collect tree sizes to check the root at: stored checkpoints and exported notes."""
        marks: dict[int, list[tuple[str, bytes, str]]] = {}
        for size, root, note in self._query(
                "SELECT size, root, note FROM audit_checkpoints ORDER BY size"):
            size, root = int(size), bytes(root)
            self.checkpoints_checked += 1
            opened = self._open(note)
            if opened is None:
                self.problems.append(Problem(
                    ProblemKind.CHECKPOINT_INVALID, None,
                    f"the stored checkpoint at size {size} is not validly signed by this "
                    "log's key: it was forged or altered"))
                continue
            if opened.size != size or opened.root_hash != root:
                self.problems.append(Problem(
                    ProblemKind.CHECKPOINT_INVALID, None,
                    f"the stored checkpoint row at size {size} disagrees with its own signed "
                    "note: the row was altered"))
            marks.setdefault(opened.size, []).append(
                ("stored checkpoint", opened.root_hash, note))
        for note in self.notes:
            opened = self._open(note)
            if opened is None:
                self.problems.append(Problem(
                    ProblemKind.CHECKPOINT_INVALID, None,
                    "an exported checkpoint note does not carry a valid signature by this "
                    "log's key for this origin"))
                continue
            marks.setdefault(opened.size, []).append(
                ("exported checkpoint", opened.root_hash, note))
        return marks

    def _open(self, note: str) -> Any:
        """Return the checkpoint a note carries if any trusted key signed it, else None."""
        for key in self.keys:
            try:
                return open_signed_checkpoint(note, key, origin=self.origin)
            except CheckpointError:
                continue
        return None

    def _check_marks(self, marks: dict[int, list[tuple[str, bytes, str]]],
                     acc: MerkleAccumulator) -> None:
        """Flag checkpoints beyond the log's end (truncation) and check size 0."""
        for size, found in marks.items():
            if size > self.size:
                what = found[0][0]
                self.problems.append(Problem(
                    ProblemKind.TRUNCATED, self.size,
                    f"a {what} covers {size} entries but the log has {self.size}: entries "
                    f"{self.size}..{size - 1} were removed (truncation or rollback)",
                    size - 1))
        for what, root, _note in marks.get(0, []):
            if root != acc.root():
                self.problems.append(Problem(ProblemKind.CHECKPOINT_MISMATCH, 0,
                                             f"a {what} of the empty log has a wrong root"))

    def _stream(self, acc: MerkleAccumulator,
                marks: dict[int, list[tuple[str, bytes, str]]]) -> None:
        """Check entries batch by batch against leaf hashes, nodes and checkpoints.

        A batch that starts where the previous one ended covers an aligned range of
        BATCH (a power of two) leaves, so its subtrees are hashed bottom-up, level by
        level, and compared with the stored nodes as whole lists. Any disagreement sends
        the batch through the entry-by-entry check, which names the first bad entry.
        """
        expected = 0
        self._good_mark = 0
        for rows in self._entry_batches():
            if not self._fast_batch(rows, acc, marks, expected):
                expected = self._slow_batch(rows, acc, marks, expected)
                if expected < 0:
                    return
            else:
                expected += len(rows)
            self.entries_checked = expected
            if self.progress is not None:
                self.progress(expected, self.size)
        if expected < self.size:
            self._flag(ProblemKind.MISSING, expected,
                       f"the head says {self.size} entries but only {expected} exist "
                       "(entries were deleted)")

    def _fast_batch(self, rows: list[Any], acc: MerkleAccumulator,
                    marks: dict[int, list[tuple[str, bytes, str]]], start: int) -> bool:
        """Check a clean aligned batch in bulk; return False (changing nothing) if unsure."""
        n = len(rows)
        end = start + n
        if start % BATCH or end > self.size or (n != BATCH and end != self.size):
            return False
        if [int(r[0]) for r in rows] != list(range(start, end)):
            return False
        raws = [bytes(r[1]) for r in rows]
        sha256 = hashlib.sha256
        level_hashes = [sha256(b"\x00" + raw).digest() for raw in raws]
        if level_hashes != [bytes(r[2]) for r in rows]:
            return False
        mark = _SEQ_MARK
        if [raw[raw.rfind(mark) + 7:raw.find(b",", raw.rfind(mark) + 7)] for raw in raws] != [
                str(seq).encode() for seq in range(start, end)]:
            return False
        levels = [level_hashes]
        checked = 0
        level = 0
        while len(level_hashes) >= 2:
            level += 1
            pairs = level_hashes
            level_hashes = [sha256(b"\x01" + pairs[i] + pairs[i + 1]).digest()
                            for i in range(0, len(pairs) - 1, 2)]
            lo = start >> level
            stored = self._query("SELECT hash FROM audit_nodes WHERE level = ? AND idx >= ? "
                                 "AND idx < ? ORDER BY idx", (level, lo, lo + len(level_hashes)))
            if [bytes(h) for (h,) in stored] != level_hashes:
                return False
            checked += len(level_hashes)
            levels.append(level_hashes)
        before = {(node.level, node.index): node.hash for node in acc.frontier()}

        def node(level: int, index: int) -> bytes:
            if index << level >= start:
                return levels[level][index - (start >> level)]
            return before[(level, index)]

        good_mark = self._good_mark
        for size in sorted(m for m in marks if start < m <= end):
            root = root_at(size, node)
            if not all(hmac.compare_digest(root, r) for _what, r, _note in marks[size]):
                return False
            good_mark = size
        above: list[Any] = []
        trial = MerkleAccumulator.from_frontier(start, acc.frontier())
        for lv, ix in frontier_positions(n):
            above.extend(trial.append_subtree(lv, levels[lv][ix])[1:])
        for done in above:
            stored_node = self._query("SELECT hash FROM audit_nodes WHERE level = ? AND idx = ?",
                                      (done.level, done.index))
            if not stored_node or not hmac.compare_digest(bytes(stored_node[0][0]), done.hash):
                return False
        checked += len(above)
        for lv, ix in frontier_positions(n):
            acc.append_subtree(lv, levels[lv][ix])
        self.nodes_checked += checked
        self._good_mark = good_mark
        return True

    def _slow_batch(self, rows: list[Any], acc: MerkleAccumulator,
                    marks: dict[int, list[tuple[str, bytes, str]]], expected: int) -> int:
        """Check a batch entry by entry; return the next expected seq, or -1 after a problem."""
        sha256 = hashlib.sha256
        start = expected
        stored_nodes = self._nodes_for(start, start + len(rows))
        good_mark = self._good_mark
        for seq, raw, stored_leaf in rows:
            seq = int(seq)
            if seq != expected:
                if seq > expected:
                    self._flag(ProblemKind.MISSING, expected,
                               f"entry {expected} is missing (deleted)"
                               if expected < self.size else
                               f"entry {seq} exists beyond the log's head of {self.size}"
                               " (inserted)")
                else:
                    self._flag(ProblemKind.INSERTED, seq, f"entry {seq} appears twice")
                return -1
            if seq >= self.size:
                self._flag(ProblemKind.INSERTED, seq,
                           f"entry {seq} exists beyond the log's head of {self.size} "
                           "(inserted, or the head was rolled back)")
                return -1
            raw = bytes(raw)
            leaf = sha256(b"\x00" + raw).digest()
            if leaf != bytes(stored_leaf):
                self._flag(ProblemKind.MODIFIED, seq,
                           f"entry {seq}'s bytes do not match its recorded leaf hash "
                           "(the entry was modified)")
                return -1
            inner = _inner_seq(raw)
            if inner != seq:
                # an entry from an earlier position means rows from there on moved
                self._flag(ProblemKind.REORDERED if inner is not None else
                           ProblemKind.MODIFIED, min(seq, inner if inner is not None
                                                     else seq),
                           f"the entry stored at {seq} is entry {inner} (entries were "
                           "moved, swapped or inserted)" if inner is not None else
                           f"entry {seq} is not a well-formed audit entry")
                return -1
            for node in acc.append(leaf)[1:]:
                stored = stored_nodes.pop((node.level, node.index), None)
                if stored is None:
                    stored = self._stored_node(node.level, node.index)
                self.nodes_checked += 1
                if stored is None or not hmac.compare_digest(stored, node.hash):
                    first = node.index << node.level
                    last = first + (1 << node.level) - 1
                    self._flag(ProblemKind.TREE_MISMATCH, max(first, good_mark),
                               f"entries {first}..{last} do not hash to the stored Merkle "
                               f"node ({node.level}, {node.index})"
                               + (" (missing)" if stored is None else ""), last)
                    return -1
            expected += 1
            found = marks.get(expected)
            if found:
                root = acc.root()
                for what, mark_root, _note in found:
                    if not hmac.compare_digest(root, mark_root):
                        self._flag(ProblemKind.CHECKPOINT_MISMATCH, good_mark,
                                   f"entries 0..{expected - 1} do not hash to the root of "
                                   f"the {what} at size {expected}: entries after "
                                   f"{good_mark - 1 if good_mark else 'the start'} were "
                                   "rewritten or rolled back", expected - 1)
                        return -1
                good_mark = expected
            self._good_mark = good_mark
        return expected

    def _stored_node(self, level: int, index: int) -> bytes | None:
        """Return one stored node, or None when it is missing."""
        found = self._query("SELECT hash FROM audit_nodes WHERE level = ? AND idx = ?",
                            (level, index))
        return bytes(found[0][0]) if found else None

    def _flag(self, kind: ProblemKind, seq: int, detail: str, last: int | None = None) -> None:
        """Record a finding."""
        self.problems.append(Problem(kind, seq, detail, last if last is not None else seq))

    def _entry_batches(self) -> Iterator[list[Any]]:
        """Yield entry rows (seq, entry, leaf_hash) in seq order, BATCH at a time."""
        sql = "SELECT seq, entry, leaf_hash FROM audit_entries ORDER BY seq"
        cur = self.db.cursor(name="audit_verify") if self.pg else self.db.cursor()
        try:
            cur.execute(sql)
            while rows := cur.fetchmany(BATCH):
                yield rows
        finally:
            cur.close()

    def _nodes_for(self, start: int, end: int) -> dict[tuple[int, int], bytes]:
        """Return the stored nodes completed by leaves [start, end)."""
        found: dict[tuple[int, int], bytes] = {}
        for level in range(1, end.bit_length()):
            lo, hi = start >> level, (end >> level) - 1
            if hi >= lo:
                for idx, value in self._query(
                        "SELECT idx, hash FROM audit_nodes WHERE level = ? AND idx BETWEEN ? "
                        "AND ?", (level, lo, hi)):
                    found[(level, int(idx))] = bytes(value)
        return found

    def _check_tail(self) -> None:
        """Flag nodes or resources for entries that do not exist (truncated behind them)."""
        size = self.size
        for level, idx in self._query(
                "SELECT level, idx FROM audit_nodes WHERE level >= 1 "
                "AND (idx + 1) * (CAST(1 AS BIGINT) << level) > ? LIMIT 1", (size,)):
            self._flag(ProblemKind.TRUNCATED, size,
                       f"the Merkle node ({level}, {idx}) covers entries beyond the log's "
                       f"{size} (entries were truncated or the head rolled back)")


def _inner_seq(raw: bytes) -> int | None:
    """Return the seq written inside canonical entry bytes (sorted keys put it near the end)."""
    pos = raw.rfind(_SEQ_MARK)
    if pos < 0:
        return None
    start = pos + len(_SEQ_MARK)
    end = raw.find(b",", start)
    digits = raw[start:end if end >= 0 else len(raw) - 1]
    return int(digits) if digits.isdigit() else None


def _column_problems(store: Store, size: int) -> list[Problem]:
    """Compare searchable columns and resource rows with the hashed bytes, in the database."""
    # The SQL below is assembled from module constants only; values go in as parameters.
    pg = store.dialect == "postgresql"
    doc = "convert_from(entry, 'UTF8')::jsonb" if pg else "CAST(entry AS TEXT)"
    if pg:
        cols = " OR ".join(f"j->>'{c}' IS DISTINCT FROM {c}" for c in _COLUMNS)
        column_sql = (f"SELECT min(seq) FROM (SELECT *, {doc} AS j FROM audit_entries "  # noqa: S608
                      f"WHERE seq < :size) s WHERE {cols}")
        blob_res = (f"SELECT seq, r->>'kind' AS kind, r->>'id' AS rid FROM audit_entries, "  # noqa: S608
                    f"jsonb_array_elements({doc}->'resources') AS r WHERE seq < :size")
    else:
        cols = " OR ".join(f"json_extract(j, '$.{c}') IS NOT {c}" for c in _COLUMNS)
        column_sql = (f"SELECT min(seq) FROM (SELECT *, {doc} AS j FROM audit_entries "  # noqa: S608
                      f"WHERE seq < :size) WHERE {cols}")
        blob_res = (f"SELECT e.seq AS seq, json_extract(r.value, '$.kind') AS kind, "  # noqa: S608
                    f"json_extract(r.value, '$.id') AS rid FROM audit_entries e, "
                    f"json_each({doc}, '$.resources') r WHERE e.seq < :size")
    table_res = "SELECT seq, kind, resource_id FROM audit_resources WHERE seq < :size"
    # the resources named by the bytes are extracted once and compared both ways
    resource_sql = (f"WITH b AS MATERIALIZED ({blob_res}) SELECT "  # noqa: S608
                    f"(SELECT min(seq) FROM (SELECT seq, kind, rid FROM b EXCEPT {table_res}) x),"
                    f" (SELECT min(seq) FROM ({table_res} EXCEPT SELECT seq, kind, rid FROM b) y)")
    checks = [
        (column_sql, ("the searchable columns of entry {seq} differ from its hashed bytes "
                      "(the row was edited)",)),
        (resource_sql,
         ("a resource of entry {seq} is missing from the resource index (it was deleted)",
          "the resource index lists a resource entry {seq} does not name (it was inserted)")),
    ]
    problems = []
    with store.engine.connect() as conn:
        for sql, details in checks:
            try:
                found = conn.execute(text(sql), {"size": size}).one()
            except Exception:  # noqa: BLE001 - malformed JSON is itself tampering
                conn.rollback()
                problems.append(Problem(ProblemKind.COLUMN_MISMATCH, None,
                                        "an entry's bytes are not valid JSON; the entry "
                                        "stream check names which"))
                continue
            for seq, detail in zip(found, details, strict=True):
                if seq is not None:
                    problems.append(Problem(ProblemKind.COLUMN_MISMATCH, int(seq),
                                            detail.format(seq=int(seq)), int(seq)))
    return problems
