"""Choose the text of a message from its MIME structure, as mail clients do.

The body is read from the message's own structure, never from anywhere in the tree:
``multipart/alternative`` shows the richest of its parts it can show (HTML over plain
text; of two alike, the last, as RFC 2046 orders them), ``multipart/mixed`` (and any other
multipart) shows its inline text parts one after the other, ``multipart/related`` shows
its root. An attached message (``message/rfc822``) is never taken for the sender's own
text: it is shown after it as a forwarded block under its sender, date and subject, the
way Thunderbird shows an attached message below the text. The guard gives those headers
as values (``ForwardedHeaders``) in the body's sections; the web client names them in the
reader's language.

Bodies are decoded from base64url with the charset their part declares; HTML is left as
sent (the web client sanitises it). When plain and HTML parts are shown together, the
plain ones are escaped into HTML, so both renditions hold every part.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

from guard.mail_headers import (
    address_list,
    decode_header,
    from_value,
    header_date,
    part_headers,
)
from guard.mail_values import BodySection, ForwardedHeaders

Json = Mapping[str, Any]

#: Deeper structures are not read for a body (Gmail nests far less; a fuzzer nests more).
MAX_DEPTH = 64
#: Between two parts of a mixed message, in each rendition.
TEXT_SEPARATOR = "\n\n"
HTML_SEPARATOR = "\n<hr>\n"
#: Where an attached message begins, in the renditions that do not name its headers.
FORWARDED_SEPARATOR = "-" * 10
_START = re.compile(r';\s*start\s*=\s*"?<?([^">;]*)>?"?', re.IGNORECASE)


Heading = Callable[[ForwardedHeaders], str]


@dataclass(frozen=True, slots=True)
class Body:
    """The text of a message (or of one of its parts), section by section.

    ``text`` and ``html`` join the sections with a plain separator where an attached
    message begins; a client that names its headers joins them itself
    (``joined_text``, ``joined_html``).
    """

    sections: tuple[BodySection, ...]

    @property
    def text(self) -> str | None:
        """Return the plain rendition, or None when nothing shown is plain text."""
        return joined_text(self.sections, heading=_separator_only)

    @property
    def html(self) -> str | None:
        """Return the HTML rendition (UNSANITISED), or None when nothing shown is HTML."""
        return joined_html(self.sections, content=section_as_html,
                           heading=lambda _headers: f"<div>{FORWARDED_SEPARATOR}</div>")


def _separator_only(_headers: ForwardedHeaders) -> str:
    return FORWARDED_SEPARATOR


def _shows(section: BodySection) -> bool:
    return bool((section.html or "").strip() or (section.text or "").strip())


def joined_text(sections: tuple[BodySection, ...], *, heading: Heading) -> str | None:
    """Return the plain rendition of ``sections``, each attached message under ``heading``.

    None when no section is plain text and none begins an attached message.
    """
    if all(s.text is None and s.forwarded is None for s in sections):
        return None
    pieces = [heading(s.forwarded) if s.forwarded is not None else s.text or ""
              for s in sections if s.forwarded is not None or (s.text or "").strip()]
    return TEXT_SEPARATOR.join(pieces)


def joined_html(sections: tuple[BodySection, ...], *,
                content: Callable[[BodySection], str], heading: Heading,
                quote: str = "<blockquote>") -> str | None:
    """Return the HTML rendition of ``sections``, or None when no section is HTML.

    Each attached message's text is in a blockquote (opened by ``quote``) under
    ``heading``; parts of one level are set apart by a rule. ``content`` gives a
    section's HTML (its plain text as HTML when it has no HTML).
    """
    if all(s.html is None for s in sections):
        return None
    out: list[str] = []
    depth = 0
    apart = False
    for section in sections:
        if section.forwarded is None and not _shows(section):
            continue
        while depth > section.depth:
            out.append("</blockquote>")
            depth -= 1
            apart = True
        while depth < section.depth:
            out.append(quote)
            depth += 1
            apart = False
        if apart:
            out.append(HTML_SEPARATOR)
        out.append(content(section) if section.forwarded is None
                   else heading(section.forwarded))
        apart = True
    out.extend(["</blockquote>"] * depth)
    return "".join(out)


def section_as_html(section: BodySection) -> str:
    """Return a section's HTML (UNSANITISED), or its plain text escaped into HTML."""
    return section.html if section.html is not None else _plain_as_html(section.text or "")


def _leaf(*, text: str | None = None, html_text: str | None = None) -> Body:
    return Body((BodySection(text=text, html=html_text),))


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


def _one_after_another(bodies: list[Body]) -> Body | None:
    """Return the parts of a mixed message shown in order, empty ones left out."""
    shown = [b for b in bodies if any(s.forwarded is not None or _shows(s) for s in b.sections)]
    if not shown:
        return bodies[0] if bodies else None
    return Body(tuple(section for body in shown for section in body.sections))


def _richest(bodies: list[Body]) -> Body | None:
    """Return the alternative a client shows: the last HTML one, or the last plain one.

    The plain rendition is kept beside a single HTML section (for a text-only reader), from the
    last alternative that has one.
    """
    rich = [b for b in bodies if b.html is not None]
    plain = [b for b in bodies if b.text is not None]
    if not rich:
        return plain[-1] if plain else None
    chosen = rich[-1]
    if plain and len(chosen.sections) == len(plain[-1].sections) == 1:
        (html_section,), (text_section,) = chosen.sections, plain[-1].sections
        if html_section.forwarded is None and text_section.forwarded is None:
            return Body((replace(html_section, text=text_section.text),))
    return chosen


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
    """Return an attached message: where it begins (its headers), then its text."""
    inner = next(iter(part.get("parts") or ()), None)
    if inner is None:
        return None
    headers = part_headers(inner)
    written_date = decode_header(headers.get("date", ""))
    begins = BodySection(text=None, html=None, forwarded=ForwardedHeaders(
        from_=from_value(headers["from"]) if headers.get("from", "").strip() else "",
        date=header_date(headers.get("date")), date_written=written_date,
        subject=decode_header(headers.get("subject", "")),
        to=address_list(headers.get("to"))))
    body = _body(inner, depth + 1)
    inside = tuple(replace(s, depth=s.depth + 1) for s in body.sections) if body else ()
    return Body((begins, *inside))


def _body(part: Json, depth: int = 0) -> Body | None:
    """Return what a client shows of ``part`` as the message's text, or None."""
    if depth > MAX_DEPTH or is_attachment(part):
        return None
    headers = part_headers(part)
    if "attachment" in headers.get("content-disposition", "").lower():
        return None
    mime = mime_type(part)
    if mime == "text/plain":
        return _leaf(text=part_text(part))
    if mime == "text/html":
        return _leaf(html_text=part_text(part))
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
    return _body(payload) or Body(())
