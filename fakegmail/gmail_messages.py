"""users.messages.*: list, get, send, insert, import, modify, trash, delete, attachments."""

from __future__ import annotations

import base64
from typing import Any

from flask import Response, request
from werkzeug.datastructures import MultiDict

from fakegmail.delivery import (
    ARRIVAL_LABELS,
    arrival,
    classify,
    deliver_sent,
    received_copy,
    send_forwards,
)
from fakegmail.errors import invalid_argument
from fakegmail.gmail_ids import require_well_formed_id
from fakegmail.http_io import (
    Routes,
    answer,
    answer_rendered,
    bool_arg,
    format_arg,
    json_body,
    no_content,
    refuse_metadata_format,
    refuse_metadata_query,
)
from fakegmail.mailbox import StoredMessage, parse_or_reject
from fakegmail.methods import emulator_state, gmail_method
from fakegmail.outbound import Reason
from fakegmail.outgoing import decode_raw, prepare_outgoing
from fakegmail.paging import list_body
from fakegmail.rendered import message_json_bytes
from fakegmail.resources import message_json, message_labels, message_ref
from fakegmail.state import Account
from fakegmail.upload_routes import run_upload_method

routes = Routes()
USERS = "/gmail/v1/users/<userId>"
UPLOAD_USERS = "/upload/gmail/v1/users/<userId>"
RESUMABLE_USERS = "/resumable/upload/gmail/v1/users/<userId>"
RAW_REQUIRED = ("'raw' RFC822 payload message string or uploading message via /upload/* "
                "URL required")


@routes.route(f"{USERS}/messages", methods=["GET"])
@gmail_method("gmail.users.messages.list")
def list_messages(account: Account) -> Response:
    """List message ids, newest first, filtered by labelIds, q and includeSpamTrash."""
    args = request.args
    query = args.get("q")
    refuse_metadata_query(query)
    found = account.mailbox.list_messages(
        label_ids=args.getlist("labelIds"),
        include_spam_trash=bool_arg(args, "includeSpamTrash"),
        query=query,
    )
    return answer(list_body(found, kind="messages", args=args, render=message_ref,
                                 key=lambda m: m.id))


@routes.route(f"{USERS}/messages/<id>", methods=["GET"])
@gmail_method("gmail.users.messages.get")
def get_message(account: Account, id: str) -> Response:  # noqa: A002 - Gmail's name
    """Return one message in the requested format."""
    fmt = format_arg(request.args)
    refuse_metadata_format(fmt)
    message = account.mailbox.get_message(require_well_formed_id(id))
    headers = request.args.getlist("metadataHeaders")
    ids = account.mailbox.attachment_ids
    return answer_rendered(lambda: message_json(message, fmt, headers, attachment_ids=ids),
                           lambda pretty: message_json_bytes(message, fmt, headers,
                                                             pretty=pretty,
                                                             attachment_ids=ids))


@routes.route(f"{USERS}/messages/send", f"{UPLOAD_USERS}/messages/send",
              f"{RESUMABLE_USERS}/messages/send", methods=["POST"])
@gmail_method("gmail.users.messages.send")
def send(account: Account) -> Response:
    """Send a message (JSON ``raw`` or an upload)."""
    return run_upload_method(account, "gmail.users.messages.send", _complete_send)


@routes.route(f"{USERS}/messages", f"{UPLOAD_USERS}/messages",
              f"{RESUMABLE_USERS}/messages", methods=["POST"])
@gmail_method("gmail.users.messages.insert")
def insert(account: Account) -> Response:
    """Insert a message into the mailbox without sending it (like IMAP APPEND)."""
    return run_upload_method(account, "gmail.users.messages.insert", _complete_insert)


@routes.route(f"{USERS}/messages/import", f"{UPLOAD_USERS}/messages/import",
              f"{RESUMABLE_USERS}/messages/import", methods=["POST"])
@gmail_method("gmail.users.messages.import")
def import_(account: Account) -> Response:
    """Import a message as if it had been received."""
    return run_upload_method(account, "gmail.users.messages.import", _complete_import)


@routes.route(f"{USERS}/messages/<id>/modify", methods=["POST"])
@gmail_method("gmail.users.messages.modify")
def modify(account: Account, id: str) -> Response:  # noqa: A002
    """Add and remove labels on one message."""
    add, remove = label_changes(json_body())
    (message,) = account.mailbox.modify_messages([require_well_formed_id(id)], add=add,
                                                 remove=remove)
    return answer(message_labels(message))


@routes.route(f"{USERS}/messages/batchModify", methods=["POST"])
@gmail_method("gmail.users.messages.batchModify")
def batch_modify(account: Account) -> Response:
    """Add and remove labels on up to 1000 messages (unknown ids are skipped)."""
    body = json_body()
    account.mailbox.modify_messages(
        id_list(body, "ids"), add=id_list(body, "addLabelIds"),
        remove=id_list(body, "removeLabelIds"), skip_unknown=True)
    return no_content()


@routes.route(f"{USERS}/messages/batchDelete", methods=["POST"])
@gmail_method("gmail.users.messages.batchDelete")
def batch_delete(account: Account) -> Response:
    """Delete up to 1000 messages permanently (unknown ids are skipped)."""
    account.mailbox.delete_messages(id_list(json_body(), "ids"), skip_unknown=True)
    return no_content()


@routes.route(f"{USERS}/messages/<id>/trash", methods=["POST"])
@gmail_method("gmail.users.messages.trash")
def trash(account: Account, id: str) -> Response:  # noqa: A002
    """Move one message to the trash."""
    (message,) = account.mailbox.trash_messages([require_well_formed_id(id)])
    return answer(message_labels(message))


@routes.route(f"{USERS}/messages/<id>/untrash", methods=["POST"])
@gmail_method("gmail.users.messages.untrash")
def untrash(account: Account, id: str) -> Response:  # noqa: A002
    """Take one message out of the trash."""
    (message,) = account.mailbox.untrash_messages([require_well_formed_id(id)])
    return answer(message_labels(message))


@routes.route(f"{USERS}/messages/<id>", methods=["DELETE"])
@gmail_method("gmail.users.messages.delete")
def delete(account: Account, id: str) -> Response:  # noqa: A002
    """Delete one message permanently."""
    account.mailbox.delete_messages([require_well_formed_id(id)])
    return no_content()


@routes.route(f"{USERS}/messages/<messageId>/attachments/<id>", methods=["GET"])
@gmail_method("gmail.users.messages.attachments.get")
def get_attachment(account: Account, messageId: str, id: str) -> Response:  # noqa: A002,N803
    """Return one attachment's bytes, base64url-encoded."""
    data = account.mailbox.attachment(require_well_formed_id(messageId), id)
    return answer({"attachmentId": id, "size": len(data),
                   "data": base64.urlsafe_b64encode(data).decode("ascii")})


def send_message(account: Account, raw: bytes, *, thread_id: str | None) -> StoredMessage:
    """Send ``raw`` from ``account``: store the sent copy (run through the account's
    filters as arriving mail too when the account is a recipient), deliver to emulator
    accounts and record what leaves for other addresses."""
    state = emulator_state()
    parsed = parse_or_reject(raw)
    aliases = _verified_aliases(account)
    outgoing = prepare_outgoing(raw, parsed, sender=account.email, own_addresses=aliases,
                                now=state.clock())
    sent_parsed = parse_or_reject(outgoing.raw)
    labels = ["SENT"]
    forwards: list[tuple[str, Reason]] = []
    to_self = account.email in outgoing.recipients
    if to_self:  # one message, SENT and arrived: the filters run on it as on any arrival
        arrived, forwards = arrival(account, sent_parsed, ARRIVAL_LABELS, now=state.clock())
        labels += arrived
    sent = account.mailbox.add_message(outgoing.raw, label_ids=labels, thread_id=thread_id,
                                       parsed=sent_parsed, written_here=True)
    deliver_sent(state, account, outgoing, own_addresses=aliases,
                 message_id=sent_parsed.message_id or "")
    if forwards:
        received = received_copy(outgoing, account, aliases)
        send_forwards(state, account, received, sent_parsed, forwards, passed=())
    return sent


def _verified_aliases(account: Account) -> frozenset[str]:
    """Return the account's verified send-as aliases (lower-case); pending ones are not
    the account's own until verified."""
    return frozenset(alias.lower() for alias in account.aliases)


def message_bytes(metadata: dict[str, Any], raw: bytes | None) -> bytes:
    """Return the uploaded bytes, or the decoded ``raw`` field of a JSON body."""
    if raw is not None:
        return raw
    if "raw" not in metadata or metadata["raw"] in (None, ""):
        raise invalid_argument(RAW_REQUIRED)
    return decode_raw(metadata["raw"])


def _complete_send(account: Account, metadata: dict[str, Any], raw: bytes | None,
                   args: MultiDict[str, str], view_args: dict[str, str]) -> Response:
    sent = send_message(account, message_bytes(metadata, raw),
                        thread_id=_thread_id(metadata))
    return answer(message_labels(sent), method_id="gmail.users.messages.send")


def _complete_insert(account: Account, metadata: dict[str, Any], raw: bytes | None,
                     args: MultiDict[str, str], view_args: dict[str, str]) -> Response:
    stored = _store(account, metadata, raw, args, default_labels=(), header_date=False,
                    own_mail_is_sent=True)
    return answer(message_labels(stored), method_id="gmail.users.messages.insert")


def _complete_import(account: Account, metadata: dict[str, Any], raw: bytes | None,
                     args: MultiDict[str, str], view_args: dict[str, str]) -> Response:
    stored = _store(account, metadata, raw, args, default_labels=("INBOX", "UNREAD"),
                    header_date=True, classified=True)
    return answer(message_labels(stored), method_id="gmail.users.messages.import")


def _store(account: Account, metadata: dict[str, Any], raw: bytes | None,
           args: MultiDict[str, str], *, default_labels: tuple[str, ...],
           header_date: bool, own_mail_is_sent: bool = False,
           classified: bool = False) -> StoredMessage:
    """Store an inserted or imported message.

    With ``own_mail_is_sent`` (messages.insert), a message from the owner's address or one
    of their send-as aliases also gets SENT, as Gmail's labels guide says of insert. With
    ``classified`` (messages.import), the account's filters change its labels as they do
    for mail delivered; nothing is forwarded or answered (see fakegmail.delivery).
    """
    source = args.get("internalDateSource") or ("dateHeader" if header_date else "receivedTime")
    if source not in ("dateHeader", "receivedTime"):
        raise invalid_argument("Invalid value for internalDateSource: use receivedTime or "
                               "dateHeader")
    labels = id_list(metadata, "labelIds") or list(default_labels)
    data = message_bytes(metadata, raw)
    parsed = parse_or_reject(data)
    if own_mail_is_sent and "SENT" not in labels and _from_owner(account, parsed.from_address):
        labels = [*labels, "SENT"]
    if classified:
        account.mailbox.require_labels(labels)  # an unknown label is refused before filtering
        labels = list(classify(account, parsed, labels,
                               now=emulator_state().clock()).label_ids)
    return account.mailbox.add_message(
        data, label_ids=labels, thread_id=_thread_id(metadata), parsed=parsed,
        date_from_header=source == "dateHeader")


def _from_owner(account: Account, from_address: str) -> bool:
    return bool(from_address) and (from_address == account.email
                                   or from_address in account.aliases)


def _thread_id(metadata: dict[str, Any]) -> str | None:
    value = metadata.get("threadId")
    return value if isinstance(value, str) and value else None


def label_changes(body: dict[str, Any]) -> tuple[list[str], list[str]]:
    """Return a modify body's addLabelIds and removeLabelIds; 400 when both are empty.

    Gmail refuses a messages.modify or threads.modify that changes nothing in these words.
    """
    add, remove = id_list(body, "addLabelIds"), id_list(body, "removeLabelIds")
    if not add and not remove:
        raise invalid_argument("No label add or removes specified")
    return add, remove


def id_list(body: dict[str, Any], name: str) -> list[str]:
    """Return the list of id strings ``body[name]`` (empty when absent); 400 otherwise."""
    value = body.get(name) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise invalid_argument(f"Invalid value for {name}: give a list of id strings")
    return value
