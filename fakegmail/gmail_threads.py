"""users.threads.*: list, get, modify, trash, untrash, delete."""

from __future__ import annotations

from flask import Response, request

from fakegmail.gmail_ids import require_well_formed_id
from fakegmail.gmail_messages import USERS, label_changes
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
from fakegmail.methods import gmail_method
from fakegmail.paging import list_body
from fakegmail.rendered import thread_json_bytes
from fakegmail.resources import MessageFormat, thread_json, thread_summary
from fakegmail.state import Account

routes = Routes()
THREAD_FORMATS = (MessageFormat.FULL, MessageFormat.METADATA, MessageFormat.MINIMAL)


@routes.route(f"{USERS}/threads", methods=["GET"])
@gmail_method("gmail.users.threads.list")
def list_threads(account: Account) -> Response:
    """List threads with a matching message, most recent activity first."""
    args = request.args
    query = args.get("q")
    refuse_metadata_query(query)
    found = account.mailbox.list_threads(
        label_ids=args.getlist("labelIds"),
        include_spam_trash=bool_arg(args, "includeSpamTrash"),
        query=query,
    )
    return answer(list_body(found, kind="threads", args=args, render=thread_summary,
                                 key=lambda t: t.id))


@routes.route(f"{USERS}/threads/<id>", methods=["GET"])
@gmail_method("gmail.users.threads.get")
def get_thread(account: Account, id: str) -> Response:  # noqa: A002 - Gmail's name
    """Return one thread with its messages in the requested format."""
    fmt = format_arg(request.args, THREAD_FORMATS)
    refuse_metadata_format(fmt)
    thread = account.mailbox.get_thread(require_well_formed_id(id))
    headers = request.args.getlist("metadataHeaders")
    ids = account.mailbox.attachment_ids
    return answer_rendered(lambda: thread_json(thread, fmt, headers, attachment_ids=ids),
                           lambda pretty: thread_json_bytes(thread, fmt, headers,
                                                            attachment_ids=ids,
                                                            pretty=pretty))


@routes.route(f"{USERS}/threads/<id>/modify", methods=["POST"])
@gmail_method("gmail.users.threads.modify")
def modify_thread(account: Account, id: str) -> Response:  # noqa: A002
    """Add and remove labels on every message of a thread."""
    add, remove = label_changes(json_body())
    thread = account.mailbox.modify_thread(require_well_formed_id(id), add=add, remove=remove)
    return answer(thread_json(thread, MessageFormat.MINIMAL))


@routes.route(f"{USERS}/threads/<id>/trash", methods=["POST"])
@gmail_method("gmail.users.threads.trash")
def trash_thread(account: Account, id: str) -> Response:  # noqa: A002
    """Move every message of a thread to the trash."""
    thread = account.mailbox.trash_thread(require_well_formed_id(id))
    return answer(thread_json(thread, MessageFormat.MINIMAL))


@routes.route(f"{USERS}/threads/<id>/untrash", methods=["POST"])
@gmail_method("gmail.users.threads.untrash")
def untrash_thread(account: Account, id: str) -> Response:  # noqa: A002
    """Take every message of a thread out of the trash."""
    thread = account.mailbox.untrash_thread(require_well_formed_id(id))
    return answer(thread_json(thread, MessageFormat.MINIMAL))


@routes.route(f"{USERS}/threads/<id>", methods=["DELETE"])
@gmail_method("gmail.users.threads.delete")
def delete_thread(account: Account, id: str) -> Response:  # noqa: A002
    """Delete every message of a thread permanently."""
    account.mailbox.delete_thread(require_well_formed_id(id))
    return no_content()
