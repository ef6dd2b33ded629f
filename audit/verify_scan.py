"""Verify one aligned range of entries against the stored tree: the work of one process.

``scan_range`` checks entries ``lo``..``hi - 1`` batch by batch (a batch is an aligned
power-of-two range, so it is a perfect subtree): leaf hashes recomputed from the bytes and
compared with the stored ones, the seq written inside the bytes, every stored node the
batch completes, and every checkpoint root that falls inside it. A range that does not
start at 0 starts from the stored frontier at ``lo``; the range before it checks those
nodes, and the caller compares that range's final frontier with this one's start.

With ``columns`` the same pass also checks the searchable columns and the resource index
against the bytes, so every entry is read and parsed once. On SQLite one statement per
batch compares each stored leaf hash with the one recomputed here and the fields parsed
from the bytes with the row's columns and resource rows; on PostgreSQL the statement that
reads a batch's rows for the tree check says for each whether its columns and resource
rows are clean. A batch that does not come out clean is checked again precisely (entry by
entry for the tree, and the set-based column check of ``audit.verify_columns``), which
names the first bad seq.

Any doubt sends a batch through the entry-by-entry check, which names the first bad entry.
Memory stays flat: one batch of rows and hashes at a time.
"""

from __future__ import annotations

import hashlib
import hmac
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from audit.merkle import MerkleAccumulator, Node, frontier_positions, root_at
from audit.problems import Problem, ProblemKind
from audit.verify_columns import COLUMNS, column_problems
from audit.verify_snapshot import ReadSnapshot

Marks = dict[int, list[tuple[str, bytes]]]
"""Tree sizes with the roots that must hold there: (what, root) from checkpoints."""

_SEQ_MARK = b',"seq":'
_LEAF_PREFIX = hashlib.sha256(b"\x00")  # RFC 6962 leaf hashes start from a copy of this
_ENTRY, _LEAF = itemgetter(1), itemgetter(2)

# One statement per batch (SQLite): how many entries of [?1, ?2) have the leaf hash
# computed here (?3 holds them, 32 bytes each, from ?1) and hold in their columns and
# resource rows what their bytes hold. The bytes' fields come out of one JSON parse as an
# array and are compared with the same array built from the columns; the resource rows
# are listed in the order they were written (their rowid), as the bytes list them, and
# compared with the bytes' resources as JSON (json_quote keeps an array as it is but quotes
# a string, which would otherwise come out as the text it spells). Any difference, a blob
# where text belongs, or bytes that are not JSON keeps a row out of the count (or fails
# the statement), and the batch is then checked precisely. The bytes
# are read as text: SQLite 3.45 and later take a BLOB argument for its binary JSON form.
_CLEAN_SQLITE = (
    "SELECT count(*) FROM audit_entries e WHERE e.seq >= ?1 AND e.seq < ?2 "  # noqa: S608
    "AND e.leaf_hash = substr(?3, (e.seq - ?1) * 32 + 1, 32) "
    "AND json_extract(CAST(e.entry AS TEXT), " + ", ".join(f"'$.{c}'" for c in COLUMNS)
    + ", '$.seq') = json_array(" + ", ".join(f"e.{c}" for c in COLUMNS) + ", e.seq) "
    "AND json_quote(json_extract(CAST(e.entry AS TEXT), '$.resources')) = (SELECT "
    "json_group_array(json_object('id', r.resource_id, 'kind', r.kind)) "
    "FROM audit_resources r WHERE r.seq = e.seq)"
)

# One statement per batch (PostgreSQL): the rows the tree check reads, each with whether
# its columns and resource rows hold what its bytes hold. The bytes are parsed once per
# row (OFFSET 0 keeps the subquery whole) and compared field by field with the columns;
# the resource rows, in the order they were written (ctid, in a table that only grows),
# with the bytes' resources as jsonb. A row that is not clean sends the batch to the
# precise check of ``audit.verify_columns``, which names the first bad seq.
_CHECKED_ROWS_PG = (
    "SELECT seq, entry, leaf_hash, "  # noqa: S608
    + " AND ".join(f"j->>'{c}' IS NOT DISTINCT FROM {c}" for c in COLUMNS)
    + " AND j->'resources' = (SELECT coalesce(jsonb_agg(jsonb_build_object("
    "'id', r.resource_id, 'kind', r.kind) ORDER BY r.ctid), '[]'::jsonb) "
    "FROM audit_resources r WHERE r.seq = s.seq) "
    "FROM (SELECT *, convert_from(entry, 'UTF8')::jsonb AS j FROM audit_entries "
    "WHERE seq >= ? AND seq < ? OFFSET 0) s ORDER BY seq"
)


@dataclass(frozen=True, slots=True)
class RangeResult:
    """What the scan of ``lo``..``hi - 1`` found, and the tree state it ended with."""

    lo: int
    hi: int
    problems: tuple[Problem, ...]
    entries_checked: int
    nodes_checked: int
    start_frontier: tuple[tuple[int, int, bytes], ...]
    end_frontier: tuple[tuple[int, int, bytes], ...]
    column_problems: tuple[Problem, ...] = ()


def scan_range(dbapi: Any, pg: bool, *, lo: int, hi: int, size: int, marks: Marks,
               good_mark: int, batch: int, progress: Callable[[int], None] | None = None,
               columns: bool = False) -> RangeResult:
    """Check entries ``lo``..``hi - 1`` of a log of ``size`` on the driver connection.

    ``columns`` also checks the searchable columns and resource rows of the range, in the
    same pass; their findings are in ``RangeResult.column_problems``.
    """
    scan = _RangeScan(dbapi, pg, size=size, marks=marks, batch=batch, progress=progress,
                      columns=columns)
    return scan.run(lo, hi, good_mark)


class _RangeScan:
    """One pass over an aligned range; stops at the first problem (later ones are echoes)."""

    def __init__(self, dbapi: Any, pg: bool, *, size: int, marks: Marks, batch: int,
                 progress: Callable[[int], None] | None, columns: bool = False) -> None:
        self.snapshot = ReadSnapshot(dbapi, pg)
        self.pg = pg
        self.columns = columns
        self.column_problems: list[Problem] = []
        self._driver_error = sqlite3.Error
        self.size = size
        self.marks = marks
        self.batch = batch
        self.progress = progress
        self.problems: list[Problem] = []
        self.nodes_checked = 0
        self._good_mark = 0
        mark = "%s" if pg else "?"
        self._nodes_equal_sql = (
            "SELECT count(*) FROM audit_nodes WHERE level = ? AND idx >= ? AND idx < ? AND "  # noqa: S608
            + ("hash = substring(?::bytea from ((idx - ?) * 32 + 1)::int for 32)" if pg else
               "hash = substr(?, (idx - ?) * 32 + 1, 32)")).replace("?", mark)

    def run(self, lo: int, hi: int, good_mark: int) -> RangeResult:
        """Scan ``lo``..``hi - 1`` batch by batch."""
        self._good_mark = good_mark
        acc = self._start(lo)
        start_frontier = _plain(acc.frontier()) if acc is not None else ()
        done = lo
        if acc is not None:
            for start in range(lo, hi, self.batch):
                end = min(start + self.batch, hi)
                if self.columns and not self.pg:
                    clean = self._folded_batch(acc, start, end)
                    rows = [] if clean else self._rows(start, end)
                else:
                    rows = (self._checked_rows(start, end) if self.columns
                            else self._rows(start, end))
                    clean = self._fast_batch(rows, acc, start, end)
                if not clean and self._slow_batch(rows, acc, start, end) < 0:
                    break
                rows = []  # let the batch go before the next one is read: one batch at a time
                done = end
                if self.progress is not None:
                    self.progress(done - lo)
        end_frontier = _plain(acc.frontier()) if acc is not None and acc.size == hi else ()
        return RangeResult(lo, hi, tuple(self.problems), done - lo, self.nodes_checked,
                           start_frontier, end_frontier, tuple(self.column_problems))

    def _rows(self, start: int, end: int) -> list[Any]:
        """Return (seq, entry, leaf_hash) of the stored entries in ``start``..``end - 1``."""
        return self.snapshot.query("SELECT seq, entry, leaf_hash FROM audit_entries WHERE seq >= ? "
                           "AND seq < ? ORDER BY seq", (start, end))

    def _checked_rows(self, start: int, end: int) -> list[Any]:
        """Return the rows ``_rows`` returns, checking their columns in the same statement.

        PostgreSQL: each row comes with whether its columns and resource rows hold what its
        bytes hold (``_CHECKED_ROWS_PG``). Unless every row does, the batch's columns are
        checked precisely here; bytes that are not JSON fail the statement, which is then
        undone to a savepoint and the rows read without the check.
        """
        snap = self.snapshot
        snap.execute("SAVEPOINT verify_batch")
        try:
            rows: list[Any] | None = snap.query(_CHECKED_ROWS_PG, (start, end))
        except Exception:  # noqa: BLE001 - bytes that are not JSON: checked precisely below
            snap.execute("ROLLBACK TO SAVEPOINT verify_batch")
            rows = None
        else:
            snap.execute("RELEASE SAVEPOINT verify_batch")
        if rows is None or not all(row[3] for row in rows):
            self.column_problems.extend(column_problems(snap, start, end))
        return rows if rows is not None else self._rows(start, end)

    def _folded_batch(self, acc: MerkleAccumulator, start: int, end: int) -> bool:
        """Check a batch's leaves, inner seqs, columns and resource rows in one pass (SQLite).

        Returns False (changing nothing) unless all of them are clean; the batch's columns
        are then checked precisely here, and its tree by the caller.
        """
        n = end - start
        leaves = _leaf_hashes(self.snapshot.cursor(
            "SELECT entry FROM audit_entries WHERE seq >= ? AND seq < ? ORDER BY seq",
            (start, end)))
        if start % self.batch == 0 and len(leaves) == n:
            try:
                clean = int(self.snapshot.query(
                    _CLEAN_SQLITE, (start, end, b"".join(leaves)))[0][0])
            except self._driver_error:  # bytes that are not JSON: checked precisely below
                clean = -1
            if clean == n and self._bulk_tree(leaves, acc, start, end):
                return True
        self.column_problems.extend(column_problems(self.snapshot, start, end))
        return False

    def _start(self, lo: int) -> MerkleAccumulator | None:
        """Return the accumulator at ``lo`` from the stored frontier (empty at 0)."""
        if lo == 0:
            return MerkleAccumulator()
        found = []
        for level, index in frontier_positions(lo):
            stored = self._stored_node(level, index)
            if stored is None:
                first = index << level
                self._flag(ProblemKind.TREE_MISMATCH, max(first, self._good_mark),
                           f"the Merkle node ({level}, {index}) is missing", lo - 1,
                           located=False)
                return None
            found.append(Node(level, index, stored))
        return MerkleAccumulator.from_frontier(lo, found)

    def _fast_batch(self, rows: list[Any], acc: MerkleAccumulator, start: int,
                    end: int) -> bool:
        """Check a clean aligned batch in bulk; return False (changing nothing) if unsure."""
        n = end - start
        # seq is the primary key and rows come in seq order: n rows from start to end - 1
        # are exactly start, start + 1, ..., end - 1.
        if (start % self.batch or len(rows) != n or int(rows[0][0]) != start
                or int(rows[-1][0]) != end - 1):
            return False
        raws = [bytes(raw) for raw in map(_ENTRY, rows)]
        leaf_prefix = _LEAF_PREFIX
        level_hashes = []
        for raw in raws:
            digest = leaf_prefix.copy()
            digest.update(raw)
            level_hashes.append(digest.digest())
        if level_hashes != [bytes(leaf) for leaf in map(_LEAF, rows)]:
            return False
        # the seq inside the bytes, right before the time near their end
        if not all(raw.find(b',"seq":%d,"time":"' % seq, len(raw) - 80) > 0
                   for raw, seq in zip(raws, range(start, end), strict=True)):
            return False
        return self._bulk_tree(level_hashes, acc, start, end)

    def _bulk_tree(self, level_hashes: list[bytes], acc: MerkleAccumulator, start: int,
                   end: int) -> bool:
        """Check the nodes and checkpoint roots over a batch's verified leaf hashes.

        Returns False (changing nothing) if any differs; otherwise extends ``acc``.
        """
        n = end - start
        sha256 = hashlib.sha256
        levels = [level_hashes]
        checked = 0
        level = 0
        while len(level_hashes) >= 2:
            level += 1
            pairs = iter(level_hashes)
            level_hashes = [sha256(b"\x01" + left + right).digest()
                            for left, right in zip(pairs, pairs, strict=False)]
            lo = start >> level
            # the database compares the stored level with ours (no row reaches Python)
            equal = self.snapshot.query(self._nodes_equal_sql, (level, lo, lo + len(level_hashes),
                                                        b"".join(level_hashes), lo))
            if int(equal[0][0]) != len(level_hashes):
                return False
            checked += len(level_hashes)
            levels.append(level_hashes)
        above: list[Node] = []  # nodes this batch completes that reach back before it
        trial = MerkleAccumulator.from_frontier(start, acc.frontier())
        for lv, ix in frontier_positions(n):
            above.extend(trial.append_subtree(lv, levels[lv][ix])[1:])
        known = {(node.level, node.index): node.hash for node in (*acc.frontier(), *above)}

        def node(level: int, index: int) -> bytes:
            if index << level >= start:
                return levels[level][index - (start >> level)]
            return known[(level, index)]

        good_mark = self._good_mark
        for size in sorted(m for m in self.marks if start < m <= end):
            root = root_at(size, node)
            if not all(hmac.compare_digest(root, r) for _what, r in self.marks[size]):
                return False
            good_mark = size
        for done in above:
            stored = self._stored_node(done.level, done.index)
            if stored is None or not hmac.compare_digest(stored, done.hash):
                return False
        checked += len(above)
        for lv, ix in frontier_positions(n):
            acc.append_subtree(lv, levels[lv][ix])
        self.nodes_checked += checked
        self._good_mark = good_mark
        return True

    def _slow_batch(self, rows: list[Any], acc: MerkleAccumulator, start: int,
                    end: int) -> int:
        """Check a batch entry by entry; return the next expected seq, or -1 after a problem."""
        sha256 = hashlib.sha256
        expected = start
        stored_nodes = self._nodes_for(start, end)
        good_mark = self._good_mark
        for seq, raw, stored_leaf, *_checked in rows:
            seq = int(seq)
            if seq != expected:
                self._flag(ProblemKind.MISSING, expected, f"entry {expected} is missing (deleted)")
                return -1
            raw = bytes(raw)
            leaf = sha256(b"\x00" + raw).digest()
            if leaf != bytes(stored_leaf):
                self._flag(ProblemKind.MODIFIED, seq,
                           f"entry {seq}'s bytes do not match its recorded leaf hash "
                           "(the entry was modified)")
                return -1
            inner = inner_seq(raw)
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
                               + (" (missing)" if stored is None else ""), last,
                               located=False)
                    return -1
            expected += 1
            found = self.marks.get(expected)
            if found:
                root = acc.root()
                for what, mark_root in found:
                    if not hmac.compare_digest(root, mark_root):
                        self._flag(ProblemKind.CHECKPOINT_MISMATCH, good_mark,
                                   self._mismatch_detail(what, expected, good_mark),
                                   expected - 1, located=False)
                        return -1
                good_mark = expected
            self._good_mark = good_mark
        if expected < end:
            self._flag(ProblemKind.MISSING, expected,
                       f"the head says {self.size} entries but entry {expected} does not "
                       "exist (entries were deleted)")
            return -1
        return expected

    def _stored_node(self, level: int, index: int) -> bytes | None:
        """Return one stored node (level 0: an entry's leaf hash), or None when missing."""
        found = self.snapshot.query("SELECT leaf_hash FROM audit_entries WHERE seq = ?", (index,)
                            ) if level == 0 else self.snapshot.query(
            "SELECT hash FROM audit_nodes WHERE level = ? AND idx = ?", (level, index))
        return bytes(found[0][0]) if found else None

    def _flag(self, kind: ProblemKind, seq: int, detail: str, last: int | None = None, *,
              located: bool = True) -> None:
        """Record a finding; ``located=False``: some entry of ``seq``..``last`` is bad."""
        self.problems.append(Problem(kind, seq, detail, last if last is not None else seq,
                                     located))

    def _mismatch_detail(self, what: str, size: int, good_mark: int) -> str:
        """Say which entries a checkpoint's root no longer matches, and what that can tell.

        A root commits to every entry under it at once: it shows that one of the entries
        after the last matching checkpoint differs, never which one.
        """
        matched = ""
        if good_mark:
            earlier = self.marks.get(good_mark)
            name = earlier[0][0] if earlier else "checkpoint"
            matched = f"; entries 0..{good_mark - 1} match the {name} at size {good_mark}"
        return (f"entries 0..{size - 1} do not hash to the root of the {what} at size "
                f"{size}{matched}: at least one of entries {good_mark}..{size - 1} was "
                "rewritten, or the log was rolled back, and a root hash cannot say which "
                "(a checkpoint of fewer entries, or a backup, narrows it down)")

    def _nodes_for(self, start: int, end: int) -> dict[tuple[int, int], bytes]:
        """Return the stored nodes completed by leaves [start, end)."""
        found: dict[tuple[int, int], bytes] = {}
        for level in range(1, end.bit_length()):
            lo, hi = start >> level, (end >> level) - 1
            if hi >= lo:
                for idx, value in self.snapshot.query(
                        "SELECT idx, hash FROM audit_nodes WHERE level = ? AND idx BETWEEN ? "
                        "AND ?", (level, lo, hi)):
                    found[(level, int(idx))] = bytes(value)
        return found


def _leaf_hashes(cursor: Any) -> list[bytes]:
    """Return the RFC 6962 leaf hash of each row's only column, and close the cursor.

    The rows are hashed as the driver hands them over (no list of rows is built), each
    from a copy of the hash state that has already taken the leaf prefix byte.
    """
    leaf_prefix = _LEAF_PREFIX
    leaves: list[bytes] = []
    append = leaves.append
    try:
        for (raw,) in cursor:
            digest = leaf_prefix.copy()
            digest.update(raw)
            append(digest.digest())
    finally:
        cursor.close()
    return leaves


def inner_seq(raw: bytes) -> int | None:
    """Return the seq written inside canonical entry bytes (sorted keys put it near the end)."""
    pos = raw.rfind(_SEQ_MARK)
    if pos < 0:
        return None
    start = pos + len(_SEQ_MARK)
    end = raw.find(b",", start)
    digits = raw[start:end if end >= 0 else len(raw) - 1]
    return int(digits) if digits.isdigit() else None


def split_ranges(size: int, parts: int, batch: int) -> list[tuple[int, int]]:
    """Split ``0..size - 1`` into at most ``parts`` ranges whose starts are batch-aligned."""
    batches = -(-size // batch)
    parts = max(1, min(parts, batches))
    bounds = [min(size, (batches * k // parts) * batch) for k in range(parts + 1)]
    return [(lo, hi) for lo, hi in zip(bounds, bounds[1:], strict=False) if hi > lo]


def _plain(nodes: Sequence[Node]) -> tuple[tuple[int, int, bytes], ...]:
    """Return nodes as plain tuples (they cross process boundaries)."""
    return tuple((n.level, n.index, n.hash) for n in nodes)
