"""``POST /batch/gmail/v1``: many Gmail calls in one multipart/mixed round trip.

Each ``application/http`` part is dispatched through this same application with its own
headers (so its own ``Authorization``), and answered as one part of a multipart/mixed
response whose Content-ID is ``<response-`` + the request part's id + ``>``. A failing part
fails only itself. As Google documents, the outer request's headers other than Content-*
apply to every part that does not set them itself (an outer ``Authorization`` covers the
parts that carry none).
"""

from __future__ import annotations

import json
import posixpath
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, request
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.test import EnvironBuilder, run_wsgi_app

from fakegmail.errors import invalid_argument, not_found

MAX_PARTS = 100
"""Gmail's limit; above it Gmail refuses the whole batch with its own wording, kept here."""
_BOUNDARY = re.compile(r'boundary="?([^";]+)"?', re.IGNORECASE)
_HEADER_END = re.compile(rb"\r?\n\r?\n")
_SKIPPED_HEADERS = {"content-length", "transfer-encoding", "connection"}
_NOT_INHERITED = {"host", "connection", "keep-alive", "transfer-encoding", "te", "upgrade",
                  "expect", "proxy-authorization", "trailer"}

blueprint = Blueprint("batch", __name__)


@dataclass(frozen=True, slots=True)
class PartRequest:
    """One HTTP request carried inside a batch."""

    content_id: str | None
    method: str
    path: str
    query: str
    headers: tuple[tuple[str, str], ...]
    body: bytes


@dataclass(frozen=True, slots=True)
class PartResponse:
    """One HTTP answer to put back into the batch response."""

    content_id: str | None
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


@blueprint.route("/batch/gmail/v1", methods=["POST"])
@blueprint.route("/batch", methods=["POST"])
def batch() -> Response:
    """Run every part of a multipart/mixed batch and answer in one multipart/mixed body."""
    parts = parse_batch(request.get_data(), request.headers.get("Content-Type", ""))
    if len(parts) > MAX_PARTS:
        raise invalid_argument(f"Inner request count exceeds the limit. Received: "
                               f"{len(parts)}, Limit: {MAX_PARTS}")
    inherited = inherited_headers(request.headers.items())
    answers = [_dispatch(part, inherited) for part in parts]
    boundary = "batch_" + secrets.token_hex(12)
    return Response(render_batch(answers, boundary), status=200,
                    content_type=f"multipart/mixed; boundary={boundary}")


def parse_batch(body: bytes, content_type: str) -> list[PartRequest]:
    """Split a batch body into its HTTP requests; 400 for anything malformed."""
    match = _BOUNDARY.search(content_type)
    if not content_type.lower().startswith("multipart/mixed") or match is None:
        raise invalid_argument("Invalid batch request: send Content-Type multipart/mixed with "
                               "a boundary")
    delimiter = b"--" + match.group(1).encode()
    parts: list[PartRequest] = []
    for chunk in body.split(delimiter)[1:]:
        if chunk.startswith(b"--"):
            break
        parts.append(_parse_part(chunk.strip(b"\r\n")))
    if not parts:
        raise invalid_argument("Invalid batch request: it holds no parts")
    return parts


def render_batch(answers: list[PartResponse], boundary: str) -> bytes:
    """Serialise part answers as a multipart/mixed body."""
    out: list[bytes] = []
    for item in answers:
        out.append(f"--{boundary}\r\nContent-Type: application/http\r\n".encode())
        if item.content_id is not None:
            out.append(f"Content-ID: {_response_id(item.content_id)}\r\n".encode())
        reason = HTTP_STATUS_CODES.get(item.status, "Unknown")
        head = [f"HTTP/1.1 {item.status} {reason}"]
        head += [f"{name}: {value}" for name, value in item.headers
                 if name.lower() not in _SKIPPED_HEADERS]
        head.append(f"Content-Length: {len(item.body)}")
        out.append(b"\r\n" + "\r\n".join(head).encode("latin-1") + b"\r\n\r\n" + item.body
                   + b"\r\n")
    out.append(f"--{boundary}--\r\n".encode())
    return b"".join(out)


def _parse_part(chunk: bytes) -> PartRequest:
    outer, inner = _split(chunk)
    content_id = None
    for name, value in outer:
        if name.lower() == "content-id":
            content_id = value
    lines_end = _HEADER_END.search(inner)
    head = inner[:lines_end.start()] if lines_end else inner
    body = inner[lines_end.end():] if lines_end else b""
    lines = head.decode("latin-1").splitlines()
    if not lines:
        raise invalid_argument("Invalid batch part: it holds no HTTP request line")
    request_line = lines[0].split()
    if len(request_line) < 2:
        raise invalid_argument("Invalid batch part: the request line must be 'METHOD /path "
                               "HTTP/1.1'")
    target = urlsplit(request_line[1])
    headers = []
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if value or name:
            headers.append((name.strip(), value.strip()))
    return PartRequest(content_id, request_line[0].upper(), target.path or "/",
                       target.query, tuple(headers), body)


def _split(chunk: bytes) -> tuple[list[tuple[str, str]], bytes]:
    match = _HEADER_END.search(chunk)
    if match is None:
        raise invalid_argument("Invalid batch part: headers must end with a blank line")
    headers = []
    for line in chunk[:match.start()].decode("latin-1").splitlines():
        name, _, value = line.partition(":")
        headers.append((name.strip(), value.strip()))
    return headers, chunk[match.end():]


def inherited_headers(outer: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """Return the outer request's headers that every part inherits (all but Content-*)."""
    return tuple((name, value) for name, value in outer
                 if not name.lower().startswith("content-")
                 and name.lower() not in _NOT_INHERITED)


#: A batch carries Gmail API calls only, as Google's Gmail batch endpoint does: a part
#: aimed at the emulator's control routes, OAuth or any other path is answered 404.
BATCHED_PREFIX = "/gmail/v1/"


def _dispatch(part: PartRequest, inherited: tuple[tuple[str, str], ...] = ()) -> PartResponse:
    if not posixpath.normpath(part.path).startswith(BATCHED_PREFIX):
        error = not_found(f"A batch carries Gmail API calls only (paths under "
                          f"{BATCHED_PREFIX}); {part.path[:200]} is not one.")
        return PartResponse(part.content_id, error.code,
                            (("Content-Type", "application/json; charset=UTF-8"),),
                            json.dumps(error.body(), indent=2).encode())
    headers = [(k, v) for k, v in part.headers if k.lower() not in _SKIPPED_HEADERS | {"host"}]
    own = {name.lower() for name, _ in headers}
    headers += [(k, v) for k, v in inherited if k.lower() not in own]
    builder = EnvironBuilder(
        path=part.path,
        query_string=part.query,
        method=part.method,
        headers=headers,
        data=part.body if part.body else None,
        base_url=request.host_url,
    )
    try:
        environ = builder.get_environ()
    finally:
        builder.close()
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    with app.app_context():  # a fresh ``g`` per part, so nothing leaks between parts
        iterable, status, response_headers = run_wsgi_app(app.wsgi_app, environ)
        try:
            body = b"".join(iterable)
        finally:
            close = getattr(iterable, "close", None)
            if close is not None:
                close()
    return PartResponse(part.content_id, int(status.split(" ", 1)[0]),
                        tuple(response_headers.items()), body)


def _response_id(content_id: str) -> str:
    inner = content_id.strip()
    if inner.startswith("<") and inner.endswith(">"):
        inner = inner[1:-1]
    return f"<response-{inner}>"
