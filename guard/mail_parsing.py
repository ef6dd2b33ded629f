"""Turn Gmail's JSON resources into the guard's frozen values.

Bodies are decoded from base64url with the charset their part declares; HTML is left
exactly as sent (the web client sanitises it). Header values are decoded from RFC 2047.
"""

from __future__ import annotations

import base64
import email.errors
import email.header
import email.utils
import html
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from guard.mail_values import (
    AttachmentInfo,
    DraftRef,
    HistoryChange,
    HistoryKind,
    LabelInfo,
    Message,
    MessageHeaders,
    Profile,
    SendAsAlias,
    Thread,
    ThreadSummary,
)

Json = Mapping[str, Any]

#: The headers a thread summary needs (threads.get format=metadata).
SUMMARY_HEADERS = ("From", "To", "Subject", "Date")
#: Characters that make a display name need quotes (RFC 5322 specials).
_SPECIALS = re.compile(r'[][\\()<>@,:;".]')
#: A partial-response mask for thread summaries.
SUMMARY_FIELDS = ("id,historyId,messages(id,threadId,labelIds,snippet,internalDate,"
                  "payload(mimeType,headers))")


def decode_header(value: str) -> str:
    """Return an RFC 2047 encoded header value as text."""
    try:
        return str(email.header.make_header(email.header.decode_header(value)))
    except (ValueError, LookupError, UnicodeError, email.errors.MessageError):
        # MessageError: HeaderParseError, and CharsetError for a charset name that is not
        # ASCII (=?\x80--utf-8?q?...?=): the value is shown as it came
        return value


def b64url(data: str) -> bytes:
    """Decode Gmail's base64url (padding optional)."""
    return base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))


def _headers(payload: Json) -> dict[str, str]:
    out: dict[str, str] = {}
    for header in payload.get("headers") or ():
        name = str(header.get("name", "")).lower()
        if name and name not in out:
            out[name] = str(header.get("value", ""))
    return out


def _name_and_address(name: str, address: str) -> str:
    """Return ``name <address>`` as text, or the bare address when there is no name.

    ``formataddr`` encodes a non-ASCII name again (``=?utf-8?b?...?=``) and refuses a
    non-ASCII address, which is valid mail (RFC 6532); here the name is kept as text and
    quoted where it needs quoting, and the address is written as sent.
    """
    if not name:
        return address
    if _SPECIALS.search(name):
        name = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{name} <{address}>"


def _address_list(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    pairs = email.utils.getaddresses([value])
    return tuple(_name_and_address(decode_header(n).strip(), a) for n, a in pairs if a)


#: A From value ending in ``<address>``: the name is everything before it.
_NAME_AND_ANGLE_ADDRESS = re.compile(r"(.*?)\s*<([^<>\s@]+@[^<>\s@]+)>\s*", re.DOTALL)


def split_sender(value: str) -> tuple[str, str] | None:
    """Return the name and address of a decoded From value, or None if it ends in no
    ``<address>``.

    Gmail hands header values out with their RFC 2047 words already decoded, so an encoded
    name has lost its quoting before the guard sees it: ``=?utf-8?q?Santoso=2C_Budi?=``
    arrives as ``Santoso, Budi <budi@...>``, which an address parser reads as two entries,
    and a name that decodes to ``Bank <support@bank.example>`` gives the first entry a
    false address. The address in the closing angle brackets is the one the message
    names; everything before it is the name (unquoted when it was quoted).
    """
    found = _NAME_AND_ANGLE_ADDRESS.fullmatch(value.strip())
    if found is None:
        return None
    name = found.group(1).strip()
    if len(name) >= 2 and name[0] == name[-1] == '"':
        name = re.sub(r"\\(.)", r"\1", name[1:-1])
    return name, found.group(2)


def _sender(value: str) -> tuple[str, str] | None:
    """Return the name and address of a From value as Gmail gives it (see split_sender)."""
    return split_sender(decode_header(value))


def _from(value: str) -> str:
    """Return a From value as ``name <address>`` text, the name quoted where it needs it.

    A value that does not end in ``<address>`` is given decoded, as it always was.
    """
    sender = _sender(value)
    return decode_header(value) if sender is None else _name_and_address(*sender)


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _internal_date(value: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(value) / 1000, tz=UTC)
    except (TypeError, ValueError, OverflowError):
        return None


def _display_name(value: str) -> str:
    """Return the decoded name of a From value, or its address."""
    sender = _sender(value)
    if sender is None:
        name, address = email.utils.parseaddr(decode_header(value))
        return name.strip() or address
    return sender[0] or sender[1]


def message_headers(payload: Json) -> MessageHeaders:
    """Return the decoded headers of a message payload."""
    h = _headers(payload)
    return MessageHeaders(
        subject=decode_header(h.get("subject", "")),
        from_=_from(h.get("from", "")),
        to=_address_list(h.get("to")), cc=_address_list(h.get("cc")),
        bcc=_address_list(h.get("bcc")), reply_to=_address_list(h.get("reply-to")),
        date=_date(h.get("date")), message_id=h.get("message-id") or None,
        in_reply_to=h.get("in-reply-to") or None,
        references=tuple(h.get("references", "").split()))


def _charset(part: Json) -> str:
    for header in part.get("headers") or ():
        if str(header.get("name", "")).lower() == "content-type":
            for piece in str(header.get("value", "")).split(";")[1:]:
                key, _, val = piece.strip().partition("=")
                if key.lower() == "charset":
                    return val.strip().strip('"') or "utf-8"
    return "utf-8"


def _text(part: Json) -> str:
    data = (part.get("body") or {}).get("data")
    if not data:
        return ""
    raw = b64url(str(data))
    try:
        # Gmail hands a text part's data out as UTF-8 while its headers keep the charset
        # the sender declared (ISO-8859-1, UTF-16, ...); decoding that UTF-8 by the
        # declared charset turned "¡" into "Â¡". Only data that is not UTF-8 is decoded by
        # the declared charset.
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode(_charset(part), errors="replace")
    except (LookupError, ValueError):  # unknown, malformed (NUL) or non-text codec names
        return raw.decode("utf-8", errors="replace")


def _walk(part: Json, parent: str = "") -> Iterable[tuple[Json, str]]:
    """Yield every part with its parent's MIME type, depth first, in the message's order."""
    yield part, parent
    mime = str(part.get("mimeType", "")).lower()
    for child in part.get("parts") or ():
        yield from _walk(child, mime)


def _joined(shown: str | None, more: str, parent: str, separator: str) -> str | None:
    """Return the body with ``more`` added: a second part of a mixed message is shown after
    the first (as mail clients do); a second alternative of the same type is not."""
    if shown is None:
        return more
    if parent == "multipart/alternative" or not more.strip():
        return shown
    return shown + separator + more


def message(resource: Json) -> Message:
    """Return a ``Message`` from a messages.get(format=full) resource."""
    payload = resource.get("payload") or {}
    text: str | None = None
    html: str | None = None
    attachments: list[AttachmentInfo] = []
    for part, parent in _walk(payload):
        mime = str(part.get("mimeType", "")).lower()
        body = part.get("body") or {}
        filename = str(part.get("filename") or "")
        headers = _headers(part)
        disposition = headers.get("content-disposition", "").lower()
        if body.get("attachmentId") or (filename and not mime.startswith("multipart/")):
            content_id = headers.get("content-id", "").strip().strip("<>") or None
            attachments.append(AttachmentInfo(
                attachment_id=str(body.get("attachmentId", "")),
                part_id=str(part.get("partId", "")), filename=filename,
                mime_type=mime or "application/octet-stream", size=int(body.get("size") or 0),
                content_id=content_id,
                inline=disposition.startswith("inline") or (content_id is not None
                                                            and not filename)))
            continue
        if "attachment" in disposition:
            continue
        if mime == "text/plain":
            text = _joined(text, _text(part), parent, "\n\n")
        elif mime == "text/html":
            html = _joined(html, _text(part), parent, "\n<hr>\n")
    return Message(
        id=str(resource.get("id", "")), thread_id=str(resource.get("threadId", "")),
        label_ids=tuple(resource.get("labelIds") or ()), headers=message_headers(payload),
        snippet=snippet_text(resource.get("snippet")), text_body=text, html_body=html,
        attachments=tuple(attachments), size_estimate=int(resource.get("sizeEstimate") or 0),
        internal_date=_internal_date(resource.get("internalDate")))


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
        sender = _display_name(_headers(payload).get("from", ""))
        if sender and sender not in participants:
            participants.append(sender)
        if str(payload.get("mimeType", "")).lower() == "multipart/mixed":
            has_attachments = True
    first = (messages[0].get("payload") or {}) if messages else {}
    last = messages[-1] if messages else {}
    unread = any("UNREAD" in (m.get("labelIds") or ()) for m in messages)
    return ThreadSummary(
        id=str(resource.get("id", "")),
        subject=decode_header(_headers(first).get("subject", "")),
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
    """Return a snippet as text: Gmail hands snippets out HTML-escaped (``I&#39;m``)."""
    return html.unescape(value) if isinstance(value, str) else ""
