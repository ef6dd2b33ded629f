"""What this process has already opened from the sealed inbox cache, so it is not opened again.

A warm inbox page read fifty sealed thread rows and, on every request, decrypted each one
and decoded its JSON into a summary: about a tenth of the page's server time. A sealed
value opens to the same plaintext every time it opens at all (AES-GCM under a fixed key,
nonce and associated data), so a row this process has opened before is looked up here by
exactly what the decryption depends on: the key id, the sealed bytes (nonce, ciphertext and
tag) and the associated data (mailbox and thread id). A row whose bytes changed, or that
was copied under another thread, misses and is opened, and refused, as before.

Security caveat: the summaries (subject, snippet, participants) of recently shown rows stay
in this process's memory, at most ``limit`` of them, least recently used out first. When a
mailbox's cache is emptied (a disconnect, a key that no longer opens) its entries are
forgotten here; another process's copies can then no longer be reached, because a lookup
needs the sealed row, and they age out.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Generic, TypeVar

Value = TypeVar("Value")

#: (mailbox, thread id, key id, sealed bytes)
Key = tuple[str, str, str, bytes]


class OpenedRows(Generic[Value]):
    """A bounded, thread-safe map from what was sealed to what it opened to (LRU)."""

    def __init__(self, limit: int = 4096) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self._limit = limit
        self._lock = threading.Lock()
        self._values: OrderedDict[Key, Value] = OrderedDict()

    def __len__(self) -> int:
        return len(self._values)

    def get(self, key: Key) -> Value | None:
        """Return what ``key`` opened to before, or None; a hit becomes the most recent."""
        with self._lock:
            value = self._values.get(key)
            if value is not None:
                self._values.move_to_end(key)
            return value

    def put(self, key: Key, value: Value) -> None:
        """Remember ``value`` for ``key``, forgetting the least recently used beyond the limit."""
        with self._lock:
            self._values[key] = value
            self._values.move_to_end(key)
            while len(self._values) > self._limit:
                self._values.popitem(last=False)

    def forget(self, mailbox: str) -> None:
        """Forget everything opened from ``mailbox``'s rows."""
        with self._lock:
            for key in [k for k in self._values if k[0] == mailbox]:
                del self._values[key]

    def forget_all(self) -> None:
        """Forget everything (after the cache's keys changed)."""
        with self._lock:
            self._values.clear()
