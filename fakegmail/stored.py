"""The immutable values a mailbox hands out: stored messages, threads, drafts, history."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from fakegmail.errors import invalid_argument
from fakegmail.history import HistoryRecord
from fakegmail.mime import MimeError, ParsedMessage, parse_message


@dataclass(frozen=True, slots=True)
class StoredMessage:
    """A message as the mailbox holds it: the RFC 5322 bytes, parsed once, and its state."""

    id: str
    thread_id: str
    raw: bytes
    parsed: ParsedMessage
    label_ids: tuple[str, ...]
    internal_date: int
    """Milliseconds since the epoch, as Gmail's ``internalDate``."""
    history_id: int
    search_headers: Mapping[str, str]
    """Top-level headers by lower-case name (repeats joined), for ``q``."""


@dataclass(frozen=True, slots=True)
class StoredThread:
    """A conversation: its id and its messages, oldest first."""

    id: str
    messages: tuple[StoredMessage, ...]

    @property
    def history_id(self) -> int:
        """Return the newest historyId among the thread's messages."""
        return max(m.history_id for m in self.messages)

    @property
    def snippet(self) -> str:
        """Return the snippet of the newest message."""
        return self.messages[-1].parsed.snippet


@dataclass(frozen=True, slots=True)
class StoredDraft:
    """A draft: its id and its current message (labelled DRAFT)."""

    id: str
    message: StoredMessage


@dataclass(frozen=True, slots=True)
class HistorySlice:
    """The records after a startHistoryId and the mailbox's current historyId."""

    records: tuple[HistoryRecord, ...]
    history_id: int


def parse_or_reject(raw: bytes) -> ParsedMessage:
    """Parse ``raw`` or raise Gmail's 400 for bytes that are not an RFC 5322 message."""
    try:
        return parse_message(raw)
    except MimeError as error:
        raise invalid_argument(f"Invalid RFC 5322 message: {error}") from None
