"""Build the compose form of a reply, reply-all or forward: subject, recipients, quote.

The text quoted or forwarded is the version of the message the reader saw, under their
name, so what the conversation page showed decides it (see ``_plain_text``); threading
headers carry the whole ancestry so Gmail and other clients keep the conversation.
"""

from __future__ import annotations

import re

from flask_babel import gettext as _
from flask_babel import to_user_timezone

from guard.mail_values import Message, MessageHeaders
from webclient.bidi_text import neutralise_bidi
from webclient.invisible_text import readable_text
from webclient.mail.compose_form import ComposeForm
from webclient.mail.html_text import html_to_text
from webclient.mail.mailbox_link import BoundMailbox
from webclient.mail.message_body import plain_text
from webclient.mail.message_view import (
    addresses,
    from_parts,
    readable_addresses,
    shows_html,
    written_address,
)
from webclient.mail.recipients import unique_addresses
from webclient.mail.send_as import own_addresses

#: Leading "Re:" or "Fwd:" prefixes (English, German, Indonesian), repeated or not.
_REPLY_PREFIXES = re.compile(r"^\s*((re|aw|balas)\s*:\s*)+", re.IGNORECASE)
_FORWARD_PREFIXES = re.compile(r"^\s*((fwd?|wg|terus)\s*:\s*)+", re.IGNORECASE)


def subject_with(prefix: str, subject: str) -> str:
    """Return ``subject`` with one ``prefix`` (``Re:`` or ``Fwd:``) in front, as Gmail does.

    Leading prefixes of the same kind are not repeated; one of the other kind stays, so a
    forwarded reply reads "Fwd: Re: ..." and a reply to a forward "Re: Fwd: ...".
    """
    same_kind = _FORWARD_PREFIXES if prefix.lower().startswith("fw") else _REPLY_PREFIXES
    base = same_kind.sub("", subject or "").strip()
    return f"{prefix} {base}".strip()


def _quote(box: BoundMailbox, message: Message) -> str:
    """Return a reply's quote of ``message``, its time in the reader's time zone.

    The conversation page shows that zone, so the quote names the same hour; the sender's
    own zone is named only in a forward, which copies the Date header with its offset.
    The sender's bidi controls in the From are made visible, as the page shows a raw From.
    """
    date = message.headers.date
    when = to_user_timezone(date).strftime("%Y-%m-%d %H:%M") if date else ""
    quoted = "\n".join("> " + line for line in _plain_text(box, message).splitlines())
    return "\n\n" + readable_text(_("On %(when)s, %(who)s wrote:", when=when,
                                    who=neutralise_bidi(message.headers.from_))) + "\n" + quoted


def _forwarded(box: BoundMailbox, message: Message) -> str:
    header = [_("---------- Forwarded message ---------"),
              _("From: %(who)s", who=neutralise_bidi(message.headers.from_))]
    if message.headers.date:
        header.append(_("Date: %(when)s",
                        when=message.headers.date.strftime("%Y-%m-%d %H:%M %z").strip()))
    header.append(_("Subject: %(subject)s", subject=message.headers.subject))
    if message.headers.to:
        header.append(_("To: %(who)s", who=neutralise_bidi(
            ", ".join(readable_addresses(message.headers.to)))))
    return "\n\n" + readable_text("\n".join(header)) + "\n\n" + _plain_text(box, message)


def _plain_text(box: BoundMailbox, message: Message) -> str:
    """Return the text a reply quotes or a forward carries, as the reader saw it.

    The version the conversation page shows (``shows_html``, the page's own choice): when
    it shows the HTML, the text that HTML shows (``html_to_text``), never the plain
    version, which a sender can fill with text the reader never saw; when it shows the
    plain text, that. An attached message comes under its headers in the reader's
    language; Gmail's snippet stands in when there is no text. Characters the reader could
    not see are removed (``readable_text``): the text goes out under the reader's name.
    """
    if shows_html(box, message):
        text = plain_text(message, html_as_text=html_to_text, html_first=True)
    else:
        text = plain_text(message)
    return readable_text(text if text and text.strip() else message.snippet or "")


def _references(headers: MessageHeaders) -> str:
    """Return the References of a reply to a message with ``headers`` (RFC 5322 3.6.4).

    The parent's References (or, without them, its single In-Reply-To) followed by the
    parent's Message-ID, so the whole ancestry is carried.
    """
    ancestry = list(headers.references)
    if not ancestry and headers.in_reply_to and len(headers.in_reply_to.split()) == 1:
        ancestry = [headers.in_reply_to.strip()]
    if headers.message_id and headers.message_id not in ancestry:
        ancestry.append(headers.message_id)
    return " ".join(ancestry)


def reply_form(box: BoundMailbox, message: Message, mode: str) -> ComposeForm:
    """Return the form of a reply, reply-all or forward of ``message``.

    A forward stays in the conversation, as Gmail threads it: same thread id,
    In-Reply-To and References as a reply.
    """
    headers = message.headers
    threading = {"in_reply_to": headers.message_id or "", "references": _references(headers),
                 "thread_id": message.thread_id}
    if mode == "forward":
        return ComposeForm(subject=subject_with("Fwd:", headers.subject),
                           body=_forwarded(box, message), forward_of=message.id, **threading)
    mine = own_addresses(box)
    sent_by_me = from_parts(headers.from_)[1].lower() in mine
    if sent_by_me:
        to = readable_addresses(headers.to)
    else:
        to = readable_addresses(headers.reply_to) or [written_address(*from_parts(
            headers.from_))]
    # The writer's own addresses are left out, unless nobody else is left (a note to self).
    to = unique_addresses(to, mine) or unique_addresses(to, frozenset())
    cc: list[str] = []
    if mode == "reply_all":
        seen = {a.lower() for a in addresses(tuple(to))}
        cc = unique_addresses(readable_addresses((*headers.to, *headers.cc)), mine | seen)
    return ComposeForm(to=", ".join(to), cc=", ".join(cc),
                       subject=subject_with("Re:", headers.subject), body=_quote(box, message),
                       **threading)
