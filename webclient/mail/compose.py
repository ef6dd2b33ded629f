"""Compose, reply, reply-all, forward, drafts (saved by hand or autosaved) and sending."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from email.utils import getaddresses
from typing import Any

from flask import (
    abort,
    current_app,
    flash,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import to_user_timezone

from audit import ResourceKind, ResourceRef
from guard.errors import (
    AccessDenied,
    GmailError,
    GmailNotFound,
    GmailTimeout,
    GmailUnavailable,
    SendUnconfirmed,
)
from guard.mail_headers import top_level_pieces
from guard.mail_values import (
    AttachmentData,
    AttachmentInfo,
    Draft,
    DraftPage,
    DraftRef,
    Message,
    MessageHeaders,
    OutgoingAttachment,
    OutgoingMessage,
    SendAsAlias,
    SentMessage,
)
from guard.outgoing import InvalidMessage
from guard.recording import record
from webclient.bidi_text import neutralise_bidi
from webclient.guard_link import current_guard
from webclient.invisible_text import readable_text
from webclient.mail.blueprint import blueprint
from webclient.mail.gmail_ids import found_or_404, well_formed_or_400
from webclient.mail.html_text import html_to_text
from webclient.mail.mailbox_link import (
    COMPOSE,
    READ,
    SEND,
    BoundMailbox,
    bound_mailbox,
    request_id,
)
from webclient.mail.message_body import plain_text
from webclient.mail.message_view import (
    addresses,
    from_parts,
    readable_addresses,
    shows_html,
    written_address,
)
from webclient.signed_in import sign_in_required

#: Gmail accepts messages up to 35 MB through the upload endpoint; attachments grow by a
#: third when base64-encoded, so the files themselves may total about 25 MB.
MAX_ATTACHMENTS_BYTES = 25 * 1024 * 1024
#: What separates the entries of a recipients field as a writer types it.
RECIPIENT_SEPARATORS = ",;\n"
#: A media type as RFC 6838 names them: type/subtype, restricted characters, no parameters.
_MEDIA_NAME = r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}"
_MEDIA_TYPE = re.compile(f"{_MEDIA_NAME}/{_MEDIA_NAME}")
#: What a Gmail message id can look like; anything else is not put in the audit entry.
_GMAIL_ID = re.compile(r"[A-Za-z0-9_-]{1,256}")
#: The rule an audit entry names when no draft of the mailbox holds the message asked for.
RULE_NO_SUCH_DRAFT = "draft.not_in_mailbox"
#: The kinds of compose page, as ``mode`` names them.
MODES = ("new", "reply", "reply_all", "forward")
#: Leading "Re:" or "Fwd:" prefixes (English, German, Indonesian), repeated or not.
_REPLY_PREFIXES = re.compile(r"^\s*((re|aw|balas)\s*:\s*)+", re.IGNORECASE)
_FORWARD_PREFIXES = re.compile(r"^\s*((fwd?|wg|terus)\s*:\s*)+", re.IGNORECASE)
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


@dataclass(frozen=True, slots=True)
class ComposeForm:
    """What the compose page shows and submits."""

    from_: str = ""
    to: str = ""
    cc: str = ""
    bcc: str = ""
    subject: str = ""
    body: str = ""
    in_reply_to: str = ""
    references: str = ""
    thread_id: str = ""
    draft_id: str = ""
    #: The Gmail message the draft held when the page last saved or opened it: what the
    #: draft's files are read from should the draft be gone.
    draft_message: str = ""
    #: "1" when the draft replaced one that was sent or deleted elsewhere: Send asks first.
    draft_replaced: str = ""
    forward_of: str = ""

    @classmethod
    def from_request(cls) -> ComposeForm:
        """Read the submitted form."""
        form = request.form
        return cls(**{name: form.get(name.rstrip("_") if name == "from_" else name, "")
                      for name in cls.__dataclass_fields__})


def _entries(text: str) -> list[str]:
    """Split a recipients field at commas, semicolons and newlines between addresses.

    A separator inside a quoted display name (``"Doe, John" <j@example.com>``, as reply
    and reply-all write it), an angle-bracketed address or a comment is part of the entry
    (the guard's scanner for address lists, ``top_level_pieces``).
    """
    pieces = top_level_pieces(text, separators=RECIPIENT_SEPARATORS, groups=False)
    return [entry.strip() for entry in pieces if entry.strip()]


def split_addresses(text: str) -> tuple[str, ...]:
    """Split a recipients field into its addresses, each as ``name <address>`` or bare."""
    pairs = (pair for entry in _entries(text) for pair in getaddresses([entry]))
    return tuple(written_address(name, address) for name, address in pairs if address)


def invalid_addresses(text: str) -> list[str]:
    """Return the entries of a recipients field that are not email addresses we can send to.

    An entry in group syntax (``team: a@example.org, b@example.org;``) is checked member
    by member. An address with non-ASCII characters before the @ would need SMTPUTF8,
    which the message is not sent with, so it is listed too.
    """
    bad = []
    for entry in _entries(text):
        addresses = [address for _name, address in getaddresses([entry])]
        if not addresses or not all(
                re.fullmatch(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+", address)
                and address.rpartition("@")[0].isascii() and _fits_mail(address)
                for address in addresses):
            bad.append(entry)
    return bad


def _fits_mail(address: str) -> bool:
    """Tell whether ``address`` is within SMTP's lengths (RFC 5321 4.5.3.1).

    At most 64 characters before the @, 63 in each part of the domain and 254 in all;
    Gmail would take a longer one and the message would only bounce.
    """
    local, _at, domain = address.rpartition("@")
    return (len(local) <= 64 and len(address) <= 254
            and all(0 < len(label) <= 63 for label in domain.split(".")))


def subject_with(prefix: str, subject: str) -> str:
    """Return ``subject`` with one ``prefix`` (``Re:`` or ``Fwd:``) in front, as Gmail does.

    Leading prefixes of the same kind are not repeated; one of the other kind stays, so a
    forwarded reply reads "Fwd: Re: ..." and a reply to a forward "Re: Fwd: ...".
    """
    same_kind = _FORWARD_PREFIXES if prefix.lower().startswith("fw") else _REPLY_PREFIXES
    base = same_kind.sub("", subject or "").strip()
    return f"{prefix} {base}".strip()


def _send_as(box: BoundMailbox) -> tuple[SendAsAlias, ...]:
    """Return the addresses the mailbox may send as, the default first.

    Asked of Gmail once per request: a reply's recipients and the page's From choices
    both need them, and each Gmail call is also an audit entry.
    """
    asked: dict[int, tuple[SendAsAlias, ...]] = g.setdefault("send_as", {})
    if box.account.index not in asked:
        try:
            found: tuple[SendAsAlias, ...] = box.call("send_as", purpose=READ)
        except (AccessDenied, GmailError):
            found = ()
        asked[box.account.index] = tuple(
            a for a in sorted(found, key=lambda a: not a.is_default)
            if a.verification_status in ("accepted", "") or a.is_primary)
    return asked[box.account.index]


def _aliases(box: BoundMailbox) -> tuple[str, ...]:
    """Return the From choices as ``name <address>``, the names as text (not RFC 2047).

    The choice is shown to the writer and compared with a reopened draft's From, so it
    is kept readable; the guard encodes a non-ASCII name when it writes the header.
    """
    names = [written_address(a.display_name, a.send_as_email) for a in _send_as(box)]
    return tuple(names) or (box.email,)


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
    return _aliases(box)


def _own_addresses(box: BoundMailbox) -> frozenset[str]:
    """Return the mailbox address and its send-as addresses, lower-cased."""
    return frozenset({box.email.lower(), *(a.send_as_email.lower() for a in _send_as(box))})


def _quote(box: BoundMailbox, message: Message) -> str:
    """Return a reply's quote of ``message``, its time in the reader's time zone.

    The conversation page shows that zone, so the quote names the same hour; the sender's
    own zone is named only in a forward, which copies the Date header with its offset.
    The sender's bidi controls in the From are made visible, as the page shows a raw From.
    """
    date = message.headers.date
    when = to_user_timezone(date).strftime("%Y-%m-%d %H:%M") if date else ""
    quoted = "\n".join("> " + line for line in _plain_text(box, message).splitlines())
    return "\n\n" + readable_text(_("On %(when)s, %(who)s wrote:", when=when,
                                    who=neutralise_bidi(message.headers.from_))) + "\n" + quoted


def _forwarded(box: BoundMailbox, message: Message) -> str:
    header = [_("---------- Forwarded message ---------"),
              _("From: %(who)s", who=neutralise_bidi(message.headers.from_))]
    if message.headers.date:
        header.append(_("Date: %(when)s",
                        when=message.headers.date.strftime("%Y-%m-%d %H:%M %z").strip()))
    header.append(_("Subject: %(subject)s", subject=message.headers.subject))
    if message.headers.to:
        header.append(_("To: %(who)s", who=neutralise_bidi(
            ", ".join(readable_addresses(message.headers.to)))))
    return "\n\n" + readable_text("\n".join(header)) + "\n\n" + _plain_text(box, message)


def _plain_text(box: BoundMailbox, message: Message) -> str:
    """Return the text a reply quotes or a forward carries, as the reader saw it.

    The version the conversation page shows (``shows_html``, the page's own choice): when
    it shows the HTML, the text that HTML shows (``html_to_text``), never the plain
    version, which a sender can fill with text the reader never saw; when it shows the
    plain text, that. An attached message comes under its headers in the reader's
    language; Gmail's snippet stands in when there is no text. Characters the reader could
    not see are removed (``readable_text``): the text goes out under the reader's name.
    """
    if shows_html(box, message):
        text = plain_text(message, html_as_text=html_to_text, html_first=True)
    else:
        text = plain_text(message)
    return readable_text(text if text and text.strip() else message.snippet or "")


def _references(headers: MessageHeaders) -> str:
    """Return the References of a reply to a message with ``headers`` (RFC 5322 3.6.4).

    The parent's References (or, without them, its single In-Reply-To) followed by the
    parent's Message-ID, so the whole ancestry is carried.
    """
    ancestry = list(headers.references)
    if not ancestry and headers.in_reply_to and len(headers.in_reply_to.split()) == 1:
        ancestry = [headers.in_reply_to.strip()]
    if headers.message_id and headers.message_id not in ancestry:
        ancestry.append(headers.message_id)
    return " ".join(ancestry)


def reply_form(box: BoundMailbox, message: Message, mode: str) -> ComposeForm:
    """Return the form of a reply, reply-all or forward of ``message``.

    A forward stays in the conversation, as Gmail threads it: same thread id,
    In-Reply-To and References as a reply.
    """
    headers = message.headers
    threading = {"in_reply_to": headers.message_id or "", "references": _references(headers),
                 "thread_id": message.thread_id}
    if mode == "forward":
        return ComposeForm(subject=subject_with("Fwd:", headers.subject),
                           body=_forwarded(box, message), forward_of=message.id, **threading)
    mine = _own_addresses(box)
    sent_by_me = from_parts(headers.from_)[1].lower() in mine
    if sent_by_me:
        to = readable_addresses(headers.to)
    else:
        to = readable_addresses(headers.reply_to) or [written_address(*from_parts(
            headers.from_))]
    # The writer's own addresses are left out, unless nobody else is left (a note to self).
    to = _unique(to, mine) or _unique(to, frozenset())
    cc: list[str] = []
    if mode == "reply_all":
        seen = {a.lower() for a in addresses(tuple(to))}
        cc = _unique(readable_addresses((*headers.to, *headers.cc)), mine | seen)
    return ComposeForm(to=", ".join(to), cc=", ".join(cc),
                       subject=subject_with("Re:", headers.subject), body=_quote(box, message),
                       **threading)


def _unique(values: list[str], leave_out: frozenset[str] | set[str]) -> list[str]:
    """Return ``values`` without repeated addresses and without those in ``leave_out``."""
    seen = set(leave_out)
    kept = []
    for value in values:
        address = (addresses((value,)) or [""])[0].lower()
        if address and address not in seen:
            seen.add(address)
            kept.append(value)
    return kept


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
                 if _GMAIL_ID.fullmatch(message_id) else ())
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
                           aliases=_aliases(box), problems=[], carried=carried,
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


def _upload_type(declared: str) -> str:
    """Return the browser's type for an uploaded file, or ``application/octet-stream``.

    The type of an upload is the browser's guess, which the sender cannot correct; one
    that is not ``type/subtype`` is treated as unknown, as browsers do for a file they
    cannot identify.
    """
    if _MEDIA_TYPE.fullmatch(declared or ""):
        return declared
    return "application/octet-stream"


def _uploaded() -> tuple[OutgoingAttachment, ...]:
    files = []
    for upload in request.files.getlist("attachments"):
        if not upload or not upload.filename:
            continue
        files.append(OutgoingAttachment(filename=upload.filename,
                                        mime_type=_upload_type(upload.mimetype),
                                        data=upload.read()))
    return tuple(files)


def _files_of(box: BoundMailbox, message: Message,
              parts: tuple[AttachmentInfo, ...]) -> tuple[OutgoingAttachment, ...]:
    """Return the bytes of ``parts`` of ``message`` as attachments to send again."""
    files = []
    for part in parts:
        data: AttachmentData = box.call("get_attachment", purpose=COMPOSE,
                                        message_id=message.id,
                                        attachment_id=part.attachment_id,
                                        part_id=part.part_id)
        files.append(OutgoingAttachment(filename=data.filename or part.filename,
                                        mime_type=data.mime_type or part.mime_type,
                                        data=data.data))
    return tuple(files)


def attachment_key(part: AttachmentInfo) -> str:
    """Return what names a draft's attachment across its versions (size and file name).

    Every save of a draft is a new Gmail message, whose parts get new attachment ids, so
    the compose page names the files it offers to remove by what does not change.
    """
    return f"{part.size}:{part.filename}"


def forwarded_files(original: Message) -> tuple[AttachmentInfo, ...]:
    """Return the attachments a forward of ``original`` carries: its files, not its inline
    parts (the forward's text is plain, so an image its HTML showed has no place in it)."""
    return tuple(part for part in original.attachments if not part.inline)


@dataclass(frozen=True, slots=True)
class Carried:
    """The attachments a new version of the message keeps, and whether its draft is gone."""

    files: tuple[OutgoingAttachment, ...] = ()
    #: The form names a draft Gmail no longer has: it was sent or deleted in another
    #: window (or tab) after this one opened it.
    draft_gone: bool = False
    #: The files of a gone draft that could not be read any more, by ``attachment_key``.
    lost: tuple[str, ...] = ()

    def lost_note(self) -> str:
        """Return what the writer is told of the files that could not be kept, or ""."""
        if not self.lost:
            return ""
        names = [neutralise_bidi(key.partition(":")[2]) or _("(unnamed file)")
                 for key in self.lost]
        return _("The draft's files could not be kept, as it is gone: %(list)s. Attach "
                 "them again if they should go with it.", list=", ".join(names))


def _existing_draft(box: BoundMailbox, draft_id: str) -> Draft | None:
    """Return draft ``draft_id``, or None when it is no longer in the mailbox."""
    try:
        draft: Draft = box.call("get_draft", purpose=COMPOSE, draft_id=draft_id)
    except GmailNotFound:
        return None
    return draft


def _carried(box: BoundMailbox, form: ComposeForm, dropped: set[str]) -> Carried:
    """Return the attachments a new version of the message keeps from before.

    A saved draft keeps its attachments (less those the writer removed) through every
    save, autosave and the send; a forward that is not yet a draft carries the original's
    attachments (less those removed), so its first draft holds them as Gmail's does. A
    draft sent or deleted elsewhere keeps them too where they can still be read (see
    ``_gone_draft_files``).
    """
    if form.draft_id:
        draft = _existing_draft(box, form.draft_id)
        if draft is not None:
            kept = tuple(part for part in draft.message.attachments
                         if attachment_key(part) not in dropped)
            return Carried(_files_of(box, draft.message, kept))
    files: tuple[OutgoingAttachment, ...] = ()
    forwarded: set[str] = set()
    if form.forward_of:
        original: Message = box.call("get_message", purpose=COMPOSE,
                                     message_id=form.forward_of)
        forwarded = {attachment_key(part) for part in forwarded_files(original)}
        kept = tuple(part for part in forwarded_files(original)
                     if attachment_key(part) not in dropped)
        files = _files_of(box, original, kept)
    if not form.draft_id:
        return Carried(files)
    listed = [key for key in dict.fromkeys(request.form.getlist("carried_file"))
              if key not in dropped and key not in forwarded]
    more, lost = _gone_draft_files(box, form.draft_message, listed)
    return Carried(files + more, draft_gone=True, lost=lost)


def _gone_draft_files(box: BoundMailbox, message_id: str, listed: list[str]
                      ) -> tuple[tuple[OutgoingAttachment, ...], tuple[str, ...]]:
    """Return the files ``listed`` (by ``attachment_key``) of a gone draft's message that
    can still be read, and the keys of those that cannot.

    A draft sent from Gmail's own client leaves Drafts while its message, in Sent, keeps
    its id and its files; a deleted one takes its message with it. The message is asked
    of this mailbox only, as any message id a form names, so a file of another mailbox
    is never read.
    """
    if not listed:
        return (), ()
    message: Message | None = None
    if message_id and _GMAIL_ID.fullmatch(message_id):
        try:
            message = box.call("get_message", purpose=COMPOSE, message_id=message_id)
        except GmailNotFound:
            message = None
    parts = {attachment_key(part): part
             for part in (message.attachments if message is not None else ())}
    files: list[OutgoingAttachment] = []
    lost: list[str] = []
    for key in listed:
        part = parts.get(key)
        if message is None or part is None:
            lost.append(key)
            continue
        try:
            files.extend(_files_of(box, message, (part,)))
        except GmailNotFound:
            lost.append(key)
    return tuple(files), tuple(lost)


def _listed_carried(box: BoundMailbox, form: ComposeForm) -> tuple[AttachmentInfo, ...]:
    """Return the saved draft's (or the forwarded message's) attachments, for the compose
    page shown again.

    With Gmail not answering, or the draft gone, the list is left out, so the page still
    keeps what was written; a draft Gmail still has keeps its attachments all the same.
    """
    try:
        if form.draft_id:
            draft = _existing_draft(box, form.draft_id)
            if draft is not None:
                return draft.message.attachments
        if form.forward_of:
            original: Message = box.call("get_message", purpose=COMPOSE,
                                         message_id=form.forward_of)
            return forwarded_files(original)
    except SendUnconfirmed:
        raise
    except (GmailUnavailable, GmailTimeout, GmailNotFound):
        return ()
    return ()


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
    aliases = _aliases(box)
    attachments = _uploaded()
    dropped = set(request.form.getlist("drop"))
    problems = _problems(form, attachments, sending=action == "send")
    unavailable = False
    if not problems:
        try:
            carried = _carried(box, form, dropped)
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
                           carried=_listed_carried(box, form),
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
                           problems=[], carried=_listed_carried(box, kept),
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
                           carried=_listed_carried(box, kept), dropped=frozenset(),
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
    carried = _carried(box, form, set(request.form.getlist("drop")))
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
            kept[field] = ", ".join(entry for entry in _entries(text) if entry not in bad)
    return replace(form, **kept), left_out
