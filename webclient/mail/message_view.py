"""What the conversation page shows of each message, and its body in the message frame."""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Callable, Set
from dataclasses import dataclass, replace

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeTimedSerializer
from markupsafe import escape

from guard.mail_headers import parse_address, parse_addresses
from guard.mail_parsing import decode_header, split_sender
from guard.mail_values import AttachmentInfo, Message, Thread
from webclient import preferences
from webclient.mail.mailbox_link import BoundMailbox
from webclient.mail.message_body import plain_text, sanitized_html
from webclient.sanitize import (
    MAX_INPUT_CHARS,
    FrameWords,
    SanitizedHtml,
    text_to_html,
)
from webclient.signed_in import user_id

INLINE_SALT = "mailguard.inline-part"
INLINE_MAX_AGE = 3600
#: Types a browser may show inline; everything else downloads as octet-stream.
INLINE_IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp",
                                "image/bmp"})
#: What the message frame says when a message has no text it can show, in the reader's
#: language (looked up when the frame is drawn).
NOTICE_PREVIEW_ONLY = _l("The text of this message could not be read; "
                         "only Gmail's preview of it is shown.")
NOTICE_ATTACHMENTS_ONLY = _l("This message has no text; its attachments are listed below it.")
NOTICE_NO_TEXT = _l("This message has no text.")
NOTICE_CLIPPED = _l("This message is too long to show in full; only its beginning is shown.")
BLOCKED_IMAGE = _l("Image")
BLOCKED_IMAGE_TITLE = _l("Remote image blocked")
NOTICE_UNSAFE = _l("This message could not be displayed safely.")


def frame_words() -> FrameWords:
    """Return what the sanitised body says to the reader, in the reader's language."""
    return FrameWords(blocked_image=str(BLOCKED_IMAGE),
                      blocked_image_title=str(BLOCKED_IMAGE_TITLE),
                      unrenderable=str(NOTICE_UNSAFE))


@dataclass(frozen=True, slots=True)
class MessageView:
    """One message of a conversation as the page shows it."""

    message: Message
    sender_name: str
    sender_address: str
    expanded: bool
    is_draft: bool
    unread: bool
    attachments: tuple[AttachmentInfo, ...]
    blocked_remote_images: int
    remote_images_allowed: bool
    suspicious_links: int
    frame_url: str
    frame_size: str = "tall"
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    #: Only in the writer's own copy: Gmail keeps Bcc there and nowhere else.
    bcc: tuple[str, ...] = ()
    #: The reader always shows this sender's images, but this message could not be
    #: verified as sent by them, so its images wait to be asked for again.
    trust_withheld: bool = False


def trusted_sender(message: Message) -> bool:
    """Return whether the reader chose to always show images from this message's sender."""
    return preferences.trusts_sender(user_id() or "", sender(message)[1])


def images_always_shown(message: Message) -> bool:
    """Return whether ``message``'s remote images load without being asked for.

    Only when the reader trusts its sender and Gmail authenticated the From domain: a From
    address is easily forged, and a forged trusted sender would otherwise get its tracking
    images loaded.
    """
    return message.headers.sender_authenticated and trusted_sender(message)


def from_parts(value: str) -> tuple[str, str]:
    """Return the display name and address of a From value as the guard gives it.

    The guard writes the name quoted where it needs to be (``"Santoso, Budi" <budi@...>``);
    older cached values may still be the decoded header as Gmail gives it
    (``Santoso, Budi <budi@...>``), which an address parser reads as two entries. Either
    way the address in the closing angle brackets is the one the message names, and a
    name holding ``<someone@...>`` never becomes the address.
    """
    return split_sender(value) or parse_address(value)


def sender(message: Message) -> tuple[str, str]:
    """Return the sender's display name (or address) and address."""
    name, address = from_parts(message.headers.from_)
    return (name or address or message.headers.from_), address.lower()


def addresses(values: tuple[str, ...]) -> list[str]:
    """Return the bare addresses of header values."""
    return [address for _name, address in parse_addresses(values) if address]


def written_address(name: str, address: str) -> str:
    """Return ``name <address>`` with the name quoted where RFC 5322 needs it.

    Unlike ``formataddr`` this keeps a non-ASCII name or address as text; the guard
    encodes each part the way its header needs.
    """
    if not name:
        return address
    if re.search(r'[][\\()<>@,:;".]', name):
        name = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{name} <{address}>"


def readable_addresses(values: tuple[str, ...]) -> list[str]:
    """Return the entries of address headers as ``name <address>`` with the names as text.

    The guard gives each recipient with its name as text; values cached before it did
    carry names encoded again (``=?utf-8?b?...?=``), which are decoded here, so a reader
    never sees the encoding and a reply never sends it as the name.
    """
    return [written_address(decode_header(name), address)
            for name, address in parse_addresses(values) if address]


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key or "", salt=INLINE_SALT)


def cid_part(message: Message, content_id: str) -> AttachmentInfo | None:
    """Return the part of ``message`` a ``cid:`` reference names, or None."""
    wanted = content_id.strip("<>")
    return next((a for a in message.attachments
                 if a.content_id and a.content_id.strip("<>") == wanted), None)


def inline_url(box: BoundMailbox, message: Message, content_id: str) -> str:
    """Return a signed URL for one inline (``cid:``) image of ``message``.

    The sandboxed message frame has an opaque origin, so its image requests may arrive
    without the session cookie; the signature binds the URL to this user, account,
    message and part, and expires after an hour. It carries the part id as well as the
    attachment id, which Gmail changes on every fetch of the message.
    """
    part = cid_part(message, content_id)
    if part is None:
        return "about:blank"
    token = _serializer().dumps([user_id(), box.account.index, message.id,
                                 part.attachment_id, part.part_id])
    return url_for("mail.inline_part", account=box.account.index, token=token)


def read_inline_token(token: str) -> tuple[str, int, str, str, str | None] | None:
    """Return (user id, account index, message id, attachment id, part id) of a valid
    token; the part id is None in a token made before it was carried."""
    try:
        value = _serializer().loads(token, max_age=INLINE_MAX_AGE)
    except BadSignature:
        return None
    if (not isinstance(value, list) or len(value) not in (4, 5)
            or not isinstance(value[0], str) or not isinstance(value[1], int)):
        return None
    part_id = str(value[4]) if len(value) == 5 else None
    return value[0], value[1], str(value[2]), str(value[3]), part_id


def render_body(box: BoundMailbox, message: Message, *, allow_remote_images: bool,
                shown_cids: set[str] | None = None) -> SanitizedHtml | str:
    """Return the sanitised HTML body, or the escaped plain-text body as HTML.

    :param shown_cids: collects the Content-IDs of the inline images the HTML body shows.
    """
    return body_or_text(message, shown_html(box, message,
                                            allow_remote_images=allow_remote_images,
                                            shown_cids=shown_cids))


def body_or_text(message: Message, shown: SanitizedHtml | None) -> SanitizedHtml | str:
    """Return ``shown`` (the HTML the frame shows), else the text version as HTML.

    A message with no readable text says so instead of showing an empty frame: Gmail's
    snippet stands in, marked as a preview, when the body is in a part the guard does not
    read as text (an unknown text type, a multipart whose boundary never occurs).
    """
    if shown is not None:
        return shown
    return text_version(message) or _no_text_notice(message)


def text_version(message: Message) -> str | None:
    """Return the text version of ``message`` as the frame's HTML, or None without text."""
    text = plain_text(message)
    if not (text and text.strip()):
        return None
    html = text_to_html(text)
    if len(text) > MAX_INPUT_CHARS:
        return _clipped_notice() + html
    return html


def shown_html(box: BoundMailbox, message: Message, *, allow_remote_images: bool,
               shown_cids: set[str] | None = None) -> SanitizedHtml | None:
    """Return the sanitised HTML the message frame shows, or None when it shows the text.

    Inline images are shown through this mailbox's inline route (``inline_url``); see
    ``seen_html`` for the choice itself.
    """
    def cid_url(cid: str) -> str:
        if shown_cids is not None:
            shown_cids.add(cid.strip("<>"))
        return inline_url(box, message, cid)

    return seen_html(message, allow_remote_images=allow_remote_images, cid_url=cid_url)


def seen_html(message: Message, *, allow_remote_images: bool,
              cid_url: Callable[[str], str] | None = None) -> SanitizedHtml | None:
    """Return the sanitised HTML a frame of ``message`` shows, or None when it shows text.

    The frame shows a message's HTML version when it has one and something of it is left
    after sanitising; when nothing is (all script, SVG or forms) the text version, or a
    notice, says more than an empty frame. The owner's conversation page, a reply's quote
    (``shows_html``), the staff console and a CRM transfer all follow this one choice, so
    each shows or sends what the owner saw. Without ``cid_url`` inline images are left
    out (the sanitiser counts them as removed); they never count as text.
    """
    if not message.html_body:
        return None
    body = sanitized_html(message, allow_remote_images=allow_remote_images,
                          cid_url=cid_url, words=frame_words())
    if body is not None and body.truncated:
        body = replace(body, html=_clipped_notice() + body.html)
    if body is None or _shows_nothing(body.html):
        return None
    return body


def shows_html(box: BoundMailbox, message: Message) -> bool:
    """Tell whether the message frame shows ``message``'s HTML version (else its text).

    Whether remote images load does not change the choice: a blocked image leaves its
    placeholder, which counts as something shown, as the image itself does.
    """
    return shown_html(box, message, allow_remote_images=False) is not None


_STYLE_BLOCK = re.compile(r"<style>.*?</style>", re.DOTALL)
_TAG = re.compile(r"<[^>]*>")
#: An image the sanitiser left without a source (an inline image no ``cid_url`` mapped).
_SOURCELESS_IMAGE = re.compile(r"<img(?![^>]*\ssrc=)[^>]*>")


def only_left_out_images(body: SanitizedHtml) -> bool:
    """Tell whether ``body``, sanitised without a ``cid_url``, shows nothing but the inline
    images it left out.

    ``seen_html`` counts such a body as shown, because its owner sees the images; a frame
    that may not show them (staff under the user's consent) would be empty. Without a
    source an image shows nothing, at most its ``alt`` text where the picture should be.
    """
    return ("cid-image" in body.removed
            and _shows_nothing(_SOURCELESS_IMAGE.sub("", body.html)))


def _shows_nothing(fragment: str) -> bool:
    """Tell whether a sanitised fragment has no text and no image to show."""
    if "<img" in fragment or "mg-blocked-image" in fragment:
        return False
    text = _TAG.sub("", _STYLE_BLOCK.sub("", fragment))
    return not html_lib.unescape(text).strip()


def _clipped_notice() -> str:
    """Return the note above a body that was cut before it could be shown."""
    return f'<p class="mg-unrenderable">{escape(NOTICE_CLIPPED)}</p>'


def _no_text_notice(message: Message) -> str:
    """Return the frame for a message without readable text: what is missing, and why."""
    if message.snippet.strip():
        return (f'<p class="mg-unrenderable">{escape(NOTICE_PREVIEW_ONLY)}</p>'
                + text_to_html(message.snippet))
    if listed_attachments(message, frozenset()):
        return f'<p class="mg-unrenderable">{escape(NOTICE_ATTACHMENTS_ONLY)}</p>'
    return f'<p class="mg-unrenderable">{escape(NOTICE_NO_TEXT)}</p>'


def listed_attachments(message: Message,
                       shown_cids: Set[str]) -> tuple[AttachmentInfo, ...]:
    """Return the attachments to list under ``message``: all but the images its body shows.

    Whether a part is marked inline does not matter: an inline part the HTML body does not
    show (a text part with a file name, an image no ``cid:`` refers to) is listed, or the
    reader could never open it; an image the body shows is not listed a second time.
    """
    return tuple(a for a in message.attachments if not (
        a.content_id and a.content_id.strip("<>") in shown_cids
        and a.mime_type.lower() in INLINE_IMAGE_TYPES))


#: Wrapped lines a short (or medium) plain-text body fits in without scrolling its frame.
SHORT_LINES = 6
MEDIUM_LINES = 18
_WRAP = 100


def frame_size(message: Message) -> str:
    """Return the frame height class for ``message``: short, medium or tall.

    The sandboxed frame cannot tell the page how tall its document is (it runs no script
    and has an opaque origin), so the page sizes it from the body; the reader can still
    drag it taller.
    """
    if message.html_body:
        markup = message.html_body.lower()
        small = len(markup) < 1500 and "<img" not in markup and "<table" not in markup
        return "medium" if small else "tall"
    text = message.text_body or message.snippet or ""
    lines = sum(max(1, -(-len(line) // _WRAP)) for line in text.splitlines() or [""])
    if lines <= SHORT_LINES:
        return "short"
    return "medium" if lines <= MEDIUM_LINES else "tall"


def message_views(box: BoundMailbox, thread: Thread, *, expand: str | None,
                  images_for: str | None) -> tuple[MessageView, ...]:
    """Return the page's view of each message; the last and the unread ones open."""
    views = []
    last = len(thread.messages) - 1
    for position, message in enumerate(thread.messages):
        name, address = sender(message)
        unread = "UNREAD" in message.label_ids
        trusted = trusted_sender(message)
        verified = message.headers.sender_authenticated
        allowed = images_for in (message.id, "all") or (trusted and verified)
        blocked = 0
        suspicious = 0
        shown_cids: set[str] = set()
        body = (render_body(box, message, allow_remote_images=allowed, shown_cids=shown_cids)
                if message.html_body else None)
        if isinstance(body, SanitizedHtml):
            blocked = body.blocked_remote_images
            suspicious = sum(1 for link in body.links
                             if link.mismatched or getattr(link, "punycode_host", None))
        views.append(MessageView(
            message=message, sender_name=name, sender_address=address,
            expanded=position == last or unread or expand in (message.id, "all"),
            is_draft="DRAFT" in message.label_ids, unread=unread,
            attachments=listed_attachments(message, shown_cids),
            blocked_remote_images=blocked, remote_images_allowed=allowed,
            suspicious_links=suspicious,
            frame_url=url_for("mail.frame", account=box.account.index,
                              message_id=message.id, images=1 if allowed else None),
            frame_size=frame_size(message),
            to=tuple(readable_addresses(message.headers.to)),
            cc=tuple(readable_addresses(message.headers.cc)),
            bcc=tuple(readable_addresses(message.headers.bcc)),
            trust_withheld=trusted and not verified))
    return tuple(views)
