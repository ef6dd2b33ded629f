"""Folder, label and search listings, and the conversation view."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import abort, current_app, redirect, render_template, request, url_for

from guard.mail_values import InboxListing, LabelInfo, Thread, ThreadPage
from guard.mailbox import INBOX
from webclient.auth.views import safe_next
from webclient.mail import (  # noqa: F401  (registers their routes)
    actions,
    compose,
    gmail_ids,
    parts,
)
from webclient.mail.blueprint import blueprint
from webclient.mail.compose_files import MAX_ATTACHMENTS_BYTES, attachment_key
from webclient.mail.folders import (
    BY_SLUG,
    FOLDERS,
    folder_counts,
    label_names,
    user_labels,
)
from webclient.mail.list_rows import thread_rows
from webclient.mail.mailbox_link import (
    ORGANIZE,
    READ,
    SEARCH,
    BoundMailbox,
    bound_mailbox,
    together,
)
from webclient.mail.message_view import message_views, readable_addresses
from webclient.mail.row_html import RowWords, thread_list_html
from webclient.signed_in import accounts, sign_in_required

__all__ = ["blueprint"]


def _page_args() -> tuple[str | None, list[str]]:
    token = request.args.get("page") or None
    back = [t for t in request.args.get("back", "").split(",") if t]
    return token, back


def _render_list(box: BoundMailbox, page: ThreadPage, *, title: object, labels:
                 tuple[LabelInfo, ...], endpoint: str, endpoint_args: dict[str, Any],
                 folder: str | None = None, query: str = "") -> Any:
    token, back = _page_args()
    newer = None
    if token is not None:
        newer_token = back[-1] if back else None
        newer = url_for(endpoint, **endpoint_args, page=newer_token or None,
                        back=",".join(back[:-1]) or None)
        if not page.threads:
            # Everything on this page has left it (archived, deleted, moved): show the
            # page before, as Gmail does, instead of "Nothing here." in a full folder.
            return redirect(newer)
    older = None
    if page.next_page_token:
        older = url_for(endpoint, **endpoint_args, page=page.next_page_token,
                        back=",".join([*back, token or ""]).strip(",") or None)
    here = request.full_path
    rows = thread_rows(page.threads, account=box.account.index, here=here,
                       label_names=label_names(labels))
    return render_template(
        "mail/list.html", box=box, title=title, rows=rows,
        thread_list=thread_list_html(rows, RowWords.current()),
        user_labels=user_labels(labels), counted=folder_counts(labels), folder=folder, query=query,
        newer=newer, older=older, here=here)


@blueprint.get("/")
@sign_in_required
def home(account: int) -> Any:
    """Open the inbox."""
    return redirect(url_for("mail.folder", account=account, slug="inbox"))


@blueprint.get("/f/<slug>")
@sign_in_required
def folder(account: int, slug: str) -> Any:
    """List the conversations of one folder, newest first, a page at a time."""
    chosen = BY_SLUG.get(slug)
    if chosen is None:
        abort(404)
    box = bound_mailbox(account)
    token, _back = _page_args()
    page_size = current_app.config["MAIL_PAGE_SIZE"]
    if chosen.label_id == INBOX and token is None:
        # The inbox's first page and the counts come from one guard call (one history
        # round trip when the guard's cache is warm).
        inbox: InboxListing = box.call("list_inbox", purpose=READ, max_results=page_size)
        page, labels = inbox.page, inbox.labels
    else:
        page, labels = together(
            box.prepare("list_threads", purpose=READ,
                        label_ids=(chosen.label_id,) if chosen.label_id else (),
                        page_token=token, max_results=page_size),
            box.prepare("list_labels", purpose=READ))
    return _render_list(box, page, title=chosen.title, labels=labels,
                        endpoint="mail.folder", endpoint_args={"account": account,
                                                               "slug": slug},
                        folder=slug)


@blueprint.get("/label/<label_id>")
@sign_in_required
def label(account: int, label_id: str) -> Any:
    """List the conversations that carry one user label."""
    box = bound_mailbox(account)
    token, _back = _page_args()
    labels, page = together(
        box.prepare("list_labels", purpose=READ),
        box.prepare("list_threads", purpose=READ, label_ids=(label_id,), page_token=token,
                    max_results=current_app.config["MAIL_PAGE_SIZE"]), settle=True)
    if isinstance(labels, BaseException):
        raise labels
    found = next((item for item in labels if item.id == label_id), None)
    if found is None:
        abort(404)
    if isinstance(page, BaseException):
        raise page
    return _render_list(box, page, title=found.name, labels=labels, endpoint="mail.label",
                        endpoint_args={"account": account, "label_id": label_id},
                        folder="label:" + label_id)


@blueprint.get("/search")
@sign_in_required
def search(account: int) -> Any:
    """Search with Gmail's own syntax (from:, has:attachment, label:, before:...)."""
    query = request.args.get("q", "").strip()
    if not query:
        return redirect(url_for("mail.folder", account=account, slug="inbox"))
    box = bound_mailbox(account)
    token, _back = _page_args()
    page, labels = together(
        box.prepare("list_threads", purpose=SEARCH, query=query, page_token=token,
                    max_results=current_app.config["MAIL_PAGE_SIZE"]),
        box.prepare("list_labels", purpose=READ))
    return _render_list(box, page, title=query, labels=labels, endpoint="mail.search",
                        endpoint_args={"account": account, "q": query}, query=query)


def _counted_read(labels: tuple[LabelInfo, ...],
                  conversation: Thread) -> tuple[LabelInfo, ...]:
    """Return ``labels`` with their unread counts as they are once ``conversation`` is read.

    The counts were fetched beside the conversation, before opening it marked it read;
    without this the page that read it still counted it unread in the sidebar. Gmail
    counts a conversation unread under a label when an unread message carries the label.
    """
    unread = [set(m.label_ids) for m in conversation.messages if "UNREAD" in m.label_ids]
    counted: list[LabelInfo] = []
    for label in labels:
        carrying = sum(1 for ids in unread if label.id in ids)
        if carrying:
            label = replace(label, messages_unread=max(0, label.messages_unread - carrying),
                            threads_unread=max(0, label.threads_unread - 1))
        counted.append(label)
    return tuple(counted)


@blueprint.get("/t/<thread_id>")
@sign_in_required
def thread(account: int, thread_id: str) -> Any:
    """Show one conversation; opening it marks it read."""
    box = bound_mailbox(account)
    conversation: Thread
    conversation, labels = together(
        box.prepare("get_thread", purpose=READ, thread_id=thread_id),
        box.prepare("list_labels", purpose=READ))
    if "UNREAD" in conversation.label_ids:
        box.call("modify_thread", purpose=ORGANIZE, thread_id=thread_id, add=(),
                 remove=("UNREAD",))
        labels = _counted_read(labels, conversation)
    views = message_views(box, conversation, expand=request.args.get("expand"),
                          images_for=request.args.get("images"))
    return render_template(
        "mail/thread.html", box=box, thread=conversation, messages=views,
        user_labels=user_labels(labels), counted=folder_counts(labels), folder=None, query="",
        here=request.full_path, label_names=label_names(labels),
        back=safe_next(request.args.get("from")) or url_for("mail.folder", account=account,
                                                 slug="inbox"))


blueprint.add_app_template_filter(readable_addresses, "readable_addresses")


@blueprint.app_context_processor
def _mail_globals() -> dict[str, Any]:
    return {"FOLDERS": FOLDERS, "connected_accounts": accounts,
            "attachment_key": attachment_key,
            "SEND_AS_NEW_MESSAGE": compose.SEND_AS_NEW_MESSAGE,
            "max_attachment_bytes": MAX_ATTACHMENTS_BYTES}
