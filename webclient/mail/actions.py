"""Organising conversations: read/unread, star, archive, trash, spam, labels, undo.

One form serves single and bulk actions: ``thread_ids`` repeats for each selected
conversation. Labels belong to conversations, as in Gmail; a star can also go on one
message of a conversation (``/m/<id>/act``). Every change is the guard's
``email.organize`` call.

An undo puts each conversation back where it was: before an archive, spam report or
delete, the labels of the selected conversations' messages are read (one batched
``threads.get`` without content), and the undo reverses only what the action changed on
each of them, message by message where a conversation was changed only in part.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import abort, flash, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from guard.errors import GmailRejected
from guard.mail_writing import ThreadLabels
from webclient.auth.views import safe_next
from webclient.mail.blueprint import blueprint
from webclient.mail.gmail_ids import well_formed_or_400
from webclient.mail.mailbox_link import ORGANIZE, READ, BoundMailbox, bound_mailbox
from webclient.signed_in import sign_in_required

UNDO_KEY = "undo"
MAX_SELECTION = 100
#: Gmail's answer to a new label whose name another label already has.
LABEL_NAME_TAKEN = 409
#: Gmail's answer to a label name it does not accept, such as a system label's.
LABEL_NAME_INVALID = 400


@dataclass(frozen=True, slots=True)
class Action:
    """A change to conversations: labels to add and remove, its undo and what to say."""

    add: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()
    trash: bool | None = None
    #: Whether the change can be undone from the message that says it was done.
    undo: bool = False
    done: object = ""


ACTIONS: dict[str, Action] = {
    "read": Action(remove=("UNREAD",), done=_l("Marked as read")),
    "unread": Action(add=("UNREAD",), done=_l("Marked as unread")),
    "star": Action(add=("STARRED",), done=_l("Starred")),
    "unstar": Action(remove=("STARRED",), done=_l("Star removed")),
    "important": Action(add=("IMPORTANT",), done=_l("Marked as important")),
    "unimportant": Action(remove=("IMPORTANT",), done=_l("Marked as not important")),
    "archive": Action(remove=("INBOX",), undo=True, done=_l("Archived")),
    "unarchive": Action(add=("INBOX",), done=_l("Moved to Inbox")),
    "spam": Action(add=("SPAM",), remove=("INBOX",), undo=True,
                   done=_l("Reported as spam")),
    "notspam": Action(add=("INBOX",), remove=("SPAM",), done=_l("Moved to Inbox")),
    "trash": Action(trash=True, undo=True, done=_l("Moved to Trash")),
    "untrash": Action(trash=False, done=_l("Restored from Trash")),
}


def apply(account: int, name: str, thread_ids: list[str], label_id: str | None = None,
          remove_label: bool = False) -> None:
    """Apply the action ``name`` (or a user label) to each conversation through the guard."""
    box = bound_mailbox(account)
    action = ACTIONS.get(name)
    if action is not None and action.trash is not None and label_id is None:
        box.call("trash" if action.trash else "untrash", purpose=ORGANIZE,
                 thread_ids=tuple(thread_ids))
        return
    for thread_id in thread_ids:
        if label_id is not None:
            box.call("modify_thread", purpose=ORGANIZE, thread_id=thread_id,
                     add=() if remove_label else (label_id,),
                     remove=(label_id,) if remove_label else ())
        elif action is not None:
            box.call("modify_thread", purpose=ORGANIZE, thread_id=thread_id, add=action.add,
                     remove=action.remove)


#: A step of an undo on whole conversations: ``untrash``, ``add`` or ``remove`` a label,
#: and which of the conversations it applies to ("1" or "0" for each, in the order of
#: ``thread_ids``).
UndoStep = list[str]
#: A step of an undo on single messages, for a conversation the action changed only in
#: part (one message already in the Trash, one in Spam): the same kinds, the label, and
#: the ids of the messages it applies to.
MessageStep = list[Any]
#: The most message ids an undo keeps. The session is a cookie, which a browser drops
#: past about 4 KB (and the sign-in with it); a change that would need more to be undone
#: exactly is not offered an undo.
MAX_UNDO_MESSAGES = 100


@dataclass(frozen=True, slots=True)
class Undo:
    """What reverses an action: steps on whole conversations, and on single messages."""

    threads: list[UndoStep]
    messages: list[MessageStep]

    def message_count(self) -> int:
        """Return how many message ids the undo names."""
        return sum(len(step[2]) for step in self.messages)


def _undo_steps(action: Action, thread_ids: list[str],
                before: dict[str, ThreadLabels]) -> Undo:
    """Return the steps that reverse ``action`` on each conversation, given its labels before.

    Each conversation goes back exactly as it was, message by message. A label the action
    added comes off only where it was not before; a label it took away goes back only
    where it was. A delete is reversed only for the messages that were not in the Trash
    already, and Spam (which Gmail drops from what goes to the Trash) goes back on the
    messages that had it. A conversation whose messages all had (or all lacked) a label
    is changed as one; only one that was changed in part is named message by message. A
    conversation whose labels could not be read (gone meanwhile) is left alone.
    """
    threads: list[UndoStep] = []
    messages: list[MessageStep] = []

    def which(test: Callable[[ThreadLabels], bool]) -> str:
        return "".join("1" if t in before and test(before[t]) else "0" for t in thread_ids)

    def partly(kind: str, label: str, pick: Callable[[ThreadLabels], tuple[str, ...]],
               test_label: str) -> None:
        ids = [message_id for t in thread_ids if t in before
               and _in_part(test_label, before[t]) for message_id in pick(before[t])]
        messages.append([kind, label, ids])

    if action.trash:
        threads.append(["untrash", "", which(functools.partial(_lacks, "TRASH"))])
        partly("untrash", "", functools.partial(_without, "TRASH"), "TRASH")
        threads.append(["add", "SPAM", which(functools.partial(_carries_on_all, "SPAM"))])
        partly("add", "SPAM", functools.partial(_with, "SPAM"), "SPAM")
    for label in action.add:
        threads.append(["remove", label, which(functools.partial(_lacks, label))])
        partly("remove", label, functools.partial(_without, label), label)
    for label in action.remove:
        threads.append(["add", label, which(functools.partial(_carries_on_all, label))])
        partly("add", label, functools.partial(_with, label), label)
    return Undo(threads=[step for step in threads if "1" in step[2]],
                messages=[step for step in messages if step[2]])


def _carries_on_all(label: str, labels: ThreadLabels) -> bool:
    return label in labels.on_all


def _lacks(label: str, labels: ThreadLabels) -> bool:
    return label not in labels.on_any


def _in_part(label: str, labels: ThreadLabels) -> bool:
    """Tell whether some messages of the conversation carry ``label`` and some do not."""
    return label in labels.on_any and label not in labels.on_all


def _with(label: str, labels: ThreadLabels) -> tuple[str, ...]:
    return labels.messages_with(label)


def _without(label: str, labels: ThreadLabels) -> tuple[str, ...]:
    return labels.messages_without(label)


def _reverse(box: BoundMailbox, thread_ids: list[str], steps: object,
             message_steps: object) -> None:
    """Carry out the undo steps recorded for ``thread_ids`` (see ``_undo_steps``)."""
    untrash: list[str] = []
    add: dict[str, list[str]] = {}
    remove: dict[str, list[str]] = {}
    for step in steps if isinstance(steps, list) else ():
        if not (isinstance(step, list) and len(step) == 3
                and all(isinstance(part, str) for part in step)):
            continue
        kind, label, mask = step
        chosen = [t for t, mark in zip(thread_ids, mask, strict=False) if mark == "1"]
        if kind == "untrash":
            untrash.extend(chosen)
        for thread_id in chosen:
            if kind == "add":
                add.setdefault(thread_id, []).append(label)
            elif kind == "remove":
                remove.setdefault(thread_id, []).append(label)
    untrash_messages: list[str] = []
    relabel: list[tuple[str, str, list[str]]] = []
    for step in message_steps if isinstance(message_steps, list) else ():
        if not (isinstance(step, list) and len(step) == 3 and isinstance(step[0], str)
                and isinstance(step[1], str) and isinstance(step[2], list)
                and all(isinstance(item, str) for item in step[2])):
            continue
        kind, label, ids = step
        if kind == "untrash":
            untrash_messages.extend(ids)
        elif kind in ("add", "remove"):
            relabel.append((kind, label, ids))
    if untrash or untrash_messages:
        box.call("untrash", purpose=ORGANIZE, thread_ids=tuple(untrash),
                 message_ids=tuple(untrash_messages))
    for thread_id in dict.fromkeys([*add, *remove]):
        box.call("modify_thread", purpose=ORGANIZE, thread_id=thread_id,
                 add=tuple(add.get(thread_id, ())), remove=tuple(remove.get(thread_id, ())))
    for kind, label, ids in relabel:
        box.call("modify", purpose=ORGANIZE, message_ids=tuple(ids),
                 add=(label,) if kind == "add" else (), remove=(label,) if kind == "remove"
                 else ())


@blueprint.post("/act")
@sign_in_required
def act(account: int) -> Any:
    """Apply one action to the selected conversations, then go back with an undo."""
    name = request.form.get("action", "")
    thread_ids = list(dict.fromkeys(t for t in request.form.getlist("thread_ids") if t))
    well_formed_or_400([*thread_ids, request.form.get("label_id", "")])
    back = safe_next(request.form.get("next")) or url_for("mail.folder", account=account,
                                                          slug="inbox")
    if not thread_ids:
        flash(_l("Select at least one conversation first."), "error")
        return redirect(back)
    if len(thread_ids) > MAX_SELECTION:
        abort(400)
    label_id = None
    remove_label = False
    if name in ("label", "unlabel"):
        label_id = request.form.get("label_id") or None
        remove_label = name == "unlabel"
        if label_id is None:
            flash(_l("Choose a label first."), "error")
            return redirect(back)
    elif name not in ACTIONS:
        abort(400)
    action = ACTIONS.get(name)
    before: dict[str, ThreadLabels] = {}
    if label_id is None and action is not None and action.undo:
        before = bound_mailbox(account).call("thread_labels", purpose=READ,
                                             thread_ids=tuple(thread_ids))
    apply(account, name, thread_ids, label_id, remove_label)
    count = len(thread_ids)
    undo: Undo | None = None
    if label_id is not None:
        message = ngettext("Label changed on %(num)d conversation.",
                           "Label changed on %(num)d conversations.", count)
        session.pop(UNDO_KEY, None)
    else:
        assert action is not None
        message = ngettext("%(what)s: %(num)d conversation.",
                           "%(what)s: %(num)d conversations.", count, what=action.done)
        if action.undo:
            undo = _undo_steps(action, thread_ids, before)
        if undo is not None and undo.message_count() <= MAX_UNDO_MESSAGES:
            session[UNDO_KEY] = {"account": account, "thread_ids": thread_ids,
                                 "steps": undo.threads, "message_steps": undo.messages,
                                 "next": back}
        else:
            undo = None
            session.pop(UNDO_KEY, None)
    flash(message, "success" if undo is None else "undo")
    # Opening a conversation marks it read, so "unread" too goes back to the list.
    if name in ("archive", "trash", "spam", "unread") and request.form.get("from_thread"):
        back = safe_next(request.form.get("list")) or url_for("mail.folder", account=account,
                                                              slug="inbox")
    return redirect(back)


#: What can be done to one message of a conversation, and what to say afterwards.
MESSAGE_ACTIONS: dict[str, Action] = {
    "star": Action(add=("STARRED",), done=_l("Message starred.")),
    "unstar": Action(remove=("STARRED",), done=_l("Star removed from the message.")),
}


@blueprint.post("/m/<message_id>/act")
@sign_in_required
def message_act(account: int, message_id: str) -> Any:
    """Star or unstar one message, then go back to its conversation."""
    action = MESSAGE_ACTIONS.get(request.form.get("action", ""))
    if action is None:
        abort(400)
    bound_mailbox(account).call("modify", purpose=ORGANIZE, message_ids=(message_id,),
                                add=action.add, remove=action.remove)
    flash(str(action.done), "success")
    return redirect(safe_next(request.form.get("next")) or url_for(
        "mail.folder", account=account, slug="inbox"))


@blueprint.post("/undo")
@sign_in_required
def undo(account: int) -> Any:
    """Undo the last archive, trash or spam report."""
    last = session.pop(UNDO_KEY, None)
    if not isinstance(last, dict) or last.get("account") != account:
        flash(_l("There is nothing to undo."), "error")
        return redirect(url_for("mail.folder", account=account, slug="inbox"))
    _reverse(bound_mailbox(account), [str(t) for t in last.get("thread_ids") or ()],
             last.get("steps"), last.get("message_steps"))
    flash(_l("Undone."), "success")
    return redirect(safe_next(str(last.get("next"))) or url_for("mail.folder",
                                                                account=account,
                                                                slug="inbox"))


@blueprint.post("/labels")
@sign_in_required
def create_label(account: int) -> Any:
    """Create a user label."""
    name = request.form.get("name", "").strip()
    if not name or len(name) > 225:
        flash(_l("Give the label a name of at most 225 characters."), "error")
    else:
        try:
            bound_mailbox(account).call("create_label", purpose=ORGANIZE, name=name)
        except GmailRejected as refusal:
            if refusal.status == LABEL_NAME_TAKEN:
                # Gmail compares names without case.
                flash(_l("A label with this name already exists. Choose another name."),
                      "error")
            elif refusal.status == LABEL_NAME_INVALID:
                # Gmail's words for any name it refuses; the name's length and spaces
                # are checked above, so what is left is mostly a name Gmail keeps
                # (INBOX, Spam, Drafts, Chats, Muted..., in any case).
                flash(_l("Gmail does not accept this label name; it keeps names such as "
                         "Inbox, Spam and Drafts for its own labels. Choose another name."),
                      "error")
            else:
                raise
        else:
            flash(_l("Label created."), "success")
    return redirect(safe_next(request.form.get("next")) or url_for(
        "mail.folder", account=account, slug="inbox"))
