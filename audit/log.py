"""Append to, checkpoint, prove and search one audit log: the package's main entry point.

``AuditLog.open(url, hmac_key=..., signing_key=...)`` gives a thread-safe handle. Appends
from many threads are group-committed (``audit.group_commit``: the first waiting caller
commits the batch in its own thread): each caller is released only after the transaction
holding its entry has committed, so ``append`` returning means the entry is durable. Any
failure to make it durable raises ``AuditUnavailable`` and the caller must refuse the
access (fail closed).

Security caveats: an entry whose commit outcome is unknown (the connection dropped during
COMMIT, or ``append_timeout`` passed) is reported as unavailable although it may have been
recorded; that errs on the side of refusing. There is no retention or deletion: the log
only grows, by design.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError

from audit.checkpoint import (
    Checkpoint,
    CheckpointSigner,
    VerifierKey,
    load_or_create_signing_key,
    open_signed_checkpoint,
    stated_checkpoint,
)
from audit.checkpoint_file import require_replaceable
from audit.entry import (
    AuditEntry,
    AuditEvent,
    IdentifierHasher,
    format_time,
    parse_time,
)
from audit.errors import AuditError, AuditUnavailable, CheckpointError, SigningKeyMissing
from audit.group_commit import Batch, GroupCommit, Request
from audit.merkle import (
    consistency_proof,
    inclusion_proof,
    root_at,
    verify_consistency,
    verify_inclusion,
)
from audit.prepared import PreparedEntry
from audit.schema import checkpoints
from audit.search import AuditQuery, AuditStats, as_query, entry_stats, search_entries
from audit.store import PendingLeaf, Store, unavailable
from audit.verify import VerifyReport, verify_store

_log = logging.getLogger(__name__)

DEFAULT_ORIGIN = "mailguard.local/audit"
MAX_LINGER = 0.002

Clock = Callable[[], datetime]


@dataclass(frozen=True, slots=True)
class Receipt:
    """Proof of a durable append: the entry's position, leaf hash and recorded time."""

    seq: int
    leaf_hash: bytes
    time: str


@dataclass(frozen=True, slots=True)
class SignedCheckpoint:
    """A stored checkpoint: tree size, root, the signed note text and when it was made."""

    origin: str
    size: int
    root_hash: bytes
    note: str
    created_at: str

    def write(self, path: str | os.PathLike[str]) -> Path:
        """Write the note to ``path`` atomically (keep copies where the log's writers can't)."""
        target = Path(path)
        temp = target.with_name(f".{target.name}.tmp")
        with open(temp, "w", encoding="utf-8") as handle:
            handle.write(self.note)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, target)
        return target


@dataclass(frozen=True, slots=True)
class InclusionProof:
    """That the entry at ``seq`` (with ``leaf_hash``) is in the tree of ``tree_size``."""

    seq: int
    tree_size: int
    leaf_hash: bytes
    root_hash: bytes
    hashes: tuple[bytes, ...]
    checkpoint: SignedCheckpoint | None

    def verify(self) -> None:
        """Recompute the root from the path; raise ProofError if it does not match."""
        verify_inclusion(self.leaf_hash, self.seq, self.tree_size, self.hashes, self.root_hash)


@dataclass(frozen=True, slots=True)
class ConsistencyProof:
    """That the tree of ``old_size`` is a prefix of the tree of ``new_size``."""

    old_size: int
    new_size: int
    old_root: bytes
    new_root: bytes
    hashes: tuple[bytes, ...]

    def verify(self) -> None:
        """Check the proof against both roots; raise ProofError if it fails."""
        verify_consistency(self.old_size, self.new_size, self.hashes, self.old_root,
                           self.new_root)


class AuditLog:
    """A durable, tamper-evident audit log in SQLite or PostgreSQL (see the module docstring)."""

    def __init__(self, store: Store, *, hasher: IdentifierHasher | None,
                 signer: CheckpointSigner | None, origin: str, checkpoint_every: int,
                 checkpoint_seconds: float, clock: Clock, append_timeout: float) -> None:
        self.store = store
        self.origin = origin
        self._hasher = hasher
        self._signer = signer
        self._checkpoint_every = checkpoint_every
        self._checkpoint_seconds = checkpoint_seconds
        self._clock = clock
        self._append_timeout = append_timeout
        self._group = GroupCommit(self._commit, timeout=append_timeout,
                                  max_linger=MAX_LINGER,
                                  closed_message="the audit log is closed; the access must "
                                                 "be refused")
        self._checkpoint_lock = threading.Lock()
        self._schedule_lock = threading.Lock()
        latest = self.latest_checkpoint()
        self._last_checkpoint_size = latest.size if latest else 0
        self._last_checkpoint_at: datetime | None = None  # the clock is read only when needed
        self._stopping = threading.Event()
        self._timer: threading.Thread | None = None
        if signer is not None and checkpoint_seconds > 0:
            self._timer = threading.Thread(target=self._checkpoint_timer,
                                           name="audit-checkpoint-timer", daemon=True)
            self._timer.start()

    @classmethod
    def open(cls, url: str | os.PathLike[str], *, hmac_key: bytes | None,
             signing_key: CheckpointSigner | Ed25519PrivateKey | str | os.PathLike[str]
             | None = None,
             origin: str | None = DEFAULT_ORIGIN, checkpoint_every: int = 10_000,
             checkpoint_seconds: float = 300.0, lock_timeout: float = 10.0,
             append_timeout: float = 30.0, clock: Clock | None = None,
             read_only: bool = False, create: bool = True) -> AuditLog:
        """Open (creating if needed) the log at ``url``: a file path or an SQLAlchemy URL.

        :param hmac_key: the identifier-hashing key; required to append and to search by
            mailbox or actor; checked against the key the log was created with.
        :param signing_key: Ed25519 key (or key file path) that signs checkpoints; without
            it the log appends but cannot checkpoint. A missing key file is created only
            for a log no key has signed yet: for a signed log it raises AuditError (a
            mistyped path, or a host without the key, would otherwise start signing with a
            key reviewers do not know). To replace the key on purpose, create the new file
            first (``mailguard audit new-signing-key FILE``) and open with it.
        :param origin: the log's name in its checkpoints; ``None`` adopts the origin the
            database holds (``DEFAULT_ORIGIN`` for a new log).
        :param read_only: review an existing log without writing anything (a copy, a read
            replica, a role that may only SELECT): verify, query, prove and stats work;
            append and checkpoint raise AuditError; ``signing_key`` is not used.
        :param create: ``False`` refuses (AuditError) a database that holds no audit log
            instead of creating one in it, for tools that only review an existing log.
        """
        store = Store.open(Path(url) if isinstance(url, os.PathLike) else url,
                           lock_timeout=lock_timeout, read_only=read_only, create=create)
        # a reader records nothing: settings are only compared with what the log holds
        keep = (lambda key, value: store.meta_get(key) or value) if read_only else (
            store.meta_setdefault)
        try:
            hasher = IdentifierHasher(hmac_key) if hmac_key is not None else None
            if origin is None:
                origin = store.meta_get("origin") or DEFAULT_ORIGIN
            stored_origin = keep("origin", origin)
            if stored_origin != origin:
                raise AuditError(
                    f"this audit log's origin is {stored_origin!r}, not {origin!r}; open it "
                    "with its own origin"
                )
            if hasher is not None:
                key_id = keep("hmac_key_id", hasher.key_id)
                if key_id != hasher.key_id:
                    raise AuditError(
                        "this audit log was created with a different identifier-hashing key; "
                        "open it with the key it was created with"
                    )
            if not read_only:
                _require_key_file_or_unsigned(signing_key, store)
            signer = None if read_only else _signer(signing_key, origin)
            if signer is not None:
                vkey = signer.verifier_key()
                store.meta_setdefault(f"verifier_key:{vkey.split('+')[1]}", vkey)
        except SQLAlchemyError as exc:
            store.close()
            raise unavailable("read its settings", exc) from exc
        except BaseException:
            store.close()
            raise
        return cls(store, hasher=hasher, signer=signer, origin=origin,
                   checkpoint_every=checkpoint_every, checkpoint_seconds=checkpoint_seconds,
                   clock=clock or (lambda: datetime.now(UTC)), append_timeout=append_timeout)

    # -- appending ----------------------------------------------------------------------------

    def append(self, event: AuditEvent | Mapping[str, Any]) -> Receipt:
        """Record ``event``; return once it is durable. Raise AuditUnavailable otherwise.

        A mapping is read with ``AuditEvent.from_dict``: a content-bearing or unknown field
        raises ``ForbiddenField`` and nothing is recorded.
        """
        return self.append_many([event])[0]

    def append_many(self, events: Iterable[AuditEvent | Mapping[str, Any]]) -> list[Receipt]:
        """Record ``events`` atomically as consecutive entries; durable when this returns.

        Every event is checked before any is recorded: one bad event records none.
        """
        batch = [AuditEvent.from_dict(item) if isinstance(item, Mapping) else item
                 for item in events]
        if not batch:
            return []
        hasher = self._hasher
        if hasher is None:
            raise AuditError("open the log with hmac_key=... to append to it")
        for item in batch:
            if not isinstance(item, AuditEvent):
                raise AuditError("append AuditEvent values or mappings of their fields "
                                 "(AuditEvent(...) or AuditEvent.from_dict)")
        # Hashing and encoding happen here, in the caller's thread, not while writers wait.
        prepared = [PreparedEntry.from_event(event, hasher) for event in batch]
        return self._group.submit(prepared)

    def _checkpoint_timer(self) -> None:
        """Checkpoint every T seconds while the log is idle (appends check on each commit)."""
        tick = min(1.0, self._checkpoint_seconds)
        while not self._stopping.wait(tick):
            self._maybe_checkpoint()

    def _commit(self, batch_requests: list[Request], batch: Batch) -> None:
        """Write one batch in one transaction; fill in receipts or the batch's error."""
        items = [(request, prepared) for request in batch_requests
                 for prepared in request.items]
        moment: list[str] = []

        def place(seq: int, item: tuple[Request, PreparedEntry]) -> PendingLeaf:
            if not moment:
                moment.append(format_time(self._clock()))
            return _pending(item[1], seq, moment[0])

        try:
            written = self.store.append(items, place)
        except BaseException as exc:  # noqa: BLE001 - every caller must hear of the failure
            batch.error = exc if isinstance(exc, AuditError) else AuditUnavailable(
                f"the audit log could not build the entry ({type(exc).__name__}); the access "
                "must be refused")
            return
        for (request, _prepared), (seq, leaf) in zip(items, written, strict=True):
            request.results.append(Receipt(seq, leaf.leaf_hash, leaf.time))
        # before releasing: a due checkpoint exists when append returns
        self._maybe_checkpoint(written[-1][0] + 1)

    def close(self) -> None:
        """Finish pending appends, checkpoint new entries if we can sign, release the database."""
        if self._stopping.is_set():
            return
        self._stopping.set()
        self._group.close()
        if self._timer is not None:
            self._timer.join()
        if self._signer is not None:
            try:
                if self.size() > self._last_checkpoint_size:
                    self.checkpoint()
            except AuditError:
                _log.warning("the audit log could not write its closing checkpoint")
        self.store.close()

    def __enter__(self) -> AuditLog:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- checkpoints --------------------------------------------------------------------------

    def _maybe_checkpoint(self, size: int | None = None) -> None:
        """Checkpoint when N entries or T seconds have passed since the last one.

        ``size`` is the log's size as the caller knows it (the end of its own commit);
        without it the size is read from the database.
        """
        if self._signer is None:
            return
        with self._schedule_lock:
            if size is None:
                try:
                    size = self.store.size()
                except SQLAlchemyError:
                    return
            self._checkpoint_if_due(size)

    def _checkpoint_if_due(self, size: int) -> None:
        """Checkpoint if the count or the timer says so (schedule lock held)."""
        due_count = self._checkpoint_every > 0 and (
            size - self._last_checkpoint_size >= self._checkpoint_every)
        due_time = False
        if not due_count and self._checkpoint_seconds > 0 and size > self._last_checkpoint_size:
            now = self._clock()
            if self._last_checkpoint_at is None:
                self._last_checkpoint_at = now
            due_time = (now - self._last_checkpoint_at).total_seconds() >= self._checkpoint_seconds
        if due_count or due_time:
            try:
                self.checkpoint()
            except AuditError:
                _log.warning("the audit log could not write a scheduled checkpoint")

    def checkpoint(self) -> SignedCheckpoint:
        """Sign and store a checkpoint of the log as it stands now; return it."""
        self.store.check_writable()
        if self._signer is None:
            raise AuditError("open the log with signing_key=... to make checkpoints")
        with self._checkpoint_lock:
            try:
                with self.store.engine.connect() as conn:
                    size = self.store.size(conn)
                    root = root_at(size, lambda lv, ix: self.store.node_at(conn, lv, ix))
                created = format_time(self._clock())
                note = self._signer.sign(Checkpoint(self.origin, size, root, (f"time {created}",)))
                with self.store.write() as conn:
                    stmt = (pg_insert if self.store.dialect == "postgresql" else sqlite_insert)(
                        checkpoints).values(size=size, root=root, note=note, created_at=created)
                    conn.execute(stmt.on_conflict_do_nothing(index_elements=["size"]))
            except SQLAlchemyError as exc:
                raise unavailable("store a checkpoint", exc) from exc
            self._last_checkpoint_size = max(self._last_checkpoint_size, size)
            self._last_checkpoint_at = parse_time(created)
        stored = self.checkpoint_at(size)
        assert stored is not None
        return stored

    def checkpoint_at(self, size: int) -> SignedCheckpoint | None:
        """Return the stored checkpoint of exactly ``size`` entries, if any."""
        return self._one_checkpoint(checkpoints.c.size == size)

    def latest_checkpoint(self) -> SignedCheckpoint | None:
        """Return the stored checkpoint with the largest size, if any."""
        return self._one_checkpoint(None)

    def _one_checkpoint(self, where: Any) -> SignedCheckpoint | None:
        """Read one checkpoint row (the largest matching)."""
        stmt = select(checkpoints).order_by(checkpoints.c.size.desc()).limit(1)
        if where is not None:
            stmt = stmt.where(where)
        try:
            with self.store.engine.connect() as conn:
                row = conn.execute(stmt).first()
        except SQLAlchemyError as exc:
            raise unavailable("read its checkpoints", exc, reading=True) from exc
        if row is None:
            return None
        return SignedCheckpoint(self.origin, int(row.size), bytes(row.root), row.note,
                                row.created_at)

    def export_checkpoint(self, path: str | os.PathLike[str]) -> SignedCheckpoint:
        """Checkpoint now and write the signed note to ``path`` (outside the database).

        A file already at ``path`` is replaced only if it holds a checkpoint of this log
        that the log still extends; otherwise it is kept as evidence and AuditError (or
        TamperDetected, for a log truncated or rewritten behind it) is raised. The new
        checkpoint is stored in the log either way.
        """
        signed = self.checkpoint()
        assert self._signer is not None  # checkpoint() refuses without one
        require_replaceable(path, origin=self.origin, verifier_key=self._signer.verifier_key(),
                            size=signed.size, root_at=self._root_at)
        signed.write(path)
        return signed

    def _root_at(self, size: int) -> bytes:
        """Return the root of the log's first ``size`` entries from the stored tree."""
        try:
            with self.store.engine.connect() as conn:
                return root_at(size, lambda lv, ix: self.store.node_at(conn, lv, ix))
        except SQLAlchemyError as exc:
            raise unavailable("read its Merkle nodes", exc, reading=True) from exc

    def verifier_key(self) -> str:
        """Return the verifier key of this log's signing key (publish it to reviewers)."""
        if self._signer is None:
            raise AuditError("open the log with signing_key=... to learn its verifier key")
        return self._signer.verifier_key()

    def stored_verifier_keys(self) -> list[str]:
        """Return the verifier keys the database lists (every key that signed for this log).

        Security caveat: a database writer can replace them; trust keys obtained out of band.
        """
        try:
            return list(self.store.meta_items("verifier_key:").values())
        except SQLAlchemyError as exc:
            raise unavailable("read its verifier keys", exc, reading=True) from exc

    # -- proofs -------------------------------------------------------------------------------

    def prove_inclusion(self, seq: int, tree_size: int | None = None) -> InclusionProof:
        """Prove entry ``seq`` is in the tree of ``tree_size`` (default: a checkpoint over it).

        With a stored checkpoint of that size, the proof's root is the one its signed note
        states, so ``verify()`` fails for a log rewritten behind the checkpoint.
        """
        signed: SignedCheckpoint | None = None
        if tree_size is None:
            signed = self.latest_checkpoint()
            if signed is None or signed.size <= seq:
                signed = self.checkpoint() if self._signer is not None else None
            tree_size = signed.size if signed is not None else self.store.size()
        else:
            signed = self.checkpoint_at(tree_size)
        try:
            with self.store.engine.connect() as conn:
                if tree_size > self.store.size(conn):
                    raise AuditError(f"the log has fewer than {tree_size} entries; pick a "
                                     "tree size no larger than the log")

                def node_at(level: int, index: int) -> bytes:
                    return self.store.node_at(conn, level, index)

                hashes = inclusion_proof(seq, tree_size, node_at)
                leaf = node_at(0, seq)
                # the root the note's signature covers, not the row's copy beside it
                root = (stated_checkpoint(signed.note).root_hash if signed is not None
                        else root_at(tree_size, node_at))
        except SQLAlchemyError as exc:
            raise unavailable("read its Merkle nodes", exc, reading=True) from exc
        return InclusionProof(seq, tree_size, leaf, root, tuple(hashes), signed)

    def prove_consistency(self, old_size: int, new_size: int) -> ConsistencyProof:
        """Prove the tree of ``old_size`` is a prefix of the tree of ``new_size``.

        Where a stored checkpoint has either size, that root is the one its signed note
        states, so ``verify()`` fails for a log rewritten behind the checkpoint.
        """
        signed_old, signed_new = self.checkpoint_at(old_size), self.checkpoint_at(new_size)
        try:
            with self.store.engine.connect() as conn:
                if new_size > self.store.size(conn):
                    raise AuditError(f"the log has fewer than {new_size} entries; pick a "
                                     "tree size no larger than the log")

                def node_at(level: int, index: int) -> bytes:
                    return self.store.node_at(conn, level, index)

                hashes = consistency_proof(old_size, new_size, node_at)
                old_root = (stated_checkpoint(signed_old.note).root_hash if signed_old
                            else root_at(old_size, node_at))
                new_root = (stated_checkpoint(signed_new.note).root_hash if signed_new
                            else root_at(new_size, node_at))
        except SQLAlchemyError as exc:
            raise unavailable("read its Merkle nodes", exc, reading=True) from exc
        return ConsistencyProof(old_size, new_size, old_root, new_root, tuple(hashes))

    # -- verification and review ------------------------------------------------------------

    def verify(self, checkpoint_notes: Iterable[str] = (), progress:
               Callable[[int, int], None] | None = None,
               verifier_keys: Sequence[str] | None = None, *, columns: bool = True,
               workers: int | None = None) -> VerifyReport:
        """Check every entry, node and checkpoint; compare with exported notes.

        ``columns=False`` skips checking the searchable columns and resource index against
        the hashed bytes (on SQLite part of the same pass; on PostgreSQL a second one).
        ``workers`` splits the work over that many processes (default: two for large logs
        on a machine with several CPUs); the first bad entry is named the same way.

        Verifier keys default to this log's signing key; without one they are read from the
        database, which an attacker with database access could replace (the report says so).
        Keys given that are no verifier keys (or none at all) raise CheckpointError: checked
        with them, every checkpoint would be reported forged.
        """
        if isinstance(checkpoint_notes, str | bytes):  # else read letter by letter: all "bad"
            raise AuditError("checkpoint_notes is a list of exported notes; pass one note "
                             "as checkpoint_notes=[note]")
        trusted = True
        if verifier_keys is not None:
            _require_verifier_keys(verifier_keys)
        else:
            if self._signer is not None:
                verifier_keys = [self._signer.verifier_key()]
            else:
                verifier_keys = self.stored_verifier_keys()
                trusted = False
        try:
            return verify_store(self.store, origin=self.origin,
                                verifier_keys=tuple(verifier_keys),
                                keys_trusted=trusted,
                                checkpoint_notes=tuple(checkpoint_notes), progress=progress,
                                columns=columns, workers=workers)
        except SQLAlchemyError as exc:
            raise unavailable("be read for verification", exc, reading=True) from exc

    def query(self, filters: AuditQuery | Mapping[str, Any] | None = None, *,
              chunk: int = 500, **criteria: Any) -> Iterator[AuditEntry]:
        """Yield matching entries (decoded from the hashed canonical bytes) in seq order.

        Filters are an ``AuditQuery``, a mapping of its field names, or those names as
        keywords (``log.query(mailbox="ayu@example.com", decision="deny")``); keywords
        override the same fields of ``filters``. See ``audit.search``.
        """
        return search_entries(self.store, as_query(filters, criteria), self._hashed,
                              chunk=chunk)

    def get(self, seq: int) -> AuditEntry | None:
        """Return the entry at ``seq``, or None."""
        return next(self.query(AuditQuery(after_seq=seq - 1, before_seq=seq + 1)), None)

    def size(self) -> int:
        """Return the number of committed entries."""
        try:
            return self.store.size()
        except SQLAlchemyError as exc:
            raise unavailable("be read", exc, reading=True) from exc

    def stats(self, *, since: str | datetime | date | None = None,
              until: str | datetime | date | None = None,
              bucket: str = "day", top: int | None = 20) -> AuditStats:
        """Count decisions, purposes, actions, actor kinds, bases and denying rules, by time.

        ``since`` (inclusive) and ``until`` (exclusive) take what ``query`` takes: a date, a
        datetime or ISO-8601 text (UTC unless it gives an offset); other text raises
        AuditError. ``top`` keeps the largest groups of each count (``None`` keeps all).
        """
        return entry_stats(self.store, since=since, until=until, bucket=bucket, top=top,
                           latest=self.latest_checkpoint)

    def _hashed(self, value: str | None) -> str | None:
        """Hash a clear identifier for searching (pass "h1:" values through)."""
        if value is None or value.startswith("h1:"):
            return value
        if self._hasher is None:
            raise AuditError("open the log with hmac_key=... to search by mailbox or actor")
        return self._hasher.hash(value)


def _require_verifier_keys(keys: Sequence[str]) -> None:
    """Refuse verifier keys that are none, or not in the C2SP ``name+keyid+key`` form."""
    if isinstance(keys, str) or not keys:
        raise CheckpointError("give verify a list of at least one verifier key "
                              "('name+1a2b3c4d+base64key'), or none to use the log's own")
    for number, key in enumerate(keys, start=1):
        try:
            VerifierKey.parse(key)
        except CheckpointError as exc:
            raise CheckpointError(f"verifier key {number} is not a verifier key: {exc}") from None


def open_checkpoint_note(note: str, verifier_key: str, origin: str) -> Checkpoint:
    """Open an exported note for this log; raise CheckpointError if forged or foreign."""
    return open_signed_checkpoint(note, verifier_key, origin=origin)


def _pending(prepared: PreparedEntry, seq: int, time: str) -> PendingLeaf:
    """Place a prepared entry at ``seq``/``time``: the rows the store writes and its leaf hash."""
    raw, lh = prepared.place(seq, time)
    return PendingLeaf((seq, time, *prepared.columns, raw, lh),
                       tuple((seq, kind, rid) for kind, rid in prepared.resources), lh)


def _require_key_file_or_unsigned(key: object, store: Store) -> None:
    """Refuse to create a signing key file for a log that another key already signs.

    The file is looked for again after the log's keys are read: a process starting beside
    this one (another web worker) may have created it and recorded its key in between,
    and it creates the file before it records the key, so that key is then this file's.
    """
    if not isinstance(key, str | os.PathLike) or Path(key).exists():
        return
    ids = sorted(k.split("+")[1] for k in store.meta_items("verifier_key:").values()
                 if k.count("+") >= 2)
    if ids and not Path(key).exists():
        raise SigningKeyMissing(
            f"there is no checkpoint key file at {os.fspath(key)}, but this log is already "
            f"signed by key id {', '.join(ids)}; point the signing key setting at that key's "
            "file, or create a new key file first (mailguard audit new-signing-key FILE) to "
            "replace the key on purpose (nothing was created)", os.fspath(key))


def _signer(key: CheckpointSigner | Ed25519PrivateKey | str | os.PathLike[str] | None,
            origin: str) -> CheckpointSigner | None:
    """Turn the signing_key argument into a signer named after the log's origin."""
    if key is None or isinstance(key, CheckpointSigner):
        return key
    if isinstance(key, Ed25519PrivateKey):
        return CheckpointSigner(origin, key)
    if isinstance(key, str | os.PathLike):
        return CheckpointSigner(origin, load_or_create_signing_key(key))
    raise CheckpointError("signing_key is an Ed25519 private key, a key file path or a "
                          "CheckpointSigner")
