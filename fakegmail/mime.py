"""Parse raw RFC 5322 messages into Gmail's ``MessagePart`` JSON and search fields.

Gmail is lenient: broken multipart boundaries, wrong or unknown charsets, raw 8-bit
headers and absurd nesting all still produce a message. Only input that is not a message
at all (empty, or no header block) raises :class:`MimeError`.

The MIME tree is split iteratively with an explicit stack (the stdlib feed parser recurses
per nesting level and slows down quadratically), so a 10,000-part or deeply nested
message parses without recursion errors; nesting below :data:`MAX_DEPTH` is kept as an
opaque leaf. Per-part header semantics (parameters, RFC 2231 filenames, charsets) come
from the stdlib ``email`` package with the lenient ``compat32`` policy; byte and charset
decoding is in ``mime_decoding``, header-field reading in ``mime_fields``.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from email.message import Message
from email.policy import compat32
from types import MappingProxyType
from typing import Any

from fakegmail.mime_decoding import (
    decode_header_bytes,
    decode_header_value,
    decode_text,
    decode_transfer,
    html_to_text,
)
from fakegmail.mime_fields import first_msgid, header_addresses, message_ids, parse_date_header

MAX_DEPTH = 64
"""Nesting deeper than this many multipart levels is kept as one undivided leaf part."""

SNIPPET_LENGTH = 200

_HEADER_NAME = re.compile(rb"[!-9;-~]+[ \t]*:")
_BLANK_LINE = re.compile(rb"\r?\n\r?\n")
_WS = re.compile(r"\s+")


class MimeError(ValueError):
    """The input is not an email message: it is empty or has no header block."""


@dataclass(frozen=True, slots=True)
class Attachment:
    """One attachment (or inline image) of a message, addressed by its attachment id."""

    attachment_id: str
    part_id: str
    filename: str
    mime_type: str
    data: bytes


@dataclass(frozen=True, slots=True)
class ParsedMessage:
    """Everything the emulator derives from one raw message."""

    payload: dict[str, Any]
    headers: tuple[tuple[str, str], ...]
    snippet: str
    size_estimate: int
    attachments: Mapping[str, Attachment]
    text: str
    date: float | None
    subject: str
    message_id: str | None
    in_reply_to: str | None
    references: tuple[str, ...]
    filenames: tuple[str, ...]
    from_address: str
    to_addresses: tuple[str, ...]
    cc_addresses: tuple[str, ...]
    bcc_addresses: tuple[str, ...]

    def header(self, name: str) -> str | None:
        """Return the first top-level header called ``name`` (any case), or None."""
        wanted = name.lower()
        for key, value in self.headers:
            if key.lower() == wanted:
                return value
        return None


@dataclass(slots=True)
class _Collector:
    """Mutable state gathered while walking one message's parts."""

    raw_digest: bytes
    attachments: dict[str, Attachment] = field(default_factory=dict)
    plain: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    filenames: list[str] = field(default_factory=list)


def parse_message(raw: bytes) -> ParsedMessage:
    """Parse ``raw`` RFC 5322 bytes the way Gmail does for ``messages.get(format=full)``."""
    if not isinstance(raw, bytes | bytearray | memoryview):
        raise MimeError("pass the message as bytes (the RFC 5322 text, not a str or object)")
    raw = bytes(raw)
    start = 0
    if raw.startswith(b"From "):  # mbox separator line
        newline = raw.find(b"\n")
        start = len(raw) if newline < 0 else newline + 1
    if not _HEADER_NAME.match(raw, start):
        raise MimeError(
            "input is not an email message: it must start with a header line "
            "such as 'From: ...' followed by a blank line and the body"
        )
    collector = _Collector(raw_digest=hashlib.sha256(raw).digest())
    payload = _walk(raw[start:], collector)
    headers = tuple((h["name"], h["value"]) for h in payload["headers"])
    first: dict[str, str] = {}
    for name, value in headers:
        first.setdefault(name.lower(), value)
    text_parts = collector.plain or collector.html
    text = "\n".join(text_parts)
    snippet_source = collector.plain[0] if collector.plain else (
        collector.html[0] if collector.html else ""
    )
    return ParsedMessage(
        payload=payload,
        headers=headers,
        snippet=_snippet(snippet_source),
        size_estimate=len(raw),
        attachments=MappingProxyType(collector.attachments),
        text=text,
        date=parse_date_header(first.get("date")),
        subject=first.get("subject", ""),
        message_id=first_msgid(first.get("message-id")),
        in_reply_to=first_msgid(first.get("in-reply-to")),
        references=message_ids(first.get("references", "")),
        filenames=tuple(collector.filenames),
        from_address=next(iter(header_addresses(headers, "from")), ""),
        to_addresses=header_addresses(headers, "to"),
        cc_addresses=header_addresses(headers, "cc"),
        bcc_addresses=header_addresses(headers, "bcc"),
    )


def _snippet(text: str) -> str:
    """Return Gmail's snippet: the start of the text with whitespace collapsed, HTML-escaped.

    Gmail escapes ``& < > " '`` in snippets (``I&#39;m``), so clients unescape them.
    """
    collapsed = _WS.sub(" ", text[: SNIPPET_LENGTH * 20]).strip()
    return collapsed[:SNIPPET_LENGTH].rstrip().translate(_SNIPPET_ESCAPES)


_SNIPPET_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;",
                                  "'": "&#39;"})


@dataclass(slots=True)
class _Pending:
    """A part whose bytes are known but whose node is not filled in yet."""

    node: dict[str, Any]
    data: bytes
    depth: int
    default_type: str
    alternative_has_plain: bool


def _walk(raw: bytes, collector: _Collector) -> dict[str, Any]:
    """Build the payload tree for ``raw`` without recursion, in document order."""
    root: dict[str, Any] = {"partId": ""}
    stack = [_Pending(root, raw, 0, "text/plain", False)]
    while stack:
        item = stack.pop()
        children = _fill(item, collector)
        for child in reversed(children):
            stack.append(child)
    return root


def _fill(item: _Pending, collector: _Collector) -> list[_Pending]:
    """Fill ``item.node`` and return the child parts still to be filled."""
    node = item.node
    header_list, body = _split_headers(item.data)
    message = Message(policy=compat32)
    message.set_default_type(item.default_type)
    for name, value in header_list:
        message[name] = value
    mime_type = message.get_content_type()
    node["mimeType"] = mime_type
    filename = _filename(message)
    node["filename"] = filename
    node["headers"] = [{"name": n, "value": v} for n, v in header_list]
    part_id = node["partId"]

    if mime_type.startswith("multipart/") and item.depth < MAX_DEPTH:
        boundary = message.get_param("boundary")
        chunks = _split_multipart(body, boundary) if isinstance(boundary, str) else None
        if chunks is not None:
            node["body"] = {"size": 0}
            node["parts"] = []
            child_default = "message/rfc822" if mime_type == "multipart/digest" else "text/plain"
            has_plain = mime_type == "multipart/alternative" and any(
                _looks_plain(chunk) for chunk in chunks
            )
            pending = []
            for index, chunk in enumerate(chunks):
                child_id = f"{part_id}.{index}" if part_id else str(index)
                child: dict[str, Any] = {"partId": child_id}
                node["parts"].append(child)
                pending.append(_Pending(
                    child, chunk, item.depth + 1, child_default,
                    has_plain or item.alternative_has_plain,
                ))
            return pending
    if mime_type == "message/rfc822" and not filename and item.depth < MAX_DEPTH:
        inner = decode_transfer(body, message.get("content-transfer-encoding"))
        if _HEADER_NAME.match(inner):
            child_id = f"{part_id}.0" if part_id else "0"
            child = {"partId": child_id}
            node["body"] = {"size": 0}
            node["parts"] = [child]
            return [_Pending(child, inner, item.depth + 1, "text/plain", False)]

    data = decode_transfer(body, message.get("content-transfer-encoding"))
    disposition = (message.get("content-disposition") or "").split(";", 1)[0].strip().lower()
    maintype = mime_type.split("/", 1)[0]
    is_attachment = bool(filename) or disposition == "attachment" or (
        message.get("content-id") is not None and maintype not in ("text", "multipart")
    )
    if is_attachment:
        attachment_id = _attachment_id(collector.raw_digest, part_id, data)
        node["body"] = {"size": len(data), "attachmentId": attachment_id}
        collector.attachments[attachment_id] = Attachment(
            attachment_id=attachment_id,
            part_id=part_id,
            filename=filename,
            mime_type=mime_type,
            data=data,
        )
        if filename:
            collector.filenames.append(filename)
        return []
    if maintype == "text" or maintype == "multipart":
        text = decode_text(data, message.get_content_charset())
        data = text.encode("utf-8")
        if mime_type == "text/html":
            if not item.alternative_has_plain:
                collector.html.append(html_to_text(text))
        elif mime_type in ("text/plain", "text/enriched") or maintype == "multipart":
            collector.plain.append(text)
    node["body"] = {"size": len(data), "data": base64.urlsafe_b64encode(data).decode("ascii")}
    if data == b"":
        node["body"] = {"size": 0}
    return []


def _split_headers(data: bytes) -> tuple[list[tuple[str, str]], bytes]:
    """Split a part into decoded, unfolded headers and its undecoded body bytes."""
    match = _BLANK_LINE.search(data)
    if data.startswith(b"\r\n"):
        return [], data[2:]
    if data.startswith(b"\n"):
        return [], data[1:]
    block, body = (data[: match.start()], data[match.end():]) if match else (data, b"")
    # Each header's lines are gathered in a list and joined once: adding each folded line
    # to the value made a header of 100,000 folds cost a second, and grow with the square.
    headers: list[tuple[bytes, list[bytes]]] = []
    lines = block.split(b"\n")
    for position, line in enumerate(lines):
        line = line.rstrip(b"\r")
        if line[:1] in (b" ", b"\t") and headers:
            headers[-1][1].append(line)
            continue
        if not _HEADER_NAME.match(line):
            # Not a header: the header block ended without a blank line.
            rest = b"\n".join(lines[position:])
            body = rest + (data[match.start():] if match else b"")
            break
        name, _, value = line.partition(b":")
        headers.append((name.strip(), [value.lstrip(b" \t")]))
    decoded = [
        (decode_header_bytes(raw_name, None), decode_header_value(b"\n".join(raw_lines)))
        for raw_name, raw_lines in headers
    ]
    return decoded, body


def _looks_plain(chunk: bytes) -> bool:
    """Tell whether an alternative's chunk declares itself text/plain (or declares nothing)."""
    header_list, _ = _split_headers(chunk)
    for name, value in header_list:
        if name.lower() == "content-type":
            return value.split(";", 1)[0].strip().lower() == "text/plain"
    return True


def _split_multipart(body: bytes, boundary: str) -> list[bytes] | None:
    """Return the parts between ``boundary`` delimiters, or None if no delimiter occurs."""
    boundary = boundary.strip()
    if not boundary:
        return None
    marker = b"--" + boundary.encode("utf-8", "surrogateescape")
    chunks: list[bytes] = []
    start: int | None = None
    for line_start, line_end, closing in _delimiters(body, marker):
        if start is not None:
            end = line_start
            if body[end - 2: end] == b"\r\n":
                end -= 2
            elif body[end - 1: end] == b"\n":
                end -= 1
            chunks.append(body[start:max(end, start)])
        if closing:
            start = None
            break
        start = line_end
    else:
        if start is None:
            return None
    if start is not None:  # no closing delimiter: the last part runs to the end
        chunks.append(body[start:])
    return chunks


def _delimiters(body: bytes, marker: bytes) -> Iterator[tuple[int, int, bool]]:
    """Yield (start, end past the line break, is-closing) for each delimiter line."""
    length = len(body)
    position = 0
    while (at := body.find(marker, position)) >= 0:
        position = at + len(marker)
        if at and body[at - 1] != 0x0A:
            continue  # not at the start of a line
        cursor = position
        closing = body.startswith(b"--", cursor)
        if closing:
            cursor += 2
        while cursor < length and body[cursor] in (0x20, 0x09):
            cursor += 1
        if cursor < length and body[cursor] == 0x0D:
            cursor += 1
        if cursor < length:
            if body[cursor] != 0x0A:
                continue  # a longer boundary that merely starts with ours
            cursor += 1
        yield at, cursor, closing


def _filename(message: Message) -> str:
    """Return the part's filename (RFC 2231 or encoded-word forms decoded), or ""."""
    try:
        name = message.get_filename()
    except (LookupError, ValueError, TypeError, UnicodeError):
        name = None
    if not name:
        return ""
    if "=?" in name:
        name = decode_header_value(name)
    return name.strip()


def _attachment_id(raw_digest: bytes, part_id: str, data: bytes) -> str:
    """Derive an opaque, deterministic attachment id from the message, part id and content."""
    digest = hashlib.sha512(raw_digest + part_id.encode("ascii") + b"\0" + data).digest()
    return "AN" + base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")
