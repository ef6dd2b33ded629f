"""One account's mail: messages, threads, labels, drafts and change history.

Every message is parsed once, when it arrives, and kept as an immutable
:class:`StoredMessage`; a change of labels replaces the stored value, so readers hold
consistent snapshots without locking. All writes go through one re-entrant lock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import replace
from typing import Any

from fakegmail.attachment_ids import AttachmentIds
from fakegmail.conversations import thread_subject
from fakegmail.errors import GmailError, invalid_argument, not_found
from fakegmail.history import DEFAULT_HISTORY_LIMIT, HistoryLog, HistoryRecord, HistoryType
from fakegmail.labels import FIXED_LABELS, LabelBook
from fakegmail.mime import ParsedMessage
from fakegmail.search import QueryError, compile_query, normalize_label_name
from fakegmail.search_documents import search_document, search_headers
from fakegmail.stored import (
    HistorySlice,
    StoredDraft,
    StoredMessage,
    StoredThread,
    parse_or_reject,
)

__all__ = ["HistorySlice", "Mailbox", "StoredDraft", "StoredMessage", "StoredThread",
           "parse_or_reject"]
INITIAL_HISTORY_ID = 1000
MAX_BATCH_IDS = 1000
DRAFT_LABELS_ONLY = ("Draft messages cannot have any label other than DRAFT: change the "
                     "draft with drafts.update, or label the message once it is sent")
"""The rule is Gmail's drafts guide's; the guide gives no error text, so these words are
the emulator's own."""


class Mailbox:
    """Thread-safe store of one account's mail."""

    def __init__(self, email: str, clock: Callable[[], float], *,
                 history_limit: int = DEFAULT_HISTORY_LIMIT) -> None:
        self.email = email
        self.clock = clock
        self._lock = threading.RLock()
        self._messages: dict[str, StoredMessage] = {}
        self._threads: dict[str, list[str]] = {}
        self._by_rfc_id: dict[str, list[str]] = {}
        self._drafts: dict[str, str] = {}
        self._labels = LabelBook()
        self._history = HistoryLog(INITIAL_HISTORY_ID, history_limit)
        self._last_number = 0
        self._order: list[str] | None = None
        self.attachment_ids = AttachmentIds(email)
        """Issues this mailbox's attachment ids (a fresh one per fetch) and resolves them."""

    # -- messages -----------------------------------------------------------------------

    def add_message(
        self,
        raw: bytes,
        *,
        label_ids: Iterable[str] = ("INBOX", "UNREAD"),
        internal_date: float | None = None,
        thread_id: str | None = None,
        parsed: ParsedMessage | None = None,
        date_from_header: bool = False,
        written_here: bool = False,
    ) -> StoredMessage:
        """Store ``raw`` with ``label_ids`` and return it.

        ``internal_date`` is in seconds (default: now, or the Date header when
        ``date_from_header``). ``thread_id`` is honoured only when the message replies
        (In-Reply-To/References) to a message of that thread with the same subject.
        Mail arriving is threaded by those headers alone; mail ``written_here`` (the
        sender's copy of a send) joins a thread only when ``thread_id`` names it, as
        Gmail's threading guide requires of messages sent through the API.
        """
        raw = bytes(raw)
        parsed = parsed if parsed is not None else parse_or_reject(raw)
        if internal_date is None:
            internal_date = parsed.date if date_from_header and parsed.date else self.clock()
        with self._lock:
            labels = self._labels.require(label_ids)
            return self._store(raw, parsed, labels, int(internal_date * 1000), thread_id,
                               written_here=written_here)

    def require_labels(self, label_ids: Iterable[str]) -> tuple[str, ...]:
        """Return ``label_ids`` when the mailbox has every one; 400 naming the first not."""
        with self._lock:
            return self._labels.require(label_ids)

    def get_message(self, message_id: str) -> StoredMessage:
        """Return one message; 404 when unknown."""
        message = self._messages.get(message_id)
        if message is None:
            raise not_found()
        return message

    def list_messages(
        self,
        *,
        label_ids: Collection[str] = (),
        include_spam_trash: bool = False,
        query: str | None = None,
    ) -> list[StoredMessage]:
        """Return matching messages, newest first, as ``messages.list`` filters them."""
        keep = self._filter(label_ids, include_spam_trash, query)
        return [m for m in self._ordered() if keep(m)]

    def modify_messages(self, message_ids: Iterable[str], *, add: Iterable[str] = (),
                        remove: Iterable[str] = (), skip_unknown: bool = False,
                        ) -> list[StoredMessage]:
        """Add and remove labels on messages; 400 for unknown or fixed labels, and for a
        label added to a draft's message (Gmail's drafts guide: "Draft messages cannot
        have any label other than the DRAFT system label")."""
        ids = _batch_ids(message_ids)
        with self._lock:
            add_ids = self._modifiable(add)
            remove_ids = self._modifiable(remove)
            targets = self._resolve(ids, skip_unknown)
            if add_ids and any("DRAFT" in m.label_ids for m in targets):
                raise invalid_argument(DRAFT_LABELS_ONLY)
            return [self._relabel(m, add_ids, remove_ids) for m in targets]

    def trash_messages(self, message_ids: Iterable[str]) -> list[StoredMessage]:
        """Move messages to the trash (adds TRASH, drops SPAM); 404 for unknown ids."""
        with self._lock:
            return [self._relabel(m, ("TRASH",), ("SPAM",)) for m in self._resolve(message_ids)]

    def untrash_messages(self, message_ids: Iterable[str]) -> list[StoredMessage]:
        """Take messages out of the trash; 404 for unknown ids."""
        with self._lock:
            return [self._relabel(m, (), ("TRASH",)) for m in self._resolve(message_ids)]

    def delete_messages(self, message_ids: Iterable[str], *, skip_unknown: bool = False) -> None:
        """Delete messages permanently (and any draft they belong to)."""
        ids = _batch_ids(message_ids)
        with self._lock:
            for message in self._resolve(ids, skip_unknown):
                self._remove(message)

    def attachment(self, message_id: str, attachment_id: str) -> bytes:
        """Return one attachment's bytes; 404 for an unknown message, and Gmail's 400
        'Invalid attachment token' for an id this mailbox never issued for the message.

        Any id issued for the message, by any earlier fetch, resolves (see
        ``fakegmail.attachment_ids``).
        """
        message = self.get_message(message_id)
        part_id = self.attachment_ids.part_id(message_id, attachment_id)
        found = next((a for a in message.parsed.attachments.values()
                      if a.part_id == part_id), None) if part_id is not None else None
        if found is None:
            raise invalid_argument("Invalid attachment token")
        return found.data

    # -- threads ------------------------------------------------------------------------

    def get_thread(self, thread_id: str) -> StoredThread:
        """Return one thread with all its messages; 404 when unknown."""
        with self._lock:
            ids = self._threads.get(thread_id)
            if not ids:
                raise not_found()
            return StoredThread(thread_id, tuple(self._messages[i] for i in ids))

    def list_threads(
        self,
        *,
        label_ids: Collection[str] = (),
        include_spam_trash: bool = False,
        query: str | None = None,
    ) -> list[StoredThread]:
        """Return threads with at least one matching message, newest activity first."""
        keep = self._filter(label_ids, include_spam_trash, query)
        seen: dict[str, None] = {}
        for message in self._ordered():
            if message.thread_id not in seen and keep(message):
                seen[message.thread_id] = None
        threads = []
        for thread_id in seen:
            try:
                threads.append(self.get_thread(thread_id))
            except GmailError:
                continue  # deleted meanwhile
        return threads

    def modify_thread(self, thread_id: str, *, add: Iterable[str] = (),
                      remove: Iterable[str] = ()) -> StoredThread:
        """Add and remove labels on every message of a thread but its drafts, which keep
        DRAFT alone (as a conversation labelled in Gmail leaves its draft reply be)."""
        with self._lock:
            ids = [m.id for m in self.get_thread(thread_id).messages
                   if "DRAFT" not in m.label_ids]
            self.modify_messages(ids, add=add, remove=remove)
            return self.get_thread(thread_id)

    def trash_thread(self, thread_id: str) -> StoredThread:
        """Move every message of a thread to the trash."""
        with self._lock:
            self.trash_messages([m.id for m in self.get_thread(thread_id).messages])
            return self.get_thread(thread_id)

    def untrash_thread(self, thread_id: str) -> StoredThread:
        """Take every message of a thread out of the trash."""
        with self._lock:
            self.untrash_messages([m.id for m in self.get_thread(thread_id).messages])
            return self.get_thread(thread_id)

    def delete_thread(self, thread_id: str) -> None:
        """Delete every message of a thread permanently."""
        with self._lock:
            self.delete_messages([m.id for m in self.get_thread(thread_id).messages])

    # -- labels -------------------------------------------------------------------------

    def create_label(self, name: str, **fields: Any) -> dict[str, Any]:
        """Create a user label and return the Label resource; 409 when the name is taken."""
        with self._lock:
            return self._labels.create({**fields, "name": name})

    def list_labels(self) -> list[dict[str, Any]]:
        """Return every Label resource (without counts, as ``labels.list`` does)."""
        with self._lock:
            return self._labels.all()

    def get_label(self, label_id: str) -> dict[str, Any]:
        """Return one Label resource with its message and thread counts."""
        with self._lock:
            label = self._labels.get(label_id)
            messages = [m for m in self._messages.values() if label_id in m.label_ids]
        unread = [m for m in messages if "UNREAD" in m.label_ids]
        label.update(
            messagesTotal=len(messages),
            messagesUnread=len(unread),
            threadsTotal=len({m.thread_id for m in messages}),
            threadsUnread=len({m.thread_id for m in unread}),
        )
        return label

    def update_label(self, label_id: str, body: Mapping[str, Any], *,
                     replace_all: bool) -> dict[str, Any]:
        """Replace (``labels.update``) or patch (``labels.patch``) a user label."""
        with self._lock:
            return self._labels.update(label_id, body, replace=replace_all)

    def delete_label(self, label_id: str) -> None:
        """Delete a user label and take it off every message."""
        with self._lock:
            self._labels.delete(label_id)
            for message in list(self._messages.values()):
                if label_id in message.label_ids:
                    self._relabel(message, (), (label_id,))

    # -- drafts -------------------------------------------------------------------------

    def create_draft(self, raw: bytes, *, thread_id: str | None = None) -> StoredDraft:
        """Store ``raw`` as a new draft."""
        parsed = parse_or_reject(raw)
        with self._lock:
            message = self._store(bytes(raw), parsed, ("DRAFT",),
                                  int(self.clock() * 1000), thread_id, written_here=True)
            draft_id = f"r{int(message.id, 16) % 10**19:019d}"
            self._drafts[draft_id] = message.id
            return StoredDraft(draft_id, message)

    def get_draft(self, draft_id: str) -> StoredDraft:
        """Return one draft; 404 when unknown."""
        with self._lock:
            message_id = self._drafts.get(draft_id)
            if message_id is None:
                raise not_found()
            return StoredDraft(draft_id, self._messages[message_id])

    def list_drafts(self, *, include_spam_trash: bool = False,
                    query: str | None = None) -> list[StoredDraft]:
        """Return drafts whose messages match, newest first."""
        keep = self._filter((), include_spam_trash, query)
        with self._lock:
            by_message = {m: d for d, m in self._drafts.items()}
        return [StoredDraft(by_message[m.id], m) for m in self._ordered()
                if m.id in by_message and keep(m)]

    def update_draft(self, draft_id: str, raw: bytes, *,
                     thread_id: str | None = None) -> StoredDraft:
        """Replace a draft's message (the draft keeps its id, the message gets a new one)."""
        parsed = parse_or_reject(raw)
        with self._lock:
            old = self.get_draft(draft_id).message
            self._remove(old, keep_draft=True)
            message = self._store(bytes(raw), parsed, ("DRAFT",),
                                  int(self.clock() * 1000), thread_id or old.thread_id,
                                  written_here=True)
            self._drafts[draft_id] = message.id
            return StoredDraft(draft_id, message)

    def delete_draft(self, draft_id: str) -> None:
        """Delete a draft and its message."""
        with self._lock:
            self._remove(self.get_draft(draft_id).message)

    def take_draft(self, draft_id: str) -> StoredMessage:
        """Remove a draft for sending and return the message it held."""
        with self._lock:
            message = self.get_draft(draft_id).message
            self._remove(message)
            return message

    # -- history and profile ------------------------------------------------------------

    def history(self, start_id: int, *, types: Collection[HistoryType] = (),
                label_id: str | None = None) -> HistorySlice:
        """Return the changes after ``start_id``; 404 when it is older than those kept."""
        with self._lock:
            records = self._history.since(start_id, types=types, label_id=label_id)
            return HistorySlice(tuple(records), self._history.current_id)

    @property
    def history_id(self) -> int:
        """Return the mailbox's current historyId."""
        return self._history.current_id

    def profile(self) -> dict[str, Any]:
        """Return the Profile resource: address, totals and current historyId."""
        with self._lock:
            return {
                "emailAddress": self.email,
                "messagesTotal": len(self._messages),
                "threadsTotal": len(self._threads),
                "historyId": str(self._history.current_id),
            }

    # -- internals ----------------------------------------------------------------------

    def _new_id(self) -> str:
        self._last_number = max(self._last_number + 1, int(self.clock() * 1000) << 20)
        return f"{self._last_number:016x}"

    def _store(self, raw: bytes, parsed: ParsedMessage, labels: tuple[str, ...],
               internal_ms: int, requested_thread: str | None, *,
               written_here: bool = False) -> StoredMessage:
        message_id = self._new_id()
        thread_id = None if written_here and requested_thread is None else (
            self._choose_thread(parsed, requested_thread))
        thread_id = thread_id or message_id
        message = StoredMessage(
            id=message_id, thread_id=thread_id, raw=raw, parsed=parsed, label_ids=labels,
            internal_date=internal_ms, history_id=self._history.next_id(),
            search_headers=search_headers(parsed),
        )
        self._messages[message_id] = message
        self._threads.setdefault(thread_id, []).append(message_id)
        if parsed.message_id:
            self._by_rfc_id.setdefault(parsed.message_id, []).append(message_id)
        self._order = None
        self._history.record(HistoryRecord(message.history_id, HistoryType.MESSAGE_ADDED,
                                           message_id, thread_id, labels))
        return message

    def _choose_thread(self, parsed: ParsedMessage, requested: str | None) -> str | None:
        refs = list(parsed.references)
        if parsed.in_reply_to:
            refs.append(parsed.in_reply_to)
        if not refs:
            return None
        subject = thread_subject(parsed.subject)
        candidates: list[str] = []
        for ref in reversed(refs):
            for found in self._by_rfc_id.get(ref, ()):
                other = self._messages[found]
                if thread_subject(other.parsed.subject) == subject:
                    candidates.append(other.thread_id)
        if requested is not None and requested in candidates:
            return requested
        return candidates[0] if candidates else None

    def _remove(self, message: StoredMessage, *, keep_draft: bool = False) -> None:
        if self._messages.pop(message.id, None) is None:
            return
        siblings = self._threads.get(message.thread_id, [])
        if message.id in siblings:
            siblings.remove(message.id)
        if not siblings:
            self._threads.pop(message.thread_id, None)
        rfc_id = message.parsed.message_id
        if rfc_id and message.id in self._by_rfc_id.get(rfc_id, []):
            self._by_rfc_id[rfc_id].remove(message.id)
            if not self._by_rfc_id[rfc_id]:
                del self._by_rfc_id[rfc_id]
        if not keep_draft:
            for draft_id, held in list(self._drafts.items()):
                if held == message.id:
                    del self._drafts[draft_id]
        self._order = None
        self._history.record(HistoryRecord(self._history.next_id(), HistoryType.MESSAGE_DELETED,
                                           message.id, message.thread_id, message.label_ids))

    def _relabel(self, message: StoredMessage, add: Iterable[str],
                 remove: Iterable[str]) -> StoredMessage:
        current = self._messages.get(message.id, message)
        removed = tuple(x for x in dict.fromkeys(remove) if x in current.label_ids)
        kept = tuple(x for x in current.label_ids if x not in removed)
        added = tuple(x for x in dict.fromkeys(add) if x not in kept)
        if not removed and not added:
            return current
        labels = kept + added
        history_id = current.history_id
        for kind, changed in ((HistoryType.LABEL_REMOVED, removed),
                              (HistoryType.LABEL_ADDED, added)):
            if changed:
                history_id = self._history.next_id()
                self._history.record(HistoryRecord(history_id, kind, current.id,
                                                   current.thread_id, labels, changed))
        updated = replace(current, label_ids=labels, history_id=history_id)
        self._messages[current.id] = updated
        return updated

    def _modifiable(self, label_ids: Iterable[str]) -> tuple[str, ...]:
        labels = self._labels.require(label_ids)
        for label_id in labels:
            if label_id in FIXED_LABELS:
                raise invalid_argument(f"Invalid label: {label_id}")  # Gmail's words
        return labels

    def _resolve(self, message_ids: Iterable[str],
                 skip_unknown: bool = False) -> list[StoredMessage]:
        found = []
        for message_id in message_ids:
            message = self._messages.get(message_id)
            if message is not None:
                found.append(message)
            elif not skip_unknown:
                raise not_found()
        return found

    def _ordered(self) -> list[StoredMessage]:
        with self._lock:
            if self._order is None:
                self._order = [m.id for m in sorted(
                    self._messages.values(), key=lambda m: (m.internal_date, m.id), reverse=True)]
            return [self._messages[i] for i in self._order]

    def _filter(self, label_ids: Collection[str], include_spam_trash: bool,
                query: str | None) -> Callable[[StoredMessage], bool]:
        with self._lock:
            wanted = frozenset(self._labels.require(label_ids))
            names = {k: normalize_label_name(v) for k, v in self._labels.user_names().items()}
        compiled = None
        if query and query.strip():
            try:
                compiled = compile_query(query, now=self.clock(), owner=self.email)
            except QueryError as error:
                raise invalid_argument(f"Invalid search query: {error}") from None
        hide = frozenset() if (include_spam_trash or wanted & {"SPAM", "TRASH"}
                               or (compiled is not None and compiled.mentions_spam_or_trash)
                               ) else frozenset({"SPAM", "TRASH"})

        def keep(message: StoredMessage) -> bool:
            labels = message.label_ids
            if hide and not hide.isdisjoint(labels):
                return False
            if not wanted.issubset(labels):
                return False
            if compiled is None:
                return True
            return compiled.matches(search_document(message, names))

        return keep


def _batch_ids(message_ids: Iterable[str]) -> list[str]:
    ids = list(dict.fromkeys(message_ids))
    if len(ids) > MAX_BATCH_IDS:
        raise invalid_argument(f"Number of ids cannot exceed {MAX_BATCH_IDS}")
    return ids
