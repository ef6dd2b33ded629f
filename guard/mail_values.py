"""Frozen values the guard returns for Gmail data, and the outgoing message a user writes.

The web client receives these, never raw Gmail JSON and never the client library. Bodies
are returned as Gmail holds them: ``html_body`` is UNSANITISED and must be sanitised
before it is rendered.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class ThreadSummary:
    """One row of a thread list: enough to draw the inbox without opening the thread."""

    id: str
    subject: str
    snippet: str
    participants: tuple[str, ...]
    message_count: int
    last_date: datetime | None
    unread: bool
    starred: bool
    important: bool
    has_attachments: bool
    label_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ThreadPage:
    """One page of threads, newest first, and the token of the next page."""

    threads: tuple[ThreadSummary, ...]
    next_page_token: str | None
    result_size_estimate: int


@dataclass(frozen=True, slots=True)
class MessageHeaders:
    """The decoded headers a client shows or needs to reply (addresses as header text)."""

    subject: str
    from_: str
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    bcc: tuple[str, ...] = ()
    reply_to: tuple[str, ...] = ()
    date: datetime | None = None
    message_id: str | None = None
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    #: Gmail's own Authentication-Results vouch for the From domain (DMARC, or aligned
    #: DKIM/SPF passed): see ``guard.sender_authentication``. False when unknown.
    sender_authenticated: bool = False


@dataclass(frozen=True, slots=True)
class AttachmentInfo:
    """An attachment (or inline part) of a message, without its bytes."""

    attachment_id: str
    part_id: str
    filename: str
    mime_type: str
    size: int
    content_id: str | None = None
    inline: bool = False


@dataclass(frozen=True, slots=True)
class ForwardedHeaders:
    """The headers of an attached message (message/rfc822), shown above its text.

    Values only, decoded: the web client names them in the reader's language. ``date``
    is None when the message has no Date a parser can read; ``date_written`` is the
    header as written ("" when absent).
    """

    from_: str = ""
    date: datetime | None = None
    date_written: str = ""
    subject: str = ""
    to: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class BodySection:
    """One stretch of a message's text in its two renditions, and whose text it is.

    ``depth`` 0 is the sender's own text; ``depth`` n is inside n attached messages. A
    section with ``forwarded`` set carries no text: it stands where an attached message
    begins, and its headers are shown there; the message's text follows one level deeper.
    ``html`` is UNSANITISED.
    """

    text: str | None
    html: str | None
    depth: int = 0
    forwarded: ForwardedHeaders | None = None


@dataclass(frozen=True, slots=True)
class Message:
    """One message: headers, bodies (HTML unsanitised) and attachment descriptions.

    ``text_body`` and ``html_body`` are the whole text, an attached message's under a
    plain separator line without its headers; ``sections`` holds the same text with the
    attached messages' headers, for a client to show them in the reader's language.
    """

    id: str
    thread_id: str
    label_ids: tuple[str, ...]
    headers: MessageHeaders
    snippet: str
    text_body: str | None
    html_body: str | None
    attachments: tuple[AttachmentInfo, ...]
    size_estimate: int
    internal_date: datetime | None
    sections: tuple[BodySection, ...] = ()


@dataclass(frozen=True, slots=True)
class Thread:
    """A conversation: its messages oldest first and the union of their labels."""

    id: str
    messages: tuple[Message, ...]
    label_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AttachmentData:
    """An attachment's bytes with the name and type its message gives it."""

    filename: str
    mime_type: str
    data: bytes


@dataclass(frozen=True, slots=True)
class OutgoingAttachment:
    """A file to attach to an outgoing message."""

    filename: str
    mime_type: str
    data: bytes


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """A message the user wrote; the guard turns it into RFC 5322 (see ``guard.outgoing``).

    Addresses are header text (``"Ann <ann@example.com>"`` or ``"ann@example.com"``). For a
    reply, give ``in_reply_to`` and ``references`` (Message-IDs with angle brackets) and the
    ``thread_id`` of the conversation.
    """

    from_: str
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    bcc: tuple[str, ...] = ()
    subject: str = ""
    text_body: str = ""
    html_body: str | None = None
    attachments: tuple[OutgoingAttachment, ...] = ()
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    thread_id: str | None = None


@dataclass(frozen=True, slots=True)
class SentMessage:
    """A sent message: Gmail's ids and the RFC 5322 Message-ID the guard gave it."""

    id: str
    thread_id: str
    label_ids: tuple[str, ...]
    message_id_header: str


@dataclass(frozen=True, slots=True)
class DraftRef:
    """A draft's id and the ids of the message it currently holds."""

    id: str
    message_id: str
    thread_id: str


@dataclass(frozen=True, slots=True)
class DraftPage:
    """One page of drafts and the token of the next page."""

    drafts: tuple[DraftRef, ...]
    next_page_token: str | None
    result_size_estimate: int


@dataclass(frozen=True, slots=True)
class Draft:
    """A draft with its full message."""

    id: str
    message: Message


@dataclass(frozen=True, slots=True)
class LabelInfo:
    """A label with its counters (counters are 0 when Gmail did not send them)."""

    id: str
    name: str
    type: str
    messages_total: int = 0
    messages_unread: int = 0
    threads_total: int = 0
    threads_unread: int = 0


@dataclass(frozen=True, slots=True)
class Profile:
    """The mailbox's address, totals and current history id."""

    email_address: str
    messages_total: int
    threads_total: int
    history_id: str


@dataclass(frozen=True, slots=True)
class SendAsAlias:
    """An address the mailbox may send as."""

    send_as_email: str
    display_name: str
    reply_to_address: str
    signature: str
    is_primary: bool
    is_default: bool
    verification_status: str


class HistoryKind(enum.Enum):
    """What happened to a message in a history record."""

    MESSAGE_ADDED = "messageAdded"
    MESSAGE_DELETED = "messageDeleted"
    LABELS_ADDED = "labelsAdded"
    LABELS_REMOVED = "labelsRemoved"


@dataclass(frozen=True, slots=True)
class HistoryChange:
    """One change to one message since a history id."""

    kind: HistoryKind
    message_id: str
    thread_id: str
    label_ids: tuple[str, ...]
    history_id: str
    #: The message's own labels as the record names them (empty when Gmail sent none).
    message_label_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class HistoryPage:
    """Changes since a history id, the mailbox's newest history id, and the next page."""

    changes: tuple[HistoryChange, ...]
    history_id: str
    next_page_token: str | None


@dataclass(frozen=True, slots=True)
class InboxListing:
    """The inbox's first page of conversations and every label with its counters."""

    page: ThreadPage
    labels: tuple[LabelInfo, ...]
