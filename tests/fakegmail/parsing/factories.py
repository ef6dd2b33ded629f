"""Build raw test messages byte by byte, so odd and broken structures are exactly as written."""

from __future__ import annotations

import base64
from collections.abc import Iterable

CRLF = b"\r\n"


def raw(headers: Iterable[tuple[str, str] | bytes], body: bytes = b"") -> bytes:
    """Return a message from header pairs (or raw header lines) and a body."""
    lines = []
    for header in headers:
        if isinstance(header, bytes):
            lines.append(header)
        else:
            lines.append(f"{header[0]}: {header[1]}".encode())
    return CRLF.join(lines) + CRLF + CRLF + body


def part(content_type: str, body: bytes, *extra: str, encoding: str | None = None) -> bytes:
    """Return one MIME entity (headers, blank line, body)."""
    lines = [f"Content-Type: {content_type}"]
    if encoding:
        lines.append(f"Content-Transfer-Encoding: {encoding}")
    lines.extend(extra)
    return "\r\n".join(lines).encode() + CRLF + CRLF + body


def multipart(subtype: str, boundary: str, *children: bytes, close: bool = True) -> bytes:
    """Return a multipart entity containing ``children``."""
    out = [f'Content-Type: multipart/{subtype}; boundary="{boundary}"'.encode(), b"", b""]
    body = b"".join(b"--" + boundary.encode() + CRLF + child + CRLF for child in children)
    if close:
        body += b"--" + boundary.encode() + b"--" + CRLF
    return CRLF.join(out[:1]) + CRLF + CRLF + body


def message(entity: bytes, *headers: tuple[str, str]) -> bytes:
    """Prefix a MIME entity with top-level headers."""
    base = [("From", "Siti Rahayu <siti@example.com>"), ("To", "ayu@qontak-demo.test"),
            ("Subject", "Test"), ("MIME-Version", "1.0"), *headers]
    top = CRLF.join(f"{k}: {v}".encode() for k, v in base) + CRLF
    return top + entity


def b64(data: bytes) -> bytes:
    """Base64 with 76-character lines, as mail software writes it."""
    encoded = base64.b64encode(data)
    return CRLF.join(encoded[i:i + 76] for i in range(0, len(encoded), 76))


def decode_data(body: dict[str, object]) -> bytes:
    """Decode a Gmail ``body.data`` value the way the client library does."""
    data = body["data"]
    assert isinstance(data, str)
    return base64.urlsafe_b64decode(data)
