"""Gmail's media upload protocols: ``media``, ``multipart`` and ``resumable``.

Each turns a request into the same thing: the method's JSON metadata (a Message or Draft
body, possibly empty) and the RFC 5322 bytes. Resumable uploads keep a session between the
initiating request and the ``PUT`` requests that carry the bytes.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import Request

from fakegmail.binding import invalid_payload
from fakegmail.errors import GmailError, invalid_argument
from fakegmail.faults import FaultRule

DEFAULT_MAX_UPLOAD = 36_700_160
_BOUNDARY = re.compile(r'boundary="?([^";]+)"?', re.IGNORECASE)
_RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+|\*)$")
_QUERY_RANGE = re.compile(r"^bytes \*/(\d+|\*)$")
_DRAIN_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class Upload:
    """What an upload request carried: the JSON metadata and the message bytes."""

    metadata: dict[str, Any]
    raw: bytes


@dataclass(slots=True)
class UploadSession:
    """A resumable upload in progress."""

    id: str
    method_id: str
    email: str
    scopes: frozenset[str]
    metadata: dict[str, Any]
    args: Mapping[str, list[str]]
    view_args: Mapping[str, str]
    declared_size: int | None
    max_size: int
    received: bytearray = field(default_factory=bytearray)
    after_commit: FaultRule | None = None


class UploadSessions:
    """Open resumable sessions, shared by request threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sessions: dict[str, UploadSession] = {}

    def open(self, **fields: Any) -> UploadSession:
        """Start a session and return it (its id goes into the Location URL)."""
        session = UploadSession(id=secrets.token_urlsafe(24), **fields)
        with self._lock:
            self._sessions[session.id] = session
        return session

    def get(self, session_id: str) -> UploadSession | None:
        """Return an open session or None."""
        with self._lock:
            return self._sessions.get(session_id)

    def close(self, session_id: str) -> None:
        """Forget a finished session."""
        with self._lock:
            self._sessions.pop(session_id, None)


def too_large(max_size: int) -> GmailError:
    """Return Gmail's 413 for a message over ``max_size`` bytes."""
    return GmailError(413, f"Request Too Large: the message exceeds the {max_size}-byte limit "
                           "of this method; send a smaller message", reason="uploadTooLarge")


def read_body(request: Request, max_size: int) -> bytes:
    """Return the request body; 413 (after draining it) when it exceeds ``max_size``."""
    length = request.content_length
    if length is not None and length > max_size:
        _drain(request.stream)
        raise too_large(max_size)
    data = request.get_data(cache=False)
    if len(data) > max_size:
        raise too_large(max_size)
    return data


def parse_simple_upload(request: Request, max_size: int) -> Upload:
    """Read a ``media`` or ``multipart`` upload request."""
    upload_type = request.args.get("uploadType", "media")
    body = read_body(request, max_size + 64 * 1024 if upload_type == "multipart" else max_size)
    content_type = request.headers.get("Content-Type", "")
    if upload_type == "media":
        _check_media_type(content_type)
        return Upload({}, body)
    if upload_type == "multipart":
        upload = parse_multipart_related(body, content_type)
        if len(upload.raw) > max_size:
            raise too_large(max_size)
        return upload
    raise invalid_argument(f"Invalid uploadType '{upload_type}': use media, multipart or "
                           "resumable")


def parse_multipart_related(body: bytes, content_type: str) -> Upload:
    """Split a multipart/related body into its JSON part and its message part."""
    match = _BOUNDARY.search(content_type)
    if not content_type.lower().startswith("multipart/related") or match is None:
        raise invalid_argument("Invalid multipart upload: send Content-Type multipart/related "
                               "with a boundary")
    parts = _split_parts(body, match.group(1).encode())
    if len(parts) != 2:
        raise invalid_argument("Invalid multipart upload: expected exactly two parts, the "
                               "JSON metadata and the message")
    (meta_headers, meta_body), (media_headers, media_body) = parts
    _check_media_type(media_headers.get("content-type", ""))
    return Upload(parse_json_object(meta_body), media_body)


def parse_json_object(data: bytes) -> dict[str, Any]:
    """Parse a JSON object request body (empty means ``{}``); 400 otherwise."""
    if not data.strip():
        return {}
    try:
        value = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        raise invalid_argument("Invalid JSON payload received.") from None
    if not isinstance(value, dict):
        raise invalid_payload(
            ["Invalid JSON payload received. Root element must be a message."], [None])
    return value


def accept_chunk(session: UploadSession, request: Request) -> bool:
    """Add a ``PUT`` chunk to ``session``; return True when the upload is complete."""
    content_range = request.headers.get("Content-Range", "").strip()
    data = read_body(request, session.max_size)
    query = _QUERY_RANGE.match(content_range)
    if query:
        total = query.group(1)
        return total != "*" and len(session.received) == int(total)
    if not content_range:
        session.received.extend(data)
        total_size = len(session.received)
    else:
        match = _RANGE.match(content_range)
        if match is None:
            raise invalid_argument("Invalid Content-Range: use 'bytes first-last/total'")
        first, last, total = int(match.group(1)), int(match.group(2)), match.group(3)
        if first != len(session.received) or last - first + 1 != len(data):
            raise invalid_argument("Invalid Content-Range: it must continue at byte "
                                   f"{len(session.received)} and match the body length")
        session.received.extend(data)
        total_size = int(total) if total != "*" else -1
    if len(session.received) > session.max_size:
        raise too_large(session.max_size)
    return len(session.received) == total_size


def resumable_range(session: UploadSession) -> str | None:
    """Return the ``Range`` header for a 308 answer (None before the first byte)."""
    if not session.received:
        return None
    return f"bytes=0-{len(session.received) - 1}"


def declared_upload_size(request: Request, max_size: int) -> int | None:
    """Return X-Upload-Content-Length of a resumable start; 413 when over ``max_size``."""
    _check_media_type(request.headers.get("X-Upload-Content-Type", "message/rfc822"))
    value = request.headers.get("X-Upload-Content-Length")
    if value is None:
        return None
    try:
        size = int(value)
    except ValueError:
        raise invalid_argument("Invalid X-Upload-Content-Length: give the size in bytes"
                               ) from None
    if size > max_size:
        raise too_large(max_size)
    return size


def _check_media_type(content_type: str) -> None:
    media_type = content_type.split(";", 1)[0].strip().lower()
    if not media_type.startswith("message/"):
        raise invalid_argument(f"Media type '{media_type or 'none'}' is not supported. "
                               "Valid media types: [message/*]")


def _split_parts(body: bytes, boundary: bytes) -> list[tuple[dict[str, str], bytes]]:
    delimiter = b"--" + boundary
    pieces = body.split(delimiter)
    parts = []
    for piece in pieces[1:]:
        if piece.startswith(b"--"):
            break
        if piece.startswith(b"\r\n"):
            piece = piece[2:]
        elif piece.startswith(b"\n"):
            piece = piece[1:]
        if piece.endswith(b"\r\n"):
            piece = piece[:-2]
        elif piece.endswith(b"\n"):
            piece = piece[:-1]
        parts.append(_split_part(piece))
    return parts


def _split_part(piece: bytes) -> tuple[dict[str, str], bytes]:
    candidates = [i for i in (piece.find(b"\r\n\r\n"), piece.find(b"\n\n")) if i >= 0]
    if piece.startswith((b"\r\n", b"\n")):
        return {}, piece.lstrip(b"\r").lstrip(b"\n")
    if not candidates:
        return _headers(piece), b""
    cut = min(candidates)
    sep = 4 if piece[cut:cut + 4] == b"\r\n\r\n" else 2
    return _headers(piece[:cut]), piece[cut + sep:]


def _headers(block: bytes) -> dict[str, str]:
    headers: dict[str, str] = {}
    for line in block.decode("latin-1").splitlines():
        name, _, value = line.partition(":")
        if value:
            headers[name.strip().lower()] = value.strip()
    return headers


def _drain(stream: Any, reader: Callable[[int], bytes] | None = None) -> None:
    read = reader or stream.read
    while read(_DRAIN_CHUNK):
        pass
