"""Message bodies in their sandboxed frame, attachment downloads and inline images."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from guard.mail_values import AttachmentData, Message
from webclient import preferences
from webclient.auth.views import safe_next
from webclient.bidi_text import neutralise_bidi
from webclient.guard_link import current_guard
from webclient.mail.blueprint import blueprint
from webclient.mail.mailbox_link import READ, BoundMailbox, bound_mailbox, request_id
from webclient.mail.message_view import (
    INLINE_IMAGE_TYPES,
    images_always_shown,
    read_inline_token,
    render_body,
    sender,
)
from webclient.sanitize import frame_document
from webclient.security import message_frame_csp
from webclient.signed_in import ConnectedAccount, sign_in_required, user_id

#: Types kept on download (always as an attachment); anything a browser could run or
#: render as a page (HTML, SVG, XML, JavaScript...) is sent as application/octet-stream.
SAFE_DOWNLOAD_TYPES = INLINE_IMAGE_TYPES | frozenset({
    "application/pdf", "text/plain", "text/csv", "application/zip",
    "application/msword", "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "audio/mpeg", "video/mp4", "application/octet-stream"})
CHUNK = 64 * 1024
#: Downloads and inline images: nothing runs or loads even if one is opened as a page,
#: and no other site may frame one.
FILE_CSP = "default-src 'none'; sandbox; frame-ancestors 'none'"


def _chunks(data: bytes) -> Iterator[bytes]:
    view = memoryview(data)
    for start in range(0, len(view), CHUNK):
        yield bytes(view[start:start + CHUNK])


def content_disposition(kind: str, filename: str) -> str:
    """Return a Content-Disposition header with an ASCII fallback and the RFC 5987 name.

    The name offered is never a hidden file: dots and spaces that lead it once
    directories and controls are gone (``../../.bashrc`` gives ``bashrc``) are dropped.
    """
    # bidi controls become "_" so no browser can draw "invoice<RLO>fdp.exe" as a PDF
    cleaned = "".join(ch for ch in neutralise_bidi(filename)
                      if ch >= " " and ch not in "\\/\x7f").lstrip(". ") or "attachment"
    ascii_name = "".join(ch if ch.isascii() and ch not in '"%;' else "_" for ch in cleaned)
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(cleaned, safe='')}"


@blueprint.get("/m/<message_id>/frame")
@sign_in_required
def frame(account: int, message_id: str) -> Any:
    """Serve one message body for the sandboxed frame, under a no-script policy."""
    box = bound_mailbox(account)
    message: Message = box.call("get_message", purpose=READ, message_id=message_id)
    allowed = request.args.get("images") == "1" or images_always_shown(message)
    body = render_body(box, message, allow_remote_images=allowed)
    html = body if isinstance(body, str) else body.html
    response = Response(frame_document(html, allow_remote_images=allowed),
                        mimetype="text/html")
    response.headers["Content-Security-Policy"] = message_frame_csp(
        allow_remote_images=allowed)
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@blueprint.get("/m/<message_id>/a/<attachment_id>")
@sign_in_required
def attachment(account: int, message_id: str, attachment_id: str) -> Any:
    """Download one attachment: always as a file, never rendered by the browser.

    The link carries the part id beside the attachment id: Gmail issues a new attachment
    id on every fetch, so the guard finds the part by its id when the link's is stale.
    """
    box = bound_mailbox(account)
    data: AttachmentData = box.call("get_attachment", purpose=READ, message_id=message_id,
                                    attachment_id=attachment_id,
                                    part_id=request.args.get("part") or None)
    mime = data.mime_type.lower() if data.mime_type.lower() in SAFE_DOWNLOAD_TYPES \
        else "application/octet-stream"
    response = Response(_chunks(data.data), mimetype=mime, direct_passthrough=True)
    response.headers["Content-Disposition"] = content_disposition("attachment",
                                                                  data.filename)
    response.headers["Content-Length"] = str(len(data.data))
    response.headers["Content-Security-Policy"] = FILE_CSP
    return response


@blueprint.get("/inline/<token>")
def inline_part(account: int, token: str) -> Any:
    """Serve an inline image of a message through a signed, expiring URL."""
    found = read_inline_token(token)
    if found is None or found[1] != account:
        abort(404)
    user, index, message_id, attachment_id, part_id = found
    rows = current_guard().accounts.list_for(user)
    if index >= len(rows):
        abort(404)
    mailbox = rows[index].email
    actor = current_guard().accounts.actor_for(user, mailbox, request_id=request_id())
    box = BoundMailbox(account=ConnectedAccount(index=index, email=mailbox), actor=actor)
    data: AttachmentData = box.call("get_attachment", purpose=READ, message_id=message_id,
                                    attachment_id=attachment_id, part_id=part_id)
    return inline_image_response(data)


def inline_image_response(data: AttachmentData) -> Response:
    """Return an inline image for a message frame; 404 for a type not shown inline.

    Shared by the owner's inline URLs and the staff console's: only the image types in
    ``INLINE_IMAGE_TYPES``, never rendered as a page (``FILE_CSP``).
    """
    mime = data.mime_type.lower()
    if mime not in INLINE_IMAGE_TYPES:
        abort(404)
    response = Response(data.data, mimetype=mime)
    response.headers["Content-Disposition"] = content_disposition("inline",
                                                                  data.filename or "image")
    response.headers["Content-Security-Policy"] = FILE_CSP
    return response


@blueprint.post("/m/<message_id>/trust-sender")
@sign_in_required
def trust_sender(account: int, message_id: str) -> Any:
    """Always load remote images from this message's sender."""
    box = bound_mailbox(account)
    message: Message = box.call("get_message", purpose=READ, message_id=message_id)
    address = sender(message)[1]
    if address:
        preferences.trust_sender(user_id() or "", address)
        if message.headers.sender_authenticated:
            flash(_("Images from this sender will always be shown."), "success")
        else:
            flash(_("Images from this sender will be shown in messages Gmail confirms they "
                    "sent. This message could not be confirmed, so its images stay hidden."),
                  "error")
    target = safe_next(request.form.get("next")) or url_for(
        "mail.thread", account=account, thread_id=message.thread_id)
    return redirect(target)

