"""Commit concurrent appends together, led by the first waiting caller (leader/follower).

There is no committer thread. A caller that finds no commit in progress leads: it takes
every request waiting in the open batch and commits them in its own thread, so a single
writer pays no thread switch at all. Callers that arrive while a commit runs join the next
batch and wait on it; when the commit ends, the leader releases its own batch and hands
leadership to one waiter of the next batch, which then commits everyone waiting there.

A new leader lingers briefly (at most the last commit's duration, capped at
``max_linger``) while callers released by the previous commit are still coming back, so
concurrent writers keep sharing one commit instead of splitting into groups that alternate.
It is woken once, when they are all back (or the linger ends), not by every arrival: under
the GIL each needless wake-up costs the returning callers a thread switch. A lone writer
never lingers: the wait is only for callers known to be active.

Security caveat: a caller whose wait times out is told the access must be refused, but its
request stays queued and may still be committed by a later leader (outcome unknown errs on
the side of refusing).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from audit.errors import AuditUnavailable


class Batch:
    """The requests committed together; one condition releases all of their callers."""

    __slots__ = ("done", "error", "released")

    def __init__(self, lock: threading.Lock) -> None:
        self.done = False
        self.error: BaseException | None = None
        self.released = threading.Condition(lock)


class Request:
    """One caller's items, waiting in a batch; ``results`` are filled in by the commit."""

    __slots__ = ("batch", "items", "results")

    def __init__(self, items: list[Any], batch: Batch) -> None:
        self.items = items
        self.batch = batch
        self.results: list[Any] = []


CommitFn = Callable[[list[Request], Batch], None]
"""Write every request of a batch in one transaction; fill ``results`` or set ``error``."""


class GroupCommit:
    """Serialise commits; batch every caller that waits while one runs (module docstring)."""

    def __init__(self, commit: CommitFn, *, timeout: float, max_linger: float = 0.002,
                 closed_message: str = "closed") -> None:
        self._commit = commit
        self._timeout = timeout
        self._max_linger = max_linger
        self._closed_message = closed_message
        self.lock = threading.Lock()
        self.arrived = threading.Condition(self.lock)  # notified on arrival (see _take)
        self._idle = threading.Condition(self.lock)  # notified whenever a leader finishes
        self.pending: list[Request] = []
        self._open = Batch(self.lock)
        self._leading = False
        self._closed = False
        self._want = 0  # callers active at the last hand-over: a new leader waits for them
        self._awaited = 0  # queue length a lingering leader waits for (0: none lingers)
        self._linger_until = 0.0
        self._linger = 0.0

    def submit(self, items: list[Any]) -> list[Any]:
        """Commit ``items`` in some batch; return their results once it is durable.

        Raises the batch's error, or AuditUnavailable when the log is closed or the wait
        passes the timeout.
        """
        with self.lock:
            if self._closed:
                raise AuditUnavailable(self._closed_message)
            batch = self._open
            request = Request(items, batch)
            self.pending.append(request)
            if len(self.pending) >= self._awaited:  # wake a lingering leader only once
                self.arrived.notify()
            if self._leading and not batch.released.wait_for(
                    lambda: batch.done or (not self._leading and batch is self._open),
                    self._timeout):
                raise AuditUnavailable(
                    f"the audit log did not confirm the entry within {self._timeout:g}s; "
                    "the access must be refused until the audit database responds")
            if not batch.done:
                requests = self._take()
        if not batch.done:
            self._lead(requests, batch)
        if batch.error is not None:
            raise batch.error
        return request.results

    def _take(self) -> list[Request]:
        """Become the leader of the open batch and take its requests (lock held)."""
        self._leading = True
        want, until = self._want, self._linger_until
        if len(self.pending) < want:
            remaining = until - time.monotonic()
            if remaining > 0:
                self._awaited = want
                try:
                    self.arrived.wait_for(lambda: len(self.pending) >= want or self._closed,
                                          remaining)
                finally:
                    self._awaited = 0
        requests = self.pending
        self.pending = []
        self._open = Batch(self.lock)
        return requests

    def _lead(self, requests: list[Request], batch: Batch) -> None:
        """Commit one batch, release its callers and hand leadership to the next batch."""
        started = time.monotonic()
        try:
            self._commit(requests, batch)
        except BaseException as exc:  # noqa: BLE001 - every caller must hear of the failure
            if batch.error is None:
                batch.error = exc
            raise
        finally:
            finished = time.monotonic()
            with self.lock:
                self._leading = False
                active = len(requests) + len(self.pending)
                self._want = active if active > 1 else 0
                self._linger_until = finished + min(self._max_linger, finished - started)
                batch.done = True
                batch.released.notify_all()
                if self.pending:
                    self._open.released.notify()  # one waiter of the next batch leads it
                self._idle.notify_all()

    def close(self) -> None:
        """Refuse new requests, then commit whatever still waits (even if its caller left)."""
        with self.lock:
            self._closed = True
            self.arrived.notify_all()
        while True:
            with self.lock:
                self._idle.wait_for(lambda: not self._leading)
                if not self.pending:
                    return
                batch = self._open
                requests = self._take()
            try:
                self._lead(requests, batch)
            except Exception:  # noqa: BLE001, S112 - callers heard of it through the batch
                continue
