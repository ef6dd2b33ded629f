"""users.drafts.*: list, get, create, update, send, delete."""

from __future__ import annotations

from typing import Any

from flask import Response, request
from werkzeug.datastructures import MultiDict

from fakegmail.errors import invalid_argument
from fakegmail.gmail_messages import (
    RESUMABLE_USERS,
    UPLOAD_USERS,
    USERS,
    message_bytes,
    send_message,
)
from fakegmail.http_io import (
    Routes,
    answer,
    bool_arg,
    format_arg,
    no_content,
    refuse_metadata_query,
)
from fakegmail.methods import gmail_method
from fakegmail.paging import list_body
from fakegmail.resources import draft_json, draft_summary, message_labels
from fakegmail.state import Account
from fakegmail.upload_routes import run_upload_method

routes = Routes()


@routes.route(f"{USERS}/drafts", methods=["GET"])
@gmail_method("gmail.users.drafts.list")
def list_drafts(account: Account) -> Response:
    """List drafts, newest first."""
    args = request.args
    query = args.get("q")
    refuse_metadata_query(query)
    found = account.mailbox.list_drafts(include_spam_trash=bool_arg(args, "includeSpamTrash"),
                                        query=query)
    return answer(list_body(found, kind="drafts", args=args, render=draft_summary,
                                 key=lambda d: d.id))


@routes.route(f"{USERS}/drafts/<id>", methods=["GET"])
@gmail_method("gmail.users.drafts.get")
def get_draft(account: Account, id: str) -> Response:  # noqa: A002 - Gmail's name
    """Return one draft with its message in the requested format."""
    fmt = format_arg(request.args)
    draft = account.mailbox.get_draft(id)
    return answer(draft_json(draft, fmt, request.args.getlist("metadataHeaders"),
                             attachment_ids=account.mailbox.attachment_ids))


@routes.route(f"{USERS}/drafts", f"{UPLOAD_USERS}/drafts", f"{RESUMABLE_USERS}/drafts",
              methods=["POST"])
@gmail_method("gmail.users.drafts.create")
def create_draft(account: Account) -> Response:
    """Create a draft (JSON ``message.raw`` or an upload)."""
    return run_upload_method(account, "gmail.users.drafts.create", _complete_create)


@routes.route(f"{USERS}/drafts/<id>", f"{UPLOAD_USERS}/drafts/<id>",
              f"{RESUMABLE_USERS}/drafts/<id>", methods=["PUT"])
@gmail_method("gmail.users.drafts.update")
def update_draft(account: Account, id: str) -> Response:  # noqa: A002
    """Replace a draft's message."""
    return run_upload_method(account, "gmail.users.drafts.update", _complete_update, id=id)


@routes.route(f"{USERS}/drafts/send", f"{UPLOAD_USERS}/drafts/send",
              f"{RESUMABLE_USERS}/drafts/send", methods=["POST"])
@gmail_method("gmail.users.drafts.send")
def send_draft(account: Account) -> Response:
    """Send a draft (optionally with new content) and delete it."""
    return run_upload_method(account, "gmail.users.drafts.send", _complete_send)


@routes.route(f"{USERS}/drafts/<id>", methods=["DELETE"])
@gmail_method("gmail.users.drafts.delete")
def delete_draft(account: Account, id: str) -> Response:  # noqa: A002
    """Delete a draft and its message permanently."""
    account.mailbox.delete_draft(id)
    return no_content()


def _complete_create(account: Account, metadata: dict[str, Any], raw: bytes | None,
                     args: MultiDict[str, str], view_args: dict[str, str]) -> Response:
    message = _draft_message(metadata, raw)
    draft = account.mailbox.create_draft(message_bytes(message, raw),
                                         thread_id=_thread_id(message))
    return answer(draft_json(draft), method_id="gmail.users.drafts.create")


def _complete_update(account: Account, metadata: dict[str, Any], raw: bytes | None,
                     args: MultiDict[str, str], view_args: dict[str, str]) -> Response:
    message = _draft_message(metadata, raw)
    draft = account.mailbox.update_draft(view_args["id"], message_bytes(message, raw),
                                         thread_id=_thread_id(message))
    return answer(draft_json(draft), method_id="gmail.users.drafts.update")


def _complete_send(account: Account, metadata: dict[str, Any], raw: bytes | None,
                   args: MultiDict[str, str], view_args: dict[str, str]) -> Response:
    draft_id = metadata.get("id")
    if not isinstance(draft_id, str) or not draft_id:
        raise invalid_argument("Invalid draft: give the id of the draft to send")
    message = _message(metadata)
    current = account.mailbox.get_draft(draft_id).message
    if raw is None and message.get("raw"):
        raw = message_bytes(message, None)
    thread_id = _thread_id(message) or current.thread_id
    sent = send_message(account, raw if raw is not None else current.raw, thread_id=thread_id)
    account.mailbox.delete_draft(draft_id)
    return answer(message_labels(sent), method_id="gmail.users.drafts.send")


def _draft_message(metadata: dict[str, Any], raw: bytes | None) -> dict[str, Any]:
    """Return the Draft body's message; Gmail's 400 'Missing draft message' when a JSON
    body (nothing uploaded) has none."""
    if raw is None and metadata.get("message") is None:
        raise invalid_argument("Missing draft message")
    return _message(metadata)


def _message(metadata: dict[str, Any]) -> dict[str, Any]:
    message = metadata.get("message", {})
    if not isinstance(message, dict):
        raise invalid_argument("Invalid draft: 'message' must be a Message object")
    return message


def _thread_id(message: dict[str, Any]) -> str | None:
    value = message.get("threadId")
    return value if isinstance(value, str) and value else None
