"""Let concurrent callers share one run of the same work, never one that began before them.

A page of the inbox brings the mailbox's cache up to date with one ``history.list`` call.
When several pages of one mailbox are asked for at once (tabs, auto-refresh, a team behind
one shared mailbox, a burst of reloads), each would make that call; Gmail counts every one
against the user's quota (250 units a second). ``SharedRuns`` lets them share it the way
the audit log's writers share a commit:

- a caller finding no run of its key in progress runs the work itself, at once;
- callers arriving while a run is in progress wait for it to end, and then one of them
  runs the work once more for all of them.

So every caller gets the result of a run that *started after it arrived*: what it is shown
is as fresh as if it had made the call itself (a change made before the caller arrived is
in its result), and at most one run per key is in progress at any time.

A failed run is not shared: each caller that waited for it runs the work on its own, so
one caller's failure (a timeout, say) never becomes another's answer unseen.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class _Round:
    """The callers waiting for the next run of one key, and that run's result."""

    __slots__ = ("claimed", "finished", "members", "ok", "open", "result")

    def __init__(self) -> None:
        self.members = 0
        self.open = False  # the run before has ended: one of these callers may lead
        self.claimed = False  # one of them is running the work for all
        self.finished = False
        self.ok = False
        self.result: Any = None


class _Slot:
    """A key with a run in progress, and the round waiting to run after it."""

    __slots__ = ("next",)

    def __init__(self) -> None:
        self.next: _Round | None = None


class SharedRuns(Generic[T]):
    """Run work once for every caller of the same key that arrives while it is running.

    Thread-safe; one instance serves every key (a mailbox, say). Only callers in one
    process share: other processes run their own.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._slots: dict[Hashable, _Slot] = {}
        #: Runs made, and results handed to callers who did not run the work themselves.
        self.runs = 0
        self.shared = 0

    def run(self, key: Hashable, work: Callable[[bool], T]) -> T:
        """Return ``work(waited)``'s result, from a run that started after this call began.

        ``waited`` is True when the run starts after waiting for another run of the key:
        what its caller read before waiting may be stale.
        """
        with self._lock:
            slot = self._slots.get(key)
            if slot is None:
                self._slots[key] = _Slot()
                return self._lead(key, None, work, waited=False)
            waiting = slot.next
            if waiting is None:
                waiting = slot.next = _Round()
            waiting.members += 1
            while not waiting.finished and not (waiting.open and not waiting.claimed):
                self._changed.wait()
            if not waiting.finished:
                waiting.claimed = True
                return self._lead(key, waiting, work, waited=True)
            if waiting.ok:
                self.shared += 1
                return waiting.result
        return work(True)  # the shared run failed: this caller finds out for itself

    def waiting(self, key: Hashable) -> int:
        """Return how many callers of ``key`` wait for the run after the one in progress."""
        with self._lock:
            slot = self._slots.get(key)
            return slot.next.members if slot is not None and slot.next is not None else 0

    def _lead(self, key: Hashable, led: _Round | None, work: Callable[[bool], T], *,
              waited: bool) -> T:
        """Run ``work`` for ``led`` (lock held on entry and on return), then hand over."""
        self.runs += 1
        self._lock.release()
        ok, result = False, None
        try:
            result = work(waited)
            ok = True
            return result
        finally:
            self._lock.acquire()
            if led is not None:
                led.finished, led.ok, led.result = True, ok, result
            slot = self._slots[key]
            if slot.next is not None:
                slot.next.open = True  # callers that came during this run: one leads next
                slot.next = None
            else:
                del self._slots[key]
            self._changed.notify_all()
