"""Decode MIME bytes leniently: transfer encodings, charsets, RFC 2047 header words, HTML.

Nothing here raises on bad input: a wrong or unknown charset falls back to UTF-8 and then
Latin-1, broken base64 is salvaged, and undecodable encoded-words stay as they are.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import html
import re

_ENCODED_WORD = re.compile(rb"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")
_BETWEEN_WORDS = re.compile(rb"^[ \t\r\n]*$")
_BASE64_JUNK = re.compile(rb"[^A-Za-z0-9+/]")
_WS = re.compile(r"\s+")
_HTML_DROP = re.compile(
    r"<(script|style|head|title)\b.*?</\1\s*>|<!--.*?-->", re.IGNORECASE | re.DOTALL
)
_HTML_BREAK = re.compile(r"<(?:br|/p|/div|/tr|/li|/h[1-6]|/table)\b[^>]*>", re.IGNORECASE)
_HTML_TAG = re.compile(r"<[^>]*>")


def decode_transfer(body: bytes, encoding: str | None) -> bytes:
    """Undo the Content-Transfer-Encoding, leniently."""
    cte = (encoding or "").strip().lower()
    if cte == "base64":
        try:
            return binascii.a2b_base64(body)  # skips line breaks and stray characters
        except (binascii.Error, ValueError):
            pass
        cleaned = _BASE64_JUNK.sub(b"", body.split(b"=", 1)[0])
        cleaned = cleaned[: len(cleaned) - len(cleaned) % 4] if len(cleaned) % 4 == 1 else cleaned
        cleaned += b"=" * (-len(cleaned) % 4)
        try:
            return base64.b64decode(cleaned)
        except (binascii.Error, ValueError):
            return body
    if cte == "quoted-printable":
        return binascii.a2b_qp(body)
    return body


def decode_text(data: bytes, charset: str | None) -> str:
    """Decode ``data`` in ``charset``, falling back to UTF-8 and then Latin-1; never raise."""
    if charset:
        try:
            return data.decode(_codec(charset))
        except (LookupError, UnicodeDecodeError, ValueError):
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _codec(charset: str) -> str:
    """Return a Python codec name for a MIME charset label (RFC 2231 language stripped)."""
    name = charset.split("*", 1)[0].strip().strip('"').lower()
    if name in ("", "unknown-8bit", "x-unknown", "us-ascii", "ascii"):
        # Mislabelled 8-bit text is overwhelmingly UTF-8; ascii is a subset of it.
        return "utf-8"
    codecs.lookup(name)
    return name


def decode_header_bytes(data: bytes, charset: str | None) -> str:
    """Decode raw header bytes (8-bit headers are taken as UTF-8, else Latin-1)."""
    try:
        return data.decode(_codec(charset) if charset else "utf-8")
    except (LookupError, UnicodeDecodeError, ValueError):
        return decode_text(data, None)


def decode_header_value(value: bytes | str) -> str:
    """Unfold a header value and decode its RFC 2047 encoded-words to Unicode."""
    if isinstance(value, str):
        value = value.encode("utf-8", "surrogateescape")
    value = value.replace(b"\r\n", b"\n").replace(b"\n", b"")
    if b"=?" not in value:
        return decode_header_bytes(value, None)
    out: list[str] = []
    position = 0
    pending_charset: str | None = None
    pending: bytearray = bytearray()

    def flush() -> None:
        nonlocal pending_charset
        if pending_charset is not None:
            out.append(decode_header_bytes(bytes(pending), pending_charset))
            pending.clear()
            pending_charset = None

    for word in _ENCODED_WORD.finditer(value):
        between = value[position: word.start()]
        if pending_charset is None or not _BETWEEN_WORDS.match(between):
            flush()
            out.append(decode_header_bytes(between, None))
        charset = word.group(1).decode("ascii", "replace")
        decoded = _decode_word(word.group(2), word.group(3))
        if pending_charset is not None and pending_charset.lower() != charset.lower():
            flush()
        pending_charset = charset
        pending.extend(decoded)
        position = word.end()
    flush()
    out.append(decode_header_bytes(value[position:], None))
    return "".join(out)


def _decode_word(kind: bytes, text: bytes) -> bytes:
    """Decode the payload of one encoded-word (B or Q)."""
    if kind in (b"b", b"B"):
        cleaned = _BASE64_JUNK.sub(b"", text.split(b"=", 1)[0])
        if len(cleaned) % 4 == 1:
            cleaned = cleaned[:-1]
        try:
            return base64.b64decode(cleaned + b"=" * (-len(cleaned) % 4))
        except (binascii.Error, ValueError):
            return text
    return binascii.a2b_qp(text.replace(b"_", b" "))


def html_to_text(markup: str) -> str:
    """Convert HTML to plain text: drop scripts and styles, strip tags, unescape entities."""
    text = _HTML_DROP.sub(" ", markup)
    text = _HTML_BREAK.sub("\n", text)
    text = _HTML_TAG.sub(" ", text)
    text = html.unescape(text)
    return "\n".join(_WS.sub(" ", line).strip() for line in text.splitlines() if line.strip())
