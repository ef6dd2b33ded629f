"""Render stored mail as Gmail's JSON resources: Message, Thread, Draft, History."""

from __future__ import annotations

import base64
import enum
from collections.abc import Iterable, Sequence
from typing import Any

from fakegmail.attachment_ids import AttachmentIds, issue_in_payload
from fakegmail.history import HistoryRecord
from fakegmail.mailbox import StoredDraft, StoredMessage, StoredThread
from fakegmail.mime import ParsedMessage


class MessageFormat(enum.Enum):
    """The ``format`` values of messages.get, threads.get and drafts.get."""

    MINIMAL = "minimal"
    METADATA = "metadata"
    FULL = "full"
    RAW = "raw"


def message_ref(message: StoredMessage) -> dict[str, Any]:
    """Return ``{"id", "threadId"}`` as list answers carry it."""
    return {"id": message.id, "threadId": message.thread_id}


def message_labels(message: StoredMessage) -> dict[str, Any]:
    """Return ``{"id", "threadId", "labelIds"}`` as send, modify and trash answer.

    Like every list in Gmail's JSON, ``labelIds`` is left out when it is empty.
    """
    out = message_ref(message)
    if message.label_ids:
        out["labelIds"] = list(message.label_ids)
    return out


def message_json(message: StoredMessage, fmt: MessageFormat = MessageFormat.FULL,
                 metadata_headers: Sequence[str] = (), *,
                 attachment_ids: AttachmentIds | None = None) -> dict[str, Any]:
    """Return the Message resource in ``fmt``.

    With ``attachment_ids`` (the mailbox's), every attachment gets a freshly issued id, as
    each Gmail answer does; without, the parsed placeholders stay (they never resolve).
    """
    parsed = message.parsed
    out: dict[str, Any] = {"id": message.id, "threadId": message.thread_id}
    if message.label_ids:
        out["labelIds"] = list(message.label_ids)
    out["snippet"] = parsed.snippet
    if fmt is MessageFormat.FULL:
        out["payload"] = parsed.payload
        if attachment_ids is not None:
            out["payload"] = issue_in_payload(
                parsed.payload, attachment_placeholders(parsed),
                lambda part_id: attachment_ids.issue(message.id, part_id))
    elif fmt is MessageFormat.METADATA:
        out["payload"] = metadata_payload(parsed, metadata_headers)
    out["sizeEstimate"] = parsed.size_estimate
    if fmt is MessageFormat.RAW:
        out["raw"] = base64.urlsafe_b64encode(message.raw).decode("ascii")
    out["historyId"] = str(message.history_id)
    out["internalDate"] = str(message.internal_date)
    return out


def metadata_payload(parsed: ParsedMessage, metadata_headers: Sequence[str] = (),
                     ) -> dict[str, Any]:
    """Return the ``payload`` of a metadata-format message: its type and chosen headers
    (left out, as Gmail leaves out empty lists, when none is chosen)."""
    out: dict[str, Any] = {"mimeType": parsed.payload.get("mimeType", "text/plain")}
    headers = _headers(parsed.payload.get("headers", []), metadata_headers)
    if headers:
        out["headers"] = headers
    return out


def attachment_placeholders(parsed: ParsedMessage) -> dict[str, str]:
    """Return the parsed payload's placeholder attachment ids, each with its part id."""
    return {a.attachment_id: a.part_id for a in parsed.attachments.values()}


def thread_json(thread: StoredThread, fmt: MessageFormat = MessageFormat.FULL,
                metadata_headers: Sequence[str] = (), *,
                attachment_ids: AttachmentIds | None = None) -> dict[str, Any]:
    """Return the Thread resource with its messages in ``fmt``."""
    return {
        "id": thread.id,
        "historyId": str(thread.history_id),
        "messages": [message_json(m, fmt, metadata_headers, attachment_ids=attachment_ids)
                     for m in thread.messages],
    }


def thread_summary(thread: StoredThread) -> dict[str, Any]:
    """Return a thread as threads.list lists it."""
    return {"id": thread.id, "snippet": thread.snippet, "historyId": str(thread.history_id)}


def draft_json(draft: StoredDraft, fmt: MessageFormat | None = None,
               metadata_headers: Sequence[str] = (), *,
               attachment_ids: AttachmentIds | None = None) -> dict[str, Any]:
    """Return the Draft resource; without ``fmt`` the message carries only ids and labels."""
    if fmt is None:
        message = message_labels(draft.message)
    else:
        message = message_json(draft.message, fmt, metadata_headers,
                               attachment_ids=attachment_ids)
    return {"id": draft.id, "message": message}


def draft_summary(draft: StoredDraft) -> dict[str, Any]:
    """Return a draft as drafts.list lists it."""
    return {"id": draft.id, "message": message_ref(draft.message)}


def history_json(records: Iterable[HistoryRecord]) -> list[dict[str, Any]]:
    """Return History resources for ``records``."""
    return [record.to_json() for record in records]


def _headers(headers: list[dict[str, str]], wanted: Sequence[str]) -> list[dict[str, str]]:
    if not wanted:
        return headers
    names = {w.lower() for w in wanted}
    return [h for h in headers if h["name"].lower() in names]
