"""Verify a stored audit log end to end and name the first entry that cannot be trusted.

Every leaf hash is recomputed from the stored canonical bytes and compared with the row,
the seq inside the bytes with the row's, and the tree is rebuilt and compared with every
stored node, every stored checkpoint (root and signature) and every exported checkpoint
note the caller supplies (``audit.verify_scan``). The searchable columns and resource rows
must say what the hashed bytes say: that is checked in the same pass, by the statement
that reads each batch of entries, in the database; a batch that is not clean is checked
again precisely (``audit.verify_columns``).

Every read goes through one read-only snapshot (``audit.verify_snapshot``), so entries
appended while verification runs are neither checked nor mistaken for tampering: the
report describes the log as it was when verification started.

Large logs are split into up to ``RANGES_PER_WORKER`` aligned ranges per process, checked by
several processes (``workers``): this process and the workers take the next unchecked range
from a shared counter until none is left, so a worker that starts late (a new interpreter
takes most of a second) or runs on a busier CPU takes fewer ranges instead of finishing
last. Each range
after the first starts from the stored frontier at its start, which the range before it
checks; the ranges' findings are combined so the first bad seq is still named exactly.
Memory stays flat in every process: one batch of rows at a time.

Security caveats: entries after the newest signed checkpoint are protected only by the
stored nodes, which a database writer can recompute; export checkpoints often. A checkpoint
is only as good as the verifier key it is checked with: pass keys obtained out of band.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from audit.checkpoint import foreign_note_reason, open_signed_checkpoint
from audit.errors import CheckpointError, TamperDetected
from audit.merkle import EMPTY_ROOT, MerkleAccumulator, Node
from audit.problems import Problem, ProblemKind
from audit.rollback import SignedMark, broken_sizes, rollback_problems
from audit.verify_scan import Marks, RangeResult, scan_range, split_ranges
from audit.verify_snapshot import ReadSnapshot, read_snapshot

if TYPE_CHECKING:
    from audit.store import Store

__all__ = ["BATCH", "PARALLEL_MIN", "Problem", "ProblemKind", "VerifyReport", "verify_store"]

BATCH = 1 << 14  # a power of two: batches are aligned subtrees
PARALLEL_MIN = 1 << 17  # logs this large are split over two processes by default
RANGES_PER_WORKER = 32  # ranges shared out per process: small enough to finish together
_WORKER_WAIT = 1.0  # seconds between checks that a worker process is still alive


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
    signed_size: int = 0
    """Entries 0..signed_size - 1 are under a validly signed checkpoint that matched; later
    ones were checked only against the stored tree, which a database writer can recompute."""

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
            raise TamperDetected(first.seq, f"{first.kind.value}: {first.detail}",
                                 last_seq=first.range_end)


Progress = Callable[[int, int], None]


def verify_store(store: Store, *, origin: str, verifier_keys: Sequence[str],
                 keys_trusted: bool, checkpoint_notes: Sequence[str] = (),
                 progress: Progress | None = None, columns: bool = True,
                 workers: int | None = None) -> VerifyReport:
    """Verify everything ``store`` holds against itself, its checkpoints and exported notes.

    ``columns=False`` skips checking the searchable columns and resource index against the
    hashed bytes; the tamper evidence itself always runs.
    ``workers`` is the number of processes (default: two for logs of ``PARALLEL_MIN``
    entries or more on a machine with several CPUs, else one).
    """
    with read_snapshot(store.engine) as snap:
        return _verify_in(snap, store, origin=origin, verifier_keys=verifier_keys,
                          keys_trusted=keys_trusted, checkpoint_notes=checkpoint_notes,
                          progress=progress, columns=columns, workers=workers)


def _verify_in(snap: ReadSnapshot, store: Store, *, origin: str,
               verifier_keys: Sequence[str], keys_trusted: bool,
               checkpoint_notes: Sequence[str], progress: Progress | None, columns: bool,
               workers: int | None) -> VerifyReport:
    """Verify the log as ``snap`` sees it."""
    head = _Head(snap, origin, verifier_keys, checkpoint_notes)
    size, batch = head.size, BATCH
    if workers is None:
        workers = 2 if size >= PARALLEL_MIN and (os.cpu_count() or 1) > 1 else 1
    problems = list(head.problems)
    # ranges of whole batches shared out to several processes, or one range
    parts = RANGES_PER_WORKER * workers if workers > 1 else 1
    ranges = split_ranges(size, parts, batch) if size else []
    results: list[RangeResult] = []
    if ranges:  # also when the head is bad: an earlier bad entry must still be named
        results, range_columns = _run_ranges(snap, store, ranges, size, head.marks, batch,
                                             columns, progress, workers)
        problems.extend(_combine(results))
        if columns:
            problems.extend(range_columns)
    tree_clean = not any(p.kind != ProblemKind.COLUMN_MISMATCH for p in problems)
    root = EMPTY_ROOT
    if tree_clean and results and results[-1].end_frontier:
        nodes = [Node(*n) for n in results[-1].end_frontier]
        root = MerkleAccumulator.from_frontier(size, nodes).root()
    if tree_clean:
        problems.extend(head.tail_problems())
    problems.extend(rollback_problems(head.signed, broken_sizes(problems)))
    entries_checked, nodes_checked = 0, 0
    for result in results:
        entries_checked += result.entries_checked
        nodes_checked += result.nodes_checked
        if result.problems:
            break
    return VerifyReport(
        size=size, root_hash=root, entries_checked=entries_checked,
        nodes_checked=nodes_checked, checkpoints_checked=head.checkpoints_checked,
        notes_checked=len(checkpoint_notes), keys_trusted=keys_trusted,
        problems=_order(problems),
        signed_size=max((m for m in head.marks if m <= size), default=0) if not problems
        else 0)


def _combine(results: list[RangeResult]) -> list[Problem]:
    """Return the findings of the first range that has any (later ones may be its echoes).

    A range that starts from a stored frontier other than the one the range before it
    computed is reported at its start (only concurrent tampering can cause that).
    """
    previous: RangeResult | None = None
    for result in results:
        if result.problems:
            return list(result.problems)
        if previous is not None and previous.end_frontier != result.start_frontier:
            return [Problem(ProblemKind.TREE_MISMATCH, result.lo,
                            f"the stored Merkle frontier at {result.lo} changed while it "
                            "was being verified", result.lo)]
        previous = result
    return []


def _run_ranges(snap: ReadSnapshot, store: Store, ranges: list[tuple[int, int]], size: int,
                marks: Marks, batch: int, columns: bool, progress: Progress | None,
                workers: int = 1) -> tuple[list[RangeResult], list[Problem]]:
    """Scan the ranges here and in ``workers - 1`` spawned processes; return them in order.

    Every process takes the next unchecked range from one shared counter. The workers join
    ``snap`` where the database allows (PostgreSQL); ``snap`` stays open until every
    worker has reported, as joining requires. Ranges a worker took but never reported (it
    died) are checked here once no worker is left.
    """
    count = len(ranges)
    done = [0] * count
    results: dict[int, RangeResult] = {}
    found_columns: list[Problem] = []
    helpers = min(workers, count) - 1
    ctx = _context() if helpers else None
    inbox: Any = ctx.Queue() if ctx is not None else None
    taken: Any = ctx.Value("q", 0) if ctx is not None else _Counter()
    procs: list[Any] = []
    if ctx is not None:
        url = store.engine.url.render_as_string(hide_password=False)
        shared = snap.export()
        for _ in range(helpers):
            proc = ctx.Process(target=_worker, name="audit-verify",
                               args=(url, shared, ranges, size, marks, batch, columns, taken,
                                     inbox), daemon=True)
            proc.start()
            procs.append(proc)

    def drain() -> None:
        while inbox is not None:
            try:
                message = inbox.get_nowait()
            except queue.Empty:
                break
            _receive(message, done, results, found_columns)

    def scan(k: int) -> None:
        def report(count: int) -> None:
            done[k] = count
            drain()
            if progress is not None:
                progress(sum(done), size)

        lo, hi = ranges[k]
        results[k], more = _scan_here(snap, lo, hi, size, marks, batch, columns, report)
        done[k] = results[k].entries_checked
        found_columns.extend(more)

    while (k := _take(taken, count)) is not None:
        scan(k)
    while len(results) < count:
        try:
            _receive(inbox.get(timeout=_WORKER_WAIT), done, results, found_columns)
        except queue.Empty:
            pass
        if not any(proc.is_alive() for proc in procs) and inbox.empty():
            for k in range(count):  # a worker died: check what it took here instead
                if k not in results:
                    scan(k)
        if progress is not None:
            progress(sum(done), size)
    for proc in procs:
        if proc.is_alive():  # every range is checked: a worker still starting has none left
            proc.terminate()
        proc.join()
    return [results[k] for k in range(count)], found_columns


class _Counter:
    """The shared range counter's interface, for one process."""

    def __init__(self) -> None:
        self.value = 0

    def get_lock(self) -> contextlib.nullcontext[None]:
        return contextlib.nullcontext()


def _take(taken: Any, count: int) -> int | None:
    """Return the index of the next unchecked range and count it taken; None when none left."""
    with taken.get_lock():
        k = int(taken.value)
        if k >= count:
            return None
        taken.value = k + 1
    return k


def _context() -> Any:
    """Return the fork server's context where there is one (fast, thread-safe), else spawn."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["audit.verify"])
    return ctx


def _receive(message: tuple[Any, ...], done: list[int], results: dict[int, RangeResult],
             found_columns: list[Problem]) -> None:
    """Record a worker's progress or final result."""
    if message[0] == "progress":
        done[message[1]] = message[2]
    elif message[0] == "done":
        _, k, result, more = message
        results[k] = result
        done[k] = result.entries_checked
        found_columns.extend(more)


def _scan_here(snap: ReadSnapshot, lo: int, hi: int, size: int, marks: Marks, batch: int,
               columns: bool, progress: Callable[[int], None]
               ) -> tuple[RangeResult, list[Problem]]:
    """Scan one range (and check its columns) in this process's snapshot."""
    result = scan_range(snap.db, snap.pg, lo=lo, hi=hi, size=size, marks=marks,
                        good_mark=_good_mark(marks, lo), batch=batch, progress=progress,
                        columns=columns)
    return result, list(result.column_problems)


def _worker(url: str, shared: str | None, ranges: list[tuple[int, int]], size: int,
            marks: Marks, batch: int, columns: bool, taken: Any, outbox: Any) -> None:
    """Scan ranges in a spawned process, in the snapshot ``shared``, until none is left.

    Without a shared snapshot (SQLite) the worker reads only rows of the ranges it takes
    and the nodes over them, which appends never change.
    """
    from audit.engine import make_engine

    engine = make_engine(url)
    try:
        with read_snapshot(engine, join=shared) as snap:
            while (k := _take(taken, len(ranges))) is not None:
                lo, hi = ranges[k]

                def report(count: int, k: int = k) -> None:
                    outbox.put(("progress", k, count))

                result = scan_range(snap.db, snap.pg, lo=lo, hi=hi, size=size, marks=marks,
                                    good_mark=_good_mark(marks, lo), batch=batch,
                                    progress=report, columns=columns)
                outbox.put(("done", k, result, list(result.column_problems)))
    finally:
        engine.dispose()


def _good_mark(marks: Marks, lo: int) -> int:
    """Return the largest checkpoint size at or before ``lo`` (proven by earlier ranges)."""
    return max((m for m in marks if m <= lo), default=0)


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


class _Head:
    """The log's size and the roots that must hold at checkpoint sizes, read once."""

    def __init__(self, snap: ReadSnapshot, origin: str, keys: Sequence[str],
                 notes: Sequence[str]) -> None:
        self.origin = origin
        self.keys = keys
        self.notes = notes
        self.problems: list[Problem] = []
        self.signed: list[SignedMark] = []
        self.checkpoints_checked = 0
        self._query = snap.query
        head = self._query("SELECT size FROM audit_head WHERE id = 1")
        self.size = int(head[0][0]) if head else 0
        found = self._marks()
        self._check_marks(found)
        self.marks: Marks = {size: [(what, root) for what, root, _note in items]
                             for size, items in found.items()}

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
                    ProblemKind.CHECKPOINT_INVALID, None, self._stored_refusal(size, note)))
                continue
            if opened.size != size or opened.root_hash != root:
                self.problems.append(Problem(
                    ProblemKind.CHECKPOINT_INVALID, None,
                    f"the stored checkpoint row at size {size} disagrees with its own signed "
                    "note: the row was altered"))
            marks.setdefault(opened.size, []).append(
                ("stored checkpoint", opened.root_hash, note))
            self._keep_signed("stored checkpoint", opened)
        for number, note in enumerate(self.notes, start=1):
            opened = self._open(note)
            if opened is None:
                self.problems.append(Problem(
                    ProblemKind.CHECKPOINT_INVALID, None, self._refusal(number, note)))
                continue
            marks.setdefault(opened.size, []).append(
                ("exported checkpoint", opened.root_hash, note))
            self._keep_signed("exported checkpoint", opened)
        return marks

    def _keep_signed(self, what: str, opened: Any) -> None:
        """Remember when a validly signed checkpoint was signed (to place a rollback)."""
        mark = SignedMark.from_checkpoint(what, opened)
        if mark is not None:
            self.signed.append(mark)

    def _open(self, note: str) -> Any:
        """Return the checkpoint a note carries if any trusted key signed it, else None."""
        for key in self.keys:
            try:
                return open_signed_checkpoint(note, key, origin=self.origin)
            except CheckpointError:
                continue
        return None

    def _stored_refusal(self, size: int, note: str) -> str:
        """Say why the stored checkpoint at ``size`` was not accepted.

        A note with no signature by a trusted key was re-signed by someone else, or the
        key given is not this log's: the note alone cannot tell which, so both are said.
        """
        reason = foreign_note_reason(note, self.keys, origin=self.origin)
        if reason is None:
            return (f"the stored checkpoint at size {size} is not validly signed by this "
                    "log's key: it was forged or altered")
        return (f"the stored checkpoint at size {size} is not signed by a trusted key: "
                f"{reason}; it was re-signed with another key, or the verifier key "
                "given is not this log's")

    def _refusal(self, number: int, note: str) -> str:
        """Say why exported note ``number`` (counting from 1) was not accepted."""
        reason = foreign_note_reason(note, self.keys, origin=self.origin)
        if reason is None:
            return (f"the exported checkpoint {number} carries this log's signature but it "
                    "does not verify: the note was altered or forged")
        return f"the exported checkpoint {number} is not a checkpoint of this log: {reason}"

    def _check_marks(self, marks: dict[int, list[tuple[str, bytes, str]]]) -> None:
        """Flag checkpoints beyond the log's end (truncation) and check size 0."""
        for size, found in marks.items():
            if size > self.size:
                what = found[0][0]
                article = "an" if what.startswith("e") else "a"
                self.problems.append(Problem(
                    ProblemKind.TRUNCATED, self.size,
                    f"{article} {what} covers {size} entries but the log has {self.size}: entries "
                    f"{self.size}..{size - 1} were removed (truncation or rollback)",
                    size - 1))
        for what, root, _note in marks.get(0, []):
            if root != EMPTY_ROOT:
                self.problems.append(Problem(ProblemKind.CHECKPOINT_MISMATCH, 0,
                                             f"the {what} of the empty log has a wrong root"))

    def tail_problems(self) -> list[Problem]:
        """Flag rows beyond the head: entries, or nodes covering entries that do not exist."""
        size = self.size
        problems = []
        beyond = self._query("SELECT min(seq) FROM audit_entries WHERE seq >= ?", (size,))
        if beyond and beyond[0][0] is not None:
            seq = int(beyond[0][0])
            problems.append(Problem(
                ProblemKind.INSERTED, seq, f"entry {seq} exists beyond the log's head of "
                f"{size} (inserted, or the head was rolled back)", seq))
        for level, idx in self._query(
                "SELECT level, idx FROM audit_nodes WHERE level >= 1 "
                "AND (idx + 1) * (CAST(1 AS BIGINT) << level) > ? LIMIT 1", (size,)):
            problems.append(Problem(
                ProblemKind.TRUNCATED, size,
                f"the Merkle node ({level}, {idx}) covers entries beyond the log's "
                f"{size} (entries were truncated or the head rolled back)", size))
        return problems
