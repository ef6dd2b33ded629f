"""Gather the files of a message being written: uploads, and those kept from before.

Every save of a draft is a new Gmail message, so each save, autosave and send sends the
files again: those just uploaded, and those the draft (or the forwarded message) already
held, less the ones the writer removed. A draft sent or deleted in another window keeps
what can still be read. Files are only ever read from this mailbox.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import request
from flask_babel import gettext as _

from guard.errors import GmailNotFound, GmailTimeout, GmailUnavailable, SendUnconfirmed
from guard.mail_values import (
    AttachmentData,
    AttachmentInfo,
    Draft,
    Message,
    OutgoingAttachment,
)
from webclient.bidi_text import neutralise_bidi
from webclient.mail.compose_form import ComposeForm
from webclient.mail.gmail_ids import MESSAGE_ID
from webclient.mail.mailbox_link import COMPOSE, BoundMailbox

#: Gmail accepts messages up to 35 MB through the upload endpoint; attachments grow by a
#: third when base64-encoded, so the files themselves may total about 25 MB.
MAX_ATTACHMENTS_BYTES = 25 * 1024 * 1024
#: A media type as RFC 6838 names them: type/subtype, restricted characters, no parameters.
_MEDIA_NAME = r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}"
_MEDIA_TYPE = re.compile(f"{_MEDIA_NAME}/{_MEDIA_NAME}")


def _upload_type(declared: str) -> str:
    """Return the browser's type for an uploaded file, or ``application/octet-stream``.

    The type of an upload is the browser's guess, which the sender cannot correct; one
    that is not ``type/subtype`` is treated as unknown, as browsers do for a file they
    cannot identify.
    """
    if _MEDIA_TYPE.fullmatch(declared or ""):
        return declared
    return "application/octet-stream"


def uploaded_files() -> tuple[OutgoingAttachment, ...]:
    """Return the files uploaded with the submitted form, as attachments to send."""
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


def carried_files(box: BoundMailbox, form: ComposeForm, dropped: set[str]) -> Carried:
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
    if message_id and MESSAGE_ID.fullmatch(message_id):
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


def carried_file_list(box: BoundMailbox, form: ComposeForm) -> tuple[AttachmentInfo, ...]:
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
