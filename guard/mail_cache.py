"""A metadata cache of each mailbox's inbox thread summaries and labels, kept fresh with
history.list.

Storage only: ``MailboxAccess`` decides, records and calls Gmail; this module keeps what
it learnt. A warm inbox listing with its label counts then costs one Gmail round trip
(the history call).

Security caveat: subjects, snippets and participants are Gmail data, and so are the
names of a user's labels, so each thread row and each mailbox's label list is sealed with
the token vault's keys (AES-256-GCM, the mailbox and thread id, or the mailbox, as
associated data). Only ids, the sort time and key ids are stored in the clear. A row that
no longer opens (its key was retired) empties that mailbox's cache, which is then rebuilt.
What a row opened to is remembered in this process (``guard.opened_rows``, bounded), keyed
by the sealed bytes and the ids they are bound to, so a warm page does not decrypt and
decode its fifty rows again; emptying a mailbox's cache forgets its rows there too.

The cache is an optimisation: a write or read that fails (two processes loading one inbox
at once, a database that is briefly away) is logged by its error class only, never with
the statement's parameters (they name the mailbox), and the page is served from Gmail.
Writes take the mailbox's state row first (insert-or-update), so concurrent writers of one
mailbox queue behind each other instead of colliding on a primary key.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Engine,
    Integer,
    LargeBinary,
    Select,
    String,
    Table,
    bindparam,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from guard.db import metadata
from guard.mail_headers import one_line
from guard.mail_values import LabelInfo, ThreadPage, ThreadSummary
from guard.opened_rows import OpenedRows
from guard.vault import VaultKeyError, VaultKeys

cache_state = Table(
    "guard_mail_cache_state", metadata,
    Column("mailbox", String(320), primary_key=True),
    Column("history_id", String(64), nullable=False),
    Column("page_size", Integer, nullable=False),
    Column("next_page_token", String(512), nullable=True),
    Column("result_size_estimate", Integer, nullable=False),
    Column("synced_at", DateTime(timezone=True), nullable=False),
)

thread_cache = Table(
    "guard_thread_cache", metadata,
    Column("mailbox", String(320), primary_key=True),
    Column("thread_id", String(128), primary_key=True),
    Column("last_ms", BigInteger, nullable=False, index=True),
    Column("key_id", String(32), nullable=False),
    Column("sealed", LargeBinary, nullable=False),
)

#: One row per mailbox: its whole label list with the counters, sealed as one value.
label_cache = Table(
    "guard_label_cache", metadata,
    Column("mailbox", String(320), primary_key=True),
    Column("key_id", String(32), nullable=False),
    Column("sealed", LargeBinary, nullable=False),
    Column("fetched_at", DateTime(timezone=True), nullable=False),
)

_CONTEXT = b"mailguard/thread-cache/v1\x00"
_LABEL_CONTEXT = b"mailguard/label-cache/v1\x00"

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CacheState:
    """Where a mailbox's cached inbox stands."""

    history_id: str
    page_size: int
    next_page_token: str | None
    result_size_estimate: int
    #: The cached labels, or None when none are cached (or they no longer open).
    labels: tuple[LabelInfo, ...] | None = None
    #: When the label list was last fetched whole from Gmail (UTC).
    labels_fetched_at: datetime | None = None


def _context(mailbox: str, thread_id: str) -> bytes:
    return _CONTEXT + mailbox.encode("utf-8") + b"\x00" + thread_id.encode("utf-8")


def _label_context(mailbox: str) -> bytes:
    return _LABEL_CONTEXT + mailbox.encode("utf-8")


def _labels_to_json(labels: Iterable[LabelInfo]) -> bytes:
    return json.dumps([[label.id, label.name, label.type, label.messages_total,
                        label.messages_unread, label.threads_total, label.threads_unread]
                       for label in labels], separators=(",", ":")).encode("utf-8")


def _labels_from_json(raw: bytes) -> tuple[LabelInfo, ...]:
    return tuple(LabelInfo(id=str(i), name=str(n), type=str(t), messages_total=int(mt),
                           messages_unread=int(mu), threads_total=int(tt),
                           threads_unread=int(tu))
                 for i, n, t, mt, mu, tt, tu in json.loads(raw.decode("utf-8")))


def _utc(value: datetime | None) -> datetime | None:
    """Return ``value`` as an aware UTC time (SQLite hands back naive ones)."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def _to_json(summary: ThreadSummary) -> bytes:
    return json.dumps({
        "id": summary.id, "subject": summary.subject, "snippet": summary.snippet,
        "participants": list(summary.participants), "message_count": summary.message_count,
        "last_date": summary.last_date.isoformat() if summary.last_date else None,
        "unread": summary.unread, "starred": summary.starred, "important": summary.important,
        "has_attachments": summary.has_attachments, "label_ids": list(summary.label_ids),
    }, separators=(",", ":")).encode("utf-8")


def _from_json(raw: bytes) -> ThreadSummary:
    d: dict[str, Any] = json.loads(raw.decode("utf-8"))
    # Rows cached by earlier releases may hold control characters, which the guard now
    # removes when it decodes a message (``one_line``); they are removed here too.
    return ThreadSummary(
        id=d["id"], subject=one_line(d["subject"]), snippet=one_line(d["snippet"]),
        participants=tuple(one_line(p) for p in d["participants"]),
        message_count=int(d["message_count"]),
        last_date=datetime.fromisoformat(d["last_date"]) if d["last_date"] else None,
        unread=bool(d["unread"]), starred=bool(d["starred"]), important=bool(d["important"]),
        has_attachments=bool(d["has_attachments"]), label_ids=tuple(d["label_ids"]))


def _sort_ms(summary: ThreadSummary) -> int:
    return int(summary.last_date.timestamp() * 1000) if summary.last_date else 0


def _upsert(conn: Connection, table: Table, rows: list[dict[str, Any]],
            keys: tuple[str, ...]) -> None:
    """Insert ``rows``, overwriting rows with the same ``keys`` (one statement where possible)."""
    dialect = conn.dialect.name
    if dialect in ("postgresql", "sqlite"):
        stmt = (postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table))
        updated = {c.name: stmt.excluded[c.name] for c in table.columns if c.name not in keys}
        conn.execute(stmt.on_conflict_do_update(index_elements=list(keys), set_=updated), rows)
        return
    for row in rows:  # other dialects: the caller holds the mailbox's state row
        where = [table.c[k] == row[k] for k in keys]
        conn.execute(delete(table).where(*where))
        conn.execute(insert(table).values(**row))


def _log_failure(what: str, exc: SQLAlchemyError) -> None:
    """Log a failed cache operation by error class only: parameters would name the mailbox."""
    orig = getattr(exc, "orig", None)
    cause = type(orig).__name__ if orig is not None else "-"
    log.warning("inbox cache %s failed (%s/%s); the inbox is served from Gmail",
                what, type(exc).__name__, cause)


def _state_query() -> Select[Any]:
    """The state row and the sealed labels of the mailbox bound as ``mailbox``."""
    s, lc = cache_state.c, label_cache.c
    return (select(s.history_id, s.page_size, s.next_page_token, s.result_size_estimate,
                   lc.key_id, lc.sealed, lc.fetched_at)
            .select_from(cache_state.outerjoin(label_cache, lc.mailbox == s.mailbox))
            .where(s.mailbox == bindparam("mailbox")))


def _page_query() -> Select[Any]:
    """The newest ``limit`` sealed threads of ``mailbox`` while its state row exists.

    Only the page's rows travel; the window count says how many the cache holds.
    """
    t, s = thread_cache.c, cache_state.c
    return (select(t.thread_id, t.key_id, t.sealed, func.count().over().label("cached"))
            .join_from(thread_cache, cache_state, s.mailbox == t.mailbox)
            .where(t.mailbox == bindparam("mailbox"))
            .order_by(t.last_ms.desc(), t.thread_id.desc())
            .limit(bindparam("limit")))


# Built once: building a statement costs more than running it from the compiled cache.
_STATE_QUERY = _state_query()
_PAGE_QUERY = _page_query()


class MailCache:
    """Keep sealed inbox thread summaries and labels, and the history id they are current at."""

    def __init__(self, engine: Engine, keys: VaultKeys, clock: Callable[[], datetime],
                 max_threads: int = 500,
                 opened: OpenedRows[ThreadSummary] | None = None) -> None:
        self._engine = engine
        self._keys = keys
        self._clock = clock
        self._max_threads = max_threads
        self._opened: OpenedRows[ThreadSummary] = opened if opened is not None else OpenedRows()

    def state(self, mailbox: str) -> CacheState | None:
        """Return the cache's state (with its labels) for ``mailbox``, or None.

        None when the cache holds nothing for the mailbox or the read fails. One query
        reads the state row and the sealed label list together.
        """
        try:
            with self._engine.connect() as conn:
                row = conn.execute(_STATE_QUERY, {"mailbox": mailbox}).first()
        except SQLAlchemyError as exc:
            _log_failure("read", exc)
            return None
        if row is None:
            return None
        labels: tuple[LabelInfo, ...] | None = None
        if row.sealed is not None:
            try:
                labels = _labels_from_json(self._keys.open(
                    row.key_id, bytes(row.sealed), context=_label_context(mailbox)))
            except VaultKeyError:
                self.forget_labels(mailbox)
        return CacheState(history_id=row.history_id, page_size=row.page_size,
                          next_page_token=row.next_page_token,
                          result_size_estimate=row.result_size_estimate, labels=labels,
                          labels_fetched_at=_utc(row.fetched_at) if labels is not None
                          else None)

    def _rows(self, mailbox: str, summaries: Iterable[ThreadSummary]) -> list[dict[str, Any]]:
        rows = []
        for summary in summaries:
            key_id, sealed = self._keys.seal(_to_json(summary),
                                             context=_context(mailbox, summary.id))
            rows.append({"mailbox": mailbox, "thread_id": summary.id,
                         "last_ms": _sort_ms(summary), "key_id": key_id, "sealed": sealed})
        return rows

    def _label_row(self, mailbox: str, labels: Iterable[LabelInfo],
                   fetched_at: datetime) -> dict[str, Any]:
        key_id, sealed = self._keys.seal(_labels_to_json(labels),
                                         context=_label_context(mailbox))
        return {"mailbox": mailbox, "key_id": key_id, "sealed": sealed,
                "fetched_at": fetched_at}

    def replace_inbox(self, mailbox: str, page: ThreadPage, *, history_id: str,
                      page_size: int, labels: Iterable[LabelInfo] | None = None) -> None:
        """Replace the mailbox's cache with a freshly listed first inbox page (and labels).

        ``labels`` must have been fetched after the threads that gave ``history_id``, so
        they hold at least every change up to it. Never raises for a database error: the
        failure is logged and the cache emptied (best effort), so the next listing goes
        to Gmail.
        """
        rows = self._rows(mailbox, page.threads)
        now = self._clock()
        state = {"mailbox": mailbox, "history_id": history_id, "page_size": page_size,
                 "next_page_token": page.next_page_token,
                 "result_size_estimate": page.result_size_estimate, "synced_at": now}
        label_row = self._label_row(mailbox, labels, now) if labels is not None else None
        try:
            with self._engine.begin() as conn:
                # The state row first: it locks the mailbox, so a concurrent writer waits.
                _upsert(conn, cache_state, [state], ("mailbox",))
                conn.execute(delete(thread_cache).where(thread_cache.c.mailbox == mailbox))
                if rows:
                    _upsert(conn, thread_cache, rows, ("mailbox", "thread_id"))
                if label_row is not None:
                    _upsert(conn, label_cache, [label_row], ("mailbox",))
                else:
                    conn.execute(delete(label_cache).where(label_cache.c.mailbox == mailbox))
        except SQLAlchemyError as exc:
            _log_failure("write", exc)
            self.clear(mailbox)

    def apply(self, mailbox: str, *, upserts: Iterable[ThreadSummary],
              removed: Iterable[str], history_id: str, expected_history_id: str,
              labels: Iterable[LabelInfo] | None = None,
              labels_fetched_at: datetime | None = None) -> bool:
        """Apply changes learnt from history and move the history id forward.

        Applies only while the cache is still at ``expected_history_id`` (the id the
        history call started from); returns False, writing nothing, when another writer
        moved it meanwhile or it was cleared. ``labels`` replaces the cached label list;
        ``labels_fetched_at`` says when it was last fetched whole (default: now).

        Never raises for a database error: the failure is logged and the mailbox's cache
        emptied (best effort), so ``page`` answers None and the inbox comes from Gmail.
        """
        rows = self._rows(mailbox, upserts)
        label_row = (self._label_row(mailbox, labels, labels_fetched_at or self._clock())
                     if labels is not None else None)
        gone = set(removed) - {r["thread_id"] for r in rows}
        t = thread_cache.c
        try:
            with self._engine.begin() as conn:
                # The state row first: it locks the mailbox, so a concurrent writer waits.
                moved = conn.execute(
                    update(cache_state).where(cache_state.c.mailbox == mailbox,
                                              cache_state.c.history_id == expected_history_id)
                    .values(history_id=history_id, synced_at=self._clock())).rowcount
                if not moved:
                    return False  # cleared or moved meanwhile: that writer's view stands
                if gone:
                    conn.execute(delete(thread_cache).where(t.mailbox == mailbox,
                                                            t.thread_id.in_(sorted(gone))))
                if rows:
                    _upsert(conn, thread_cache, rows, ("mailbox", "thread_id"))
                    keep = select(t.thread_id).where(t.mailbox == mailbox).order_by(
                        t.last_ms.desc()).limit(self._max_threads)
                    conn.execute(delete(thread_cache).where(
                        t.mailbox == mailbox, t.thread_id.not_in(keep.scalar_subquery())))
                if label_row is not None:
                    _upsert(conn, label_cache, [label_row], ("mailbox",))
        except SQLAlchemyError as exc:
            _log_failure("write", exc)
            self.clear(mailbox)
            return False
        return True

    def store_labels(self, mailbox: str, labels: Iterable[LabelInfo], *,
                     history_id: str) -> None:
        """Keep ``labels`` if the cache is still at ``history_id``.

        ``labels`` must have been fetched after the cache reached ``history_id``; later
        changes come through history and are refetched then. A database error is logged.
        """
        label_row = self._label_row(mailbox, labels, self._clock())
        try:
            with self._engine.begin() as conn:
                held = conn.execute(
                    update(cache_state).where(cache_state.c.mailbox == mailbox,
                                              cache_state.c.history_id == history_id)
                    .values(history_id=history_id)).rowcount
                if held:
                    _upsert(conn, label_cache, [label_row], ("mailbox",))
        except SQLAlchemyError as exc:
            _log_failure("write", exc)
            self.forget_labels(mailbox)

    def forget_labels(self, mailbox: str) -> None:
        """Drop the mailbox's cached labels (they are fetched whole on the next listing)."""
        try:
            with self._engine.begin() as conn:
                conn.execute(delete(label_cache).where(label_cache.c.mailbox == mailbox))
        except SQLAlchemyError as exc:
            _log_failure("clear", exc)

    def page(self, mailbox: str, max_results: int,
             state: CacheState | None = None) -> ThreadPage | None:
        """Return the newest ``max_results`` cached threads, or None if the cache is unusable.

        ``state`` is the mailbox's state when the caller has just read it: the rows are
        then read in one query, which finds none if the cache was emptied meanwhile.
        """
        if state is None:
            state = self.state(mailbox)
        if state is None:
            return None
        try:
            with self._engine.connect() as conn:
                rows = conn.execute(_PAGE_QUERY, {"mailbox": mailbox,
                                                  "limit": max_results}).all()
        except SQLAlchemyError as exc:
            _log_failure("read", exc)
            return None
        if not rows and self.state(mailbox) is None:
            return None  # emptied meanwhile: not an empty inbox
        try:
            summaries = [self._open_row(mailbox, r.thread_id, r.key_id, bytes(r.sealed))
                         for r in rows]
        except VaultKeyError:
            self.clear(mailbox)
            return None
        return ThreadPage(threads=tuple(summaries),
                          next_page_token=state.next_page_token,
                          result_size_estimate=max(state.result_size_estimate,
                                                   rows[0].cached if rows else 0))

    def _open_row(self, mailbox: str, thread_id: str, key_id: str,
                  sealed: bytes) -> ThreadSummary:
        """Return the summary sealed in one row (looked up if this process opened it before)."""
        key = (mailbox, thread_id, key_id, sealed)
        summary = self._opened.get(key)
        if summary is None:
            summary = _from_json(self._keys.open(key_id, sealed,
                                                 context=_context(mailbox, thread_id)))
            self._opened.put(key, summary)
        return summary

    def clear(self, mailbox: str) -> None:
        """Forget everything cached for ``mailbox``; a database error is logged, not raised."""
        self._opened.forget(mailbox)
        try:
            self._delete(mailbox)
        except SQLAlchemyError as exc:
            _log_failure("clear", exc)

    def _delete(self, mailbox: str) -> None:
        with self._engine.begin() as conn:
            # The state row first, in the same order as the writers, so they cannot deadlock.
            conn.execute(delete(cache_state).where(cache_state.c.mailbox == mailbox))
            conn.execute(delete(thread_cache).where(thread_cache.c.mailbox == mailbox))
            conn.execute(delete(label_cache).where(label_cache.c.mailbox == mailbox))

    def drop_stale_keys(self) -> int:
        """Empty the cache of every mailbox with a row not sealed by the newest key.

        Used by key rotation: a cache is cheaper to rebuild than to re-seal.
        """
        newest = self._keys.newest_id
        with self._engine.connect() as conn:
            stale = set(conn.execute(select(thread_cache.c.mailbox)
                                     .where(thread_cache.c.key_id != newest)
                                     .distinct()).scalars().all())
            stale |= set(conn.execute(select(label_cache.c.mailbox)
                                      .where(label_cache.c.key_id != newest)).scalars().all())
        for mailbox in sorted(stale):
            self._delete(mailbox)
        self._opened.forget_all()
        return len(stale)
