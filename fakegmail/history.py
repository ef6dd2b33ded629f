"""A mailbox's change history: numbered records, kept up to a bound, as Gmail keeps them.

A client that asks for changes since a historyId older than the oldest kept record gets
404 and must do a full sync, exactly as with Gmail.
"""

from __future__ import annotations

import enum
from collections import deque
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from fakegmail.errors import not_found

DEFAULT_HISTORY_LIMIT = 5000


class HistoryType(enum.Enum):
    """The kinds of change ``history.list`` reports (its ``historyTypes`` values)."""

    MESSAGE_ADDED = "messageAdded"
    MESSAGE_DELETED = "messageDeleted"
    LABEL_ADDED = "labelAdded"
    LABEL_REMOVED = "labelRemoved"


_LIST_KEYS = {
    HistoryType.MESSAGE_ADDED: "messagesAdded",
    HistoryType.MESSAGE_DELETED: "messagesDeleted",
    HistoryType.LABEL_ADDED: "labelsAdded",
    HistoryType.LABEL_REMOVED: "labelsRemoved",
}


@dataclass(frozen=True, slots=True)
class HistoryRecord:
    """One change to one message."""

    id: int
    type: HistoryType
    message_id: str
    thread_id: str
    message_labels: tuple[str, ...]
    changed_labels: tuple[str, ...] = ()

    def touches_label(self, label_id: str) -> bool:
        """Return True when the message had ``label_id`` or the change was about it."""
        return label_id in self.message_labels or label_id in self.changed_labels

    def to_json(self) -> dict[str, Any]:
        """Return the History resource Gmail sends for this record."""
        ref = {"id": self.message_id, "threadId": self.thread_id}
        message: dict[str, Any] = dict(ref)
        if self.message_labels:
            message["labelIds"] = list(self.message_labels)
        entry: dict[str, Any] = {"message": message}
        if self.type in (HistoryType.LABEL_ADDED, HistoryType.LABEL_REMOVED):
            entry["labelIds"] = list(self.changed_labels)
        return {"id": str(self.id), "messages": [ref], _LIST_KEYS[self.type]: [entry]}


class HistoryLog:
    """Numbered change records; the owning mailbox serialises access."""

    def __init__(self, start_id: int, limit: int = DEFAULT_HISTORY_LIMIT) -> None:
        if limit < 1:
            raise ValueError("history limit must be at least 1 record")
        self.current_id = start_id
        self._records: deque[HistoryRecord] = deque()
        self._limit = limit
        self._floor = 0

    def next_id(self) -> int:
        """Advance and return the mailbox's historyId."""
        self.current_id += 1
        return self.current_id

    def record(self, record: HistoryRecord) -> None:
        """Append ``record``, dropping the oldest beyond the limit."""
        self._records.append(record)
        while len(self._records) > self._limit:
            self._floor = self._records.popleft().id

    def since(
        self,
        start_id: int,
        *,
        types: Collection[HistoryType] = (),
        label_id: str | None = None,
    ) -> list[HistoryRecord]:
        """Return records after ``start_id``; 404 when ``start_id`` predates the kept ones."""
        if start_id < self._floor:
            # Gmail's plain 404: the client does a full sync (messages.list) and goes on
            # from the profile's historyId.
            raise not_found()
        return [
            r for r in self._records
            if r.id > start_id
            and (not types or r.type in types)
            and (label_id is None or r.touches_label(label_id))
        ]
