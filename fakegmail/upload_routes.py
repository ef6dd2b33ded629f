"""Route a method that accepts media uploads through the right protocol.

The same Gmail method answers at ``/gmail/v1/...`` (a JSON body with ``raw``) and at
``/upload/gmail/v1/...`` (``uploadType=media|multipart|resumable``). Each upload-capable
method supplies a *completer* that turns (metadata, message bytes) into its answer.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import Response, current_app, g, request
from werkzeug.datastructures import MultiDict

from fakegmail.binding import bind_body
from fakegmail.discovery import gmail_document
from fakegmail.errors import GmailError, not_found
from fakegmail.faults import fire
from fakegmail.http_io import Routes, json_body
from fakegmail.methods import emulator_state
from fakegmail.state import Account
from fakegmail.uploads import (
    DEFAULT_MAX_UPLOAD,
    UploadSessions,
    accept_chunk,
    declared_upload_size,
    parse_json_object,
    parse_simple_upload,
    read_body,
    resumable_range,
    too_large,
)

Completer = Callable[[Account, dict[str, Any], "bytes | None", MultiDict[str, str],
                      dict[str, str]], Response]
"""(account, metadata, message bytes or None for a JSON-only call, args, view args)."""

SESSION_PATH = "/upload/gmail/v1/sessions/<session_id>"
routes = Routes()
_completers: dict[str, Completer] = {}


@functools.cache
def max_upload_size(method_id: str) -> int:
    """Return the discovery document's ``maxSize`` for ``method_id`` uploads."""
    for resource in _walk(gmail_document()["resources"]):
        for method in resource.get("methods", {}).values():
            if method["id"] == method_id:
                return int(method.get("mediaUpload", {}).get("maxSize", DEFAULT_MAX_UPLOAD))
    return DEFAULT_MAX_UPLOAD


def run_upload_method(account: Account, method_id: str, complete: Completer,
                      **view_args: str) -> Response:
    """Answer an upload-capable method for JSON, simple upload and resumable start calls."""
    _completers[method_id] = complete
    max_size = max_upload_size(method_id)
    if not request.path.startswith(("/upload/", "/resumable/")):
        metadata = bind_body(method_id, parse_json_object(read_body(request, max_size * 2)))
        if _encoded_size(metadata) * 3 // 4 > max_size:
            raise too_large(max_size)
        return complete(account, metadata, None, request.args, view_args)
    if request.args.get("uploadType") != "resumable":
        upload = parse_simple_upload(request, max_size)
        metadata = bind_body(method_id, upload.metadata)
        return complete(account, metadata, upload.raw, request.args, view_args)
    declared = declared_upload_size(request, max_size)
    session = _sessions().open(
        after_commit=g.pop("after_commit", None),  # fires when the last chunk takes effect
        method_id=method_id,
        email=account.email,
        scopes=g.grant.scopes,
        metadata=json_body(),
        args={k: list(v) for k, v in request.args.lists()},
        view_args=dict(view_args),
        declared_size=declared,
        max_size=max_size,
    )
    response = Response(status=200)
    response.headers["Location"] = request.host_url.rstrip("/") + SESSION_PATH.replace(
        "<session_id>", session.id)
    response.headers["X-GUploader-UploadID"] = session.id
    return response


@routes.route(SESSION_PATH, methods=["PUT", "POST"])
def resumable_chunk(session_id: str) -> Response:
    """Take bytes for a resumable upload; 308 until complete, then the method's answer."""
    session = _sessions().get(session_id)
    if session is None:
        raise not_found("Upload session not found or already finished; start a new upload")
    g.method_id = session.method_id
    g.continues_call = True  # counted when the upload started
    if not accept_chunk(session, request):
        response = Response(status=308)
        range_header = resumable_range(session)
        if range_header:
            response.headers["Range"] = range_header
        return response
    _sessions().close(session_id)
    account = emulator_state().account(session.email)
    if account is None:
        raise GmailError(400, "Mail service not enabled", reason="failedPrecondition")
    g.upload_scopes = session.scopes
    complete = _completers[session.method_id]
    answer = complete(account, session.metadata, bytes(session.received),
                      MultiDict(session.args), dict(session.view_args))
    if session.after_commit is not None:  # the upload took effect; its answer is lost
        fire(session.after_commit, session.method_id)
    return answer


def _encoded_size(metadata: dict[str, Any]) -> int:
    """Return the length of the base64 ``raw`` in a Message or Draft body (0 if none)."""
    message = metadata.get("message")
    holder = message if isinstance(message, dict) else metadata
    raw = holder.get("raw")
    return len(raw) if isinstance(raw, str) else 0


def _sessions() -> UploadSessions:
    sessions = current_app.extensions.get("fakegmail_uploads")
    if sessions is None:
        sessions = current_app.extensions.setdefault("fakegmail_uploads", UploadSessions())
    assert isinstance(sessions, UploadSessions)
    return sessions


def _walk(resources: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for resource in resources.values():
        found.append(resource)
        found.extend(_walk(resource.get("resources", {})))
    return found
