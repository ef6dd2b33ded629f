"""Compose, reply, reply-all, forward, drafts (saved by hand or autosaved) and sending.

The routes and the draft/send flow: what a save, an autosave or a send does, and what
the writer is told when the draft open here was sent or deleted in another window. The
form (``compose_form``), its recipients (``recipients``), the start of a reply or forward
(``replies``), the From choices (``send_as``) and the files (``compose_files``) each have
a module of their own.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from audit import ResourceKind, ResourceRef
from guard.errors import (
    GmailError,
    GmailNotFound,
    GmailTimeout,
    GmailUnavailable,
    SendUnconfirmed,
)
from guard.mail_values import (
    AttachmentInfo,
    Draft,
    DraftPage,
    DraftRef,
    Message,
    OutgoingAttachment,
    OutgoingMessage,
    SentMessage,
)
from guard.outgoing import InvalidMessage
from guard.recording import record
from webclient.bidi_text import neutralise_bidi
from webclient.guard_link import current_guard
from webclient.mail.blueprint import blueprint
from webclient.mail.compose_files import (
    MAX_ATTACHMENTS_BYTES,
    Carried,
    carried_file_list,
    carried_files,
    forwarded_files,
    uploaded_files,
)
from webclient.mail.compose_form import ComposeForm
from webclient.mail.gmail_ids import MESSAGE_ID, found_or_404, well_formed_or_400
from webclient.mail.mailbox_link import (
    COMPOSE,
    SEND,
    BoundMailbox,
    bound_mailbox,
    request_id,
)
from webclient.mail.message_view import addresses, readable_addresses
from webclient.mail.recipients import invalid_addresses, recipient_entries, split_addresses
from webclient.mail.replies import reply_form
from webclient.mail.send_as import from_choices
from webclient.signed_in import sign_in_required

#: The rule an audit entry names when no draft of the mailbox holds the message asked for.
RULE_NO_SUCH_DRAFT = "draft.not_in_mailbox"
#: The kinds of compose page, as ``mode`` names them.
MODES = ("new", "reply", "reply_all", "forward")
#: What the writer is told when the draft open in this window was sent or deleted in
#: another one: what they wrote here is kept as a new draft, and not sent by this click.
DRAFT_GONE_SAVED = _l("The draft open here was sent or deleted in another window; what "
                      "you wrote here is saved as a new draft.")
DRAFT_GONE_NOT_SENT = _l("The draft open here was sent or deleted in another window, so "
                         "this was not sent. What you wrote here is saved as a new draft: "
                         "send it if it should go out as well.")
#: What the writer is asked before the draft that replaced a gone one is sent: its first
#: version may have gone out already, from the other window.
SEND_AS_NEW_MESSAGE = _l("The draft first open here was sent or deleted in another window. "
                         "Send will send what you wrote here as a new message. Send it?")


def _draft_form(draft: Draft) -> ComposeForm:
    message = draft.message
    headers = message.headers
    return ComposeForm(from_=headers.from_, to=", ".join(readable_addresses(headers.to)),
                       cc=", ".join(readable_addresses(headers.cc)),
                       bcc=", ".join(readable_addresses(headers.bcc)), subject=headers.subject,
                       body=message.text_body or "", in_reply_to=headers.in_reply_to or "",
                       references=" ".join(headers.references),
                       thread_id=message.thread_id if headers.in_reply_to else "",
                       draft_id=draft.id, draft_message=message.id)


def _draft_of(box: BoundMailbox, message_id: str | None) -> str | None:
    """Return the id of the draft that holds ``message_id``."""
    if not message_id:
        return None
    token = None
    while True:
        page: DraftPage = box.call("list_drafts", purpose=COMPOSE, page_token=token)
        for ref in page.drafts:
            if ref.message_id == message_id:
                return ref.id
        token = page.next_page_token
        if not token:
            _record_unknown_draft_message(box, message_id)
            abort(_no_such_draft_page(box))


def _no_such_draft_page(box: BoundMailbox) -> Any:
    """Answer a draft this mailbox does not hold: a 404 that says so and offers the way on.

    A draft reopened after it was sent or deleted (in another window, on another device)
    is the usual case: the page names Drafts and a new message instead of a bare "Not
    found". It is the same page, word for word, for any draft id this mailbox does not
    hold, whether it never existed or is another mailbox's, so it tells nothing about
    other mailboxes (the authorization tests compare them).
    """
    response = make_response(render_template(
        "error.html", status=404, title=_("This draft is no longer here"),
        message=_("It was sent or deleted, perhaps in another window or on another "
                  "device. Sent messages are in Sent; your other drafts are in Drafts."),
        links=((url_for("mail.folder", account=box.account.index, slug="drafts"),
                _("Go to Drafts")),
               (url_for("mail.compose", account=box.account.index), _("New message")))),
        404)
    return response


def _record_unknown_draft_message(box: BoundMailbox, message_id: str) -> None:
    """Record that no draft of this mailbox holds ``message_id``, naming the id asked for.

    The lookup itself is recorded as a ``drafts.list``; this entry lets a reviewer find the
    attempt by the id that was tried. An id that is not a plausible Gmail id (too long,
    control characters) is left out rather than failing the record.
    """
    guard = current_guard()
    resources = ((ResourceRef(ResourceKind.MESSAGE, message_id),)
                 if MESSAGE_ID.fullmatch(message_id) else ())
    record(guard.audit, actor=box.actor, action="drafts.get", purpose=COMPOSE,
           allowed=False, rule_id=RULE_NO_SUCH_DRAFT, policy_version=guard.policy.version,
           mailbox=box.email, resources=resources, request_id=request_id(),
           outcome="not_found", client_ip=request.remote_addr or "")


@blueprint.get("/compose")
@sign_in_required
def compose(account: int) -> Any:
    """Show the compose page: new, reply, reply-all, forward or an existing draft."""
    found_or_404(request.args.get("draft"), request.args.get("draft_message"),
                 request.args.get("message"))
    box = bound_mailbox(account)
    mode = request.args.get("mode", "new")
    form = ComposeForm(to=request.args.get("to", ""))
    carried: tuple[AttachmentInfo, ...] = ()
    draft_id = request.args.get("draft") or _draft_of(box, request.args.get("draft_message"))
    if draft_id:
        try:
            draft: Draft = box.call("get_draft", purpose=COMPOSE, draft_id=draft_id)
        except GmailNotFound:
            return _no_such_draft_page(box)
        form = replace(_draft_form(draft),
                       draft_replaced="1" if request.args.get("replaced") else "")
        carried = draft.message.attachments
    elif mode in ("reply", "reply_all", "forward"):
        original_id = request.args.get("message", "")
        if not original_id:
            abort(400)
        original: Message = box.call("get_message", purpose=COMPOSE, message_id=original_id)
        form = reply_form(box, original, mode)
        if mode == "forward":
            carried = forwarded_files(original)
    return render_template("mail/compose.html", box=box, form=form, mode=mode,
                           aliases=from_choices(box), problems=[], carried=carried,
                           dropped=frozenset())


def _outgoing(box: BoundMailbox, form: ComposeForm, aliases: tuple[str, ...],
              attachments: tuple[OutgoingAttachment, ...]) -> OutgoingMessage:
    chosen = (addresses((form.from_,)) or [""])[0].lower()
    sender = next((alias for alias in aliases
                   if (addresses((alias,)) or [""])[0].lower() == chosen), aliases[0])
    return OutgoingMessage(
        from_=sender, to=split_addresses(form.to), cc=split_addresses(form.cc),
        bcc=split_addresses(form.bcc), subject=form.subject, text_body=form.body,
        attachments=attachments, in_reply_to=form.in_reply_to or None,
        references=tuple(form.references.split()), thread_id=form.thread_id or None)


def _problems(form: ComposeForm, attachments: tuple[OutgoingAttachment, ...], *,
              sending: bool) -> list[str]:
    problems = []
    for field, label in (("to", _("To")), ("cc", _("Cc")), ("bcc", _("Bcc"))):
        bad = invalid_addresses(getattr(form, field))
        if bad:
            problems.append(_("%(field)s: these are not email addresses: %(list)s",
                              field=label, list=", ".join(bad)))
    if sending and not (form.to.strip() or form.cc.strip() or form.bcc.strip()):
        problems.append(_("Add at least one recipient."))
    if sum(len(a.data) for a in attachments) > MAX_ATTACHMENTS_BYTES:
        problems.append(_("Attachments may total at most 25 MB; remove some files."))
    return problems


@blueprint.post("/compose")
@sign_in_required
def submit(account: int) -> Any:
    """Send the message, save it as a draft, or discard the draft."""
    box = bound_mailbox(account)
    form = ComposeForm.from_request()
    well_formed_or_400([form.draft_id, form.draft_message, form.forward_of, form.thread_id])
    action = request.form.get("action", "send")
    if action == "discard":
        if form.draft_id:
            box.call("delete_draft", purpose=COMPOSE, draft_id=form.draft_id)
        flash(_("Draft discarded."), "success")
        return redirect(url_for("mail.folder", account=account, slug="inbox"))
    aliases = from_choices(box)
    attachments = uploaded_files()
    dropped = set(request.form.getlist("drop"))
    problems = _problems(form, attachments, sending=action == "send")
    unavailable = False
    if not problems:
        try:
            carried = carried_files(box, form, dropped)
            attachments += carried.files
            problems = _problems(form, attachments, sending=action == "send")
            if not problems and carried.draft_gone:
                outgoing = _outgoing(box, form, aliases, attachments)
                return _keep_as_new_draft(box, form, outgoing, aliases,
                                          sending=action == "send", carried=carried)
            if not problems:
                outgoing = _outgoing(box, form, aliases, attachments)
                if action == "send" and _asks_new_message(form):
                    return _ask_before_sending(box, form, outgoing, aliases,
                                               ask_new_message=True)
                if request.form.get("new_message") == "confirmed":
                    form = replace(form, draft_replaced="")
                if action == "send" and _asks_before_sending(form):
                    return _ask_before_sending(box, form, outgoing, aliases)
                return _send_or_save(box, form, action=action, outgoing=outgoing,
                                     aliases=aliases)
        except InvalidMessage:
            problems.append(_("The message cannot be sent as written: a field contains a "
                              "line break or the message is too large."))
        except SendUnconfirmed:
            raise  # it may be on its way: the error page says to look in Sent first
        except (GmailUnavailable, GmailTimeout):
            # The error page would drop what was written; the form keeps it.
            unavailable = True
            problems.append(_("Gmail is not answering. What you wrote is still here; try "
                              "again in a moment."))
    uploaded = [neutralise_bidi(f.filename) for f in request.files.getlist("attachments")
                if f and f.filename]
    if uploaded:
        # A browser cannot be given files back: the page says which to choose again.
        problems.append(_("These files were not kept; attach them again: %(list)s",
                          list=", ".join(uploaded)))
    mode = request.form.get("mode", "new")
    return render_template("mail/compose.html", box=box, form=replace(form),
                           mode=mode if mode in MODES else "new", saving=action == "save",
                           aliases=aliases, problems=problems,
                           carried=carried_file_list(box, form),
                           dropped=frozenset(dropped)), 503 if unavailable else 400


def _asks_before_sending(form: ComposeForm) -> bool:
    """Tell whether to ask before sending: no subject, and the writer has not said yes.

    Gmail asks "Send this message without a subject or text in the body?" for a message
    without a subject; the page's script asks the same before the form leaves, and a
    writer who said yes sends ``empty_subject=confirmed``.
    """
    return not form.subject.strip() and request.form.get("empty_subject") != "confirmed"


def _asks_new_message(form: ComposeForm) -> bool:
    """Tell whether to ask before sending the draft that replaced a gone one.

    Its first version was sent or deleted in another window; sending this one may send
    the same mail twice, so the writer is asked once, by the page's script or by the
    server, and a yes sends ``new_message=confirmed``.
    """
    return bool(form.draft_replaced) and request.form.get("new_message") != "confirmed"


def _ask_before_sending(box: BoundMailbox, form: ComposeForm, outgoing: OutgoingMessage,
                        aliases: tuple[str, ...], *, ask_new_message: bool = False) -> Any:
    """Keep what was written as a draft and show it again, asking whether to send it.

    Without the page's script the question is a page of its own; saving the draft keeps
    the files just uploaded (a browser cannot be given them back), and the answer sends
    that draft. The question is whether to send without a subject, or (with
    ``ask_new_message``) whether to send the draft that replaced a gone one.
    """
    saved = _save_draft(box, outgoing, form.draft_id)
    kept = replace(form, draft_id=saved.id, draft_message=saved.message_id)
    if saved.id != form.draft_id and form.draft_id:
        kept = replace(kept, draft_replaced="1")
    mode = request.form.get("mode", "new")
    return render_template("mail/compose.html", box=box, form=kept,
                           mode=mode if mode in MODES else "new", aliases=aliases,
                           problems=[], carried=carried_file_list(box, kept),
                           dropped=frozenset(), ask_empty_subject=not ask_new_message,
                           ask_new_message=ask_new_message)


def _save_draft(box: BoundMailbox, outgoing: OutgoingMessage, draft_id: str) -> DraftRef:
    """Save ``outgoing`` as draft ``draft_id``, or as a new draft without one.

    Gmail keeps a draft's id when it is replaced, so an answer with another id tells that
    the draft was gone (sent or deleted in another window since it was read here) and
    what was written here became a new draft.
    """
    if draft_id:
        try:
            updated: DraftRef = box.call("save_draft", purpose=COMPOSE, outgoing=outgoing,
                                         draft_id=draft_id)
        except GmailNotFound:
            pass
        else:
            return updated
    created: DraftRef = box.call("save_draft", purpose=COMPOSE, outgoing=outgoing,
                                 draft_id=None)
    return created


def _keep_as_new_draft(box: BoundMailbox, form: ComposeForm, outgoing: OutgoingMessage,
                       aliases: tuple[str, ...], *, sending: bool, carried: Carried) -> Any:
    """Save what was written as a new draft, its own having gone, and say so (a 404).

    The draft was sent or deleted in another window. Sending this window's text as well
    could deliver a second message the writer did not mean to send, so nothing is sent:
    the writer is told what happened and sends the new draft if it should go out too.
    The files the new draft could not keep are named.
    """
    saved = _save_draft(box, outgoing, "")
    return _draft_gone_page(box, form, saved, aliases, sending=sending,
                            lost_note=carried.lost_note())


def _draft_gone_page(box: BoundMailbox, form: ComposeForm, saved: DraftRef,
                     aliases: tuple[str, ...], *, sending: bool, lost_note: str = "") -> Any:
    """Show the new draft holding what was written, saying why, with a 404.

    Gmail answers an id it does not hold in this mailbox the same way whether the draft
    was sent elsewhere or is another mailbox's: 404, as for any id not found here (an
    attempt on another mailbox's draft looks no different and changes nothing there).
    The new draft is marked as a replacement, so Send asks before it goes out; the page
    that says nothing was sent asks at once.
    """
    kept = replace(form, draft_id=saved.id, draft_message=saved.message_id,
                   draft_replaced="1")
    mode = request.form.get("mode", "new")
    notice = DRAFT_GONE_NOT_SENT if sending else DRAFT_GONE_SAVED
    problems = [str(notice), *([lost_note] if lost_note else [])]
    return render_template("mail/compose.html", box=box, form=kept,
                           mode=mode if mode in MODES else "new", saving=not sending,
                           aliases=aliases, problems=problems,
                           carried=carried_file_list(box, kept), dropped=frozenset(),
                           ask_new_message=sending), 404


def _send_or_save(box: BoundMailbox, form: ComposeForm, *, action: str,
                  outgoing: OutgoingMessage, aliases: tuple[str, ...]) -> Any:
    """Save ``outgoing`` as the form's draft, or send it and delete that draft."""
    if action == "save":
        saved = _save_draft(box, outgoing, form.draft_id)
        if form.draft_id and saved.id != form.draft_id:
            return _draft_gone_page(box, form, saved, aliases, sending=False)
        flash(_("Draft saved."), "success")
        return redirect(url_for("mail.compose", account=box.account.index, draft=saved.id,
                                replaced="1" if form.draft_replaced else None))
    sent: SentMessage = box.call("send", purpose=SEND, outgoing=outgoing)
    if form.draft_id:
        try:
            box.call("delete_draft", purpose=COMPOSE, draft_id=form.draft_id)
        except GmailError:
            current_app.logger.warning("the sent message's draft was not deleted")
    flash(_("Message sent."), "success")
    return redirect(url_for("mail.thread", account=box.account.index,
                            thread_id=sent.thread_id))


@blueprint.post("/drafts/autosave")
@sign_in_required
def autosave(account: int) -> Any:
    """Save the compose form as a draft (called by the page's script); answer its id."""
    box = bound_mailbox(account)
    form, left_out = _without_bad_entries(ComposeForm.from_request())
    well_formed_or_400([form.draft_id, form.draft_message, form.forward_of, form.thread_id])
    if _problems(form, (), sending=False):
        return jsonify({"saved": False}), 422
    carried = carried_files(box, form, set(request.form.getlist("drop")))
    outgoing = _outgoing(box, form, _autosave_senders(box, form), carried.files)
    try:
        saved = _save_draft(box, outgoing, "" if carried.draft_gone else form.draft_id)
    except InvalidMessage:
        return jsonify({"saved": False}), 422
    answer: dict[str, object] = {"saved": True, "draft_id": saved.id}
    if saved.message_id:
        answer["draft_message"] = saved.message_id
    notes = []
    gone = bool(form.draft_id) and saved.id != form.draft_id
    if gone:
        # The page's script shows the note, carries the new id from now on, marks the
        # draft as a replacement (so Send asks first) and takes the files that could not
        # be kept off its list; the 404 is what any id this mailbox does not hold gets
        # (see _draft_gone_page).
        notes.append(str(DRAFT_GONE_SAVED))
        answer["replaced"] = True
        answer["lost_files"] = list(carried.lost)
        if carried.lost:
            notes.append(carried.lost_note())
    if left_out:
        notes.append(_("Draft saved without the entries that are not email addresses: "
                       "%(list)s", list=", ".join(left_out)))
    if notes:
        answer["note"] = " ".join(notes)
    return jsonify(answer), 404 if gone else 200


def _without_bad_entries(form: ComposeForm) -> tuple[ComposeForm, list[str]]:
    """Return ``form`` less the recipient entries that are not addresses, and those entries.

    An autosave keeps the writer's text while an address is still being typed (``bob@``);
    the page keeps the field as typed, and sending still refuses it with the reason.
    """
    left_out: list[str] = []
    kept: dict[str, str] = {}
    for field in ("to", "cc", "bcc"):
        text = getattr(form, field)
        bad = invalid_addresses(text)
        if bad:
            left_out.extend(bad)
            kept[field] = ", ".join(entry for entry in recipient_entries(text) if entry not in bad)
    return replace(form, **kept), left_out


def _autosave_senders(box: BoundMailbox, form: ComposeForm) -> tuple[str, ...]:
    """Return the From choices an autosave may use, asking Gmail only for an alias.

    The usual From (the account's own address, as the form wrote it) needs no Gmail call
    on every autosave; any other From must be one of the account's send-as addresses, as
    for a send, or the draft is saved from the account's own address.
    """
    chosen = (addresses((form.from_,)) or [""])[0].lower()
    if not chosen:
        return (box.email,)
    if chosen == box.email.lower():
        return (form.from_,)
    return from_choices(box)
