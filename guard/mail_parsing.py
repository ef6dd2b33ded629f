"""Turn Gmail's JSON resources into the guard's frozen values.

Which parts of a message are its text is ``guard.mail_bodies``; how header values are
decoded is ``guard.mail_headers``.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from guard.mail_bodies import b64url, is_attachment, message_body, mime_type, walk
from guard.mail_headers import (
    decode_header,
    display_name,
    message_headers,
    one_line,
    part_headers,
    split_sender,
)
from guard.mail_values import (
    AttachmentInfo,
    DraftRef,
    HistoryChange,
    HistoryKind,
    LabelInfo,
    Message,
    Profile,
    SendAsAlias,
    Thread,
    ThreadSummary,
)

Json = Mapping[str, Any]

#: The headers a thread summary needs (threads.get format=metadata).
SUMMARY_HEADERS = ("From", "To", "Subject", "Date")
#: A partial-response mask for thread summaries.
SUMMARY_FIELDS = ("id,historyId,messages(id,threadId,labelIds,snippet,internalDate,"
                  "payload(mimeType,headers))")
#: Header and body decoding live in their own modules; these names are read from here too.
__all__ = ["SUMMARY_FIELDS", "SUMMARY_HEADERS", "b64url", "decode_header", "draft_ref",
           "history_changes", "label", "message", "message_headers", "profile", "send_as",
           "snippet_text", "split_sender", "thread", "thread_summary"]


def _internal_date(value: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(value) / 1000, tz=UTC)
    except (TypeError, ValueError, OverflowError):
        return None


def _attachment(part: Json) -> AttachmentInfo:
    body = part.get("body") or {}
    headers = part_headers(part)
    filename = one_line(str(part.get("filename") or ""))
    disposition = headers.get("content-disposition", "").lower()
    content_id = headers.get("content-id", "").strip().strip("<>") or None
    return AttachmentInfo(
        attachment_id=str(body.get("attachmentId", "")), part_id=str(part.get("partId", "")),
        filename=filename, mime_type=mime_type(part) or "application/octet-stream",
        size=int(body.get("size") or 0), content_id=content_id,
        inline=disposition.startswith("inline") or (content_id is not None and not filename))


def message(resource: Json) -> Message:
    """Return a ``Message`` from a messages.get(format=full) resource.

    The text is chosen from the message's own structure (``guard.mail_bodies``); every
    file in it, those of an attached message too, is listed as an attachment.
    """
    payload = resource.get("payload") or {}
    body = message_body(payload)
    attachments = tuple(_attachment(part) for part in walk(payload) if is_attachment(part))
    return Message(
        id=str(resource.get("id", "")), thread_id=str(resource.get("threadId", "")),
        label_ids=tuple(resource.get("labelIds") or ()), headers=message_headers(payload),
        snippet=snippet_text(resource.get("snippet")), text_body=body.text,
        html_body=body.html, attachments=attachments,
        size_estimate=int(resource.get("sizeEstimate") or 0),
        internal_date=_internal_date(resource.get("internalDate")), sections=body.sections)


def thread(resource: Json) -> Thread:
    """Return a ``Thread`` from a threads.get(format=full) resource."""
    messages = tuple(message(m) for m in resource.get("messages") or ())
    labels = sorted({label for m in messages for label in m.label_ids})
    return Thread(id=str(resource.get("id", "")), messages=messages, label_ids=tuple(labels))


def thread_summary(resource: Json) -> ThreadSummary:
    """Return a ``ThreadSummary`` from a threads.get(format=metadata) resource."""
    messages = list(resource.get("messages") or ())
    labels: set[str] = set()
    participants: list[str] = []
    has_attachments = False
    for m in messages:
        labels.update(m.get("labelIds") or ())
        payload = m.get("payload") or {}
        sender = display_name(part_headers(payload).get("from", ""))
        if sender and sender not in participants:
            participants.append(sender)
        if str(payload.get("mimeType", "")).lower() == "multipart/mixed":
            has_attachments = True
    first = (messages[0].get("payload") or {}) if messages else {}
    last = messages[-1] if messages else {}
    unread = any("UNREAD" in (m.get("labelIds") or ()) for m in messages)
    return ThreadSummary(
        id=str(resource.get("id", "")),
        subject=decode_header(part_headers(first).get("subject", "")),
        snippet=snippet_text(last.get("snippet")), participants=tuple(participants),
        message_count=len(messages), last_date=_internal_date(last.get("internalDate")),
        unread=unread, starred="STARRED" in labels, important="IMPORTANT" in labels,
        has_attachments=has_attachments, label_ids=tuple(sorted(labels)))


def label(resource: Json) -> LabelInfo:
    """Return a ``LabelInfo`` from a label resource."""
    return LabelInfo(id=str(resource.get("id", "")), name=str(resource.get("name", "")),
                     type=str(resource.get("type", "user")),
                     messages_total=int(resource.get("messagesTotal") or 0),
                     messages_unread=int(resource.get("messagesUnread") or 0),
                     threads_total=int(resource.get("threadsTotal") or 0),
                     threads_unread=int(resource.get("threadsUnread") or 0))


def profile(resource: Json) -> Profile:
    """Return a ``Profile`` from users.getProfile."""
    return Profile(email_address=str(resource.get("emailAddress", "")),
                   messages_total=int(resource.get("messagesTotal") or 0),
                   threads_total=int(resource.get("threadsTotal") or 0),
                   history_id=str(resource.get("historyId", "")))


def send_as(resource: Json) -> SendAsAlias:
    """Return a ``SendAsAlias`` from a sendAs resource."""
    return SendAsAlias(send_as_email=str(resource.get("sendAsEmail", "")),
                       display_name=str(resource.get("displayName", "")),
                       reply_to_address=str(resource.get("replyToAddress", "")),
                       signature=str(resource.get("signature", "")),
                       is_primary=bool(resource.get("isPrimary", False)),
                       is_default=bool(resource.get("isDefault", False)),
                       verification_status=str(resource.get("verificationStatus", "")))


def draft_ref(resource: Json) -> DraftRef:
    """Return a ``DraftRef`` from a draft resource."""
    msg = resource.get("message") or {}
    return DraftRef(id=str(resource.get("id", "")), message_id=str(msg.get("id", "")),
                    thread_id=str(msg.get("threadId", "")))


_HISTORY_KEYS = (("messagesAdded", HistoryKind.MESSAGE_ADDED),
                 ("messagesDeleted", HistoryKind.MESSAGE_DELETED),
                 ("labelsAdded", HistoryKind.LABELS_ADDED),
                 ("labelsRemoved", HistoryKind.LABELS_REMOVED))


def history_changes(records: Iterable[Json]) -> tuple[HistoryChange, ...]:
    """Flatten history records into one change per message and kind."""
    changes: list[HistoryChange] = []
    for record in records:
        hid = str(record.get("id", ""))
        for key, kind in _HISTORY_KEYS:
            for item in record.get(key) or ():
                msg = item.get("message") or {}
                labels = item.get("labelIds") if kind in (HistoryKind.LABELS_ADDED,
                                                          HistoryKind.LABELS_REMOVED) \
                    else msg.get("labelIds")
                changes.append(HistoryChange(
                    kind=kind, message_id=str(msg.get("id", "")),
                    thread_id=str(msg.get("threadId", "")), label_ids=tuple(labels or ()),
                    history_id=hid,
                    message_label_ids=tuple(str(i) for i in msg.get("labelIds") or ())))
    return tuple(changes)


def snippet_text(value: Any) -> str:
    """Return a snippet as text: Gmail hands snippets out HTML-escaped (``I&#39;m``).

    Control characters (an escaped ``&#27;`` too) are removed as in headers (``one_line``).
    """
    return one_line(html.unescape(value)) if isinstance(value, str) else ""
