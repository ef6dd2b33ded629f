"""Choose the text of a message from its MIME structure, as mail clients do.

The body is read from the message's own structure, never from anywhere in the tree:
``multipart/alternative`` shows the richest of its parts it can show (HTML over plain
text; of two alike, the last, as RFC 2046 orders them), ``multipart/mixed`` (and any other
multipart) shows its inline text parts one after the other, ``multipart/related`` shows
its root. An attached message (``message/rfc822``) is never taken for the sender's own
text: it is shown after it as a forwarded block that names its sender, date and subject,
the way Thunderbird shows an attached message below the text.

Bodies are decoded from base64url with the charset their part declares; HTML is left as
sent (the web client sanitises it). When plain and HTML parts are shown together, the
plain ones are escaped into HTML, so both renditions hold every part.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from guard.mail_headers import decode_header, part_headers

Json = Mapping[str, Any]

#: Deeper structures are not read for a body (Gmail nests far less; a fuzzer nests more).
MAX_DEPTH = 64
#: Between two parts of a mixed message, in each rendition.
TEXT_SEPARATOR = "\n\n"
HTML_SEPARATOR = "\n<hr>\n"
#: The headers of an attached message shown above its text, in this order.
FORWARDED_HEADERS = ("From", "Date", "Subject", "To")
_START = re.compile(r';\s*start\s*=\s*"?<?([^">;]*)>?"?', re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Body:
    """The text of a message (or of one of its parts) in its two renditions.

    ``html`` is None when nothing shown is HTML; ``text`` is None when nothing shown is
    plain text (an HTML-only message).
    """

    text: str | None
    html: str | None


def b64url(data: str) -> bytes:
    """Decode Gmail's base64url (padding optional)."""
    return base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))


def _charset(part: Json) -> str:
    """Return the charset the part's (first) Content-Type declares, else utf-8."""
    for piece in part_headers(part).get("content-type", "").split(";")[1:]:
        key, _, val = piece.strip().partition("=")
        if key.lower() == "charset":
            return val.strip().strip('"') or "utf-8"
    return "utf-8"


def part_text(part: Json) -> str:
    """Return a text part's data as text."""
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


def mime_type(part: Json) -> str:
    """Return a part's MIME type, lower-case."""
    return str(part.get("mimeType", "")).lower()


def is_attachment(part: Json) -> bool:
    """Tell whether a part is a file (Gmail gave it an attachment id, or it has a name)."""
    body = part.get("body") or {}
    filename = str(part.get("filename") or "")
    return bool(body.get("attachmentId")) or bool(
        filename and not mime_type(part).startswith("multipart/"))


def walk(part: Json) -> Iterator[Json]:
    """Yield every part, depth first, in the message's order (attached messages too)."""
    yield part
    for child in part.get("parts") or ():
        yield from walk(child)


def _plain_as_html(text: str) -> str:
    """Return plain text as escaped HTML that keeps its line breaks."""
    escaped = html.escape(text.replace("\r\n", "\n"), quote=False)
    return "<div>" + escaped.replace("\n", "<br>\n") + "</div>"


def _as_html(body: Body) -> str:
    return body.html if body.html is not None else _plain_as_html(body.text or "")


def _one_after_another(bodies: list[Body]) -> Body | None:
    """Return the parts of a mixed message shown in order, empty ones left out."""
    shown = [b for b in bodies if (b.html or "").strip() or (b.text or "").strip()]
    if not shown:
        return bodies[0] if bodies else None
    texts = [b.text for b in shown if b.text is not None and b.text.strip()]
    text = TEXT_SEPARATOR.join(texts) if texts else None
    if all(b.html is None for b in shown):
        return Body(text=text, html=None)
    return Body(text=text, html=HTML_SEPARATOR.join(_as_html(b) for b in shown))


def _richest(bodies: list[Body]) -> Body | None:
    """Return the alternative a client shows: the last HTML one, or the last plain one.

    The plain rendition is kept beside it (replies quote it), from the last alternative
    that has one.
    """
    rich = [b for b in bodies if b.html is not None]
    plain = [b for b in bodies if b.text is not None]
    if not rich and not plain:
        return None
    return Body(text=plain[-1].text if plain else None,
                html=rich[-1].html if rich else None)


def _root(part: Json, children: list[Json]) -> Json | None:
    """Return the root of a multipart/related: the part its ``start`` names, or the first."""
    found = _START.search(part_headers(part).get("content-type", ""))
    if found and found.group(1).strip():
        wanted = found.group(1).strip()
        for child in children:
            if part_headers(child).get("content-id", "").strip().strip("<>") == wanted:
                return child
    return children[0] if children else None


def _forwarded(part: Json, depth: int) -> Body | None:
    """Return an attached message as a block: its sender, date and subject, then its text."""
    inner = next(iter(part.get("parts") or ()), None)
    if inner is None:
        return None
    headers = part_headers(inner)
    lines = [f"{name}: {decode_header(headers[name.lower()])}" for name in FORWARDED_HEADERS
             if headers.get(name.lower(), "").strip()]
    body = _body(inner, depth + 1) or Body(text="", html=None)
    text = "\n".join(["-" * 10, *lines]) + "\n\n" + (body.text or "")
    if body.html is None:
        return Body(text=text, html=None)
    heading = "<br>\n".join(html.escape(line, quote=False) for line in lines)
    return Body(text=text if body.text is not None else None,
                html=f"<div>{heading}</div>\n<blockquote>{body.html}</blockquote>")


def _body(part: Json, depth: int = 0) -> Body | None:
    """Return what a client shows of ``part`` as the message's text, or None."""
    if depth > MAX_DEPTH or is_attachment(part):
        return None
    headers = part_headers(part)
    if "attachment" in headers.get("content-disposition", "").lower():
        return None
    mime = mime_type(part)
    if mime == "text/plain":
        return Body(text=part_text(part), html=None)
    if mime == "text/html":
        return Body(text=None, html=part_text(part))
    if mime == "message/rfc822":
        return _forwarded(part, depth)
    children = list(part.get("parts") or ())
    if not mime.startswith("multipart/") or not children:
        return None
    if mime == "multipart/related":
        root = _root(part, children)
        return None if root is None else _body(root, depth + 1)
    bodies = [b for b in (_body(child, depth + 1) for child in children) if b is not None]
    if mime == "multipart/alternative":
        return _richest(bodies)
    return _one_after_another(bodies)


def message_body(payload: Json) -> Body:
    """Return the text a client shows of a message payload (format=full)."""
    return _body(payload) or Body(text=None, html=None)
