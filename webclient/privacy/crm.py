"""Log a conversation to a Qontak CRM contact or deal, through the guard's transfer gate.

The page shows what will be sent (which conversation, which kinds of data, to which
recipient) and, the first time, asks for the user's transfer consent, stored word for
word. Sending builds a payload whose every Gmail value carries its provenance, so the gate
decides on the data classes actually present; the gate records every decision, allowed or
refused, before anything leaves. The form names the recipient and the data classes, and
whatever it says, only the gate decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for

from guard.consents import InvalidConsent, TransferConsentRecord
from guard.errors import TransferBlocked
from guard.mail_values import Message, Thread
from guard.policy import DataClass, TransferBasis
from guard.provenance import GmailDerived
from guard.transfers import TransferFailed
from webclient.guard_link import current_guard
from webclient.invisible_text import readable_text
from webclient.mail.html_text import html_to_text
from webclient.mail.mailbox_link import BoundMailbox, bound_mailbox, request_id
from webclient.mail.message_body import plain_text
from webclient.mail.message_view import seen_html
from webclient.privacy.blueprint import blueprint
from webclient.privacy.wording import (
    CRM_RECIPIENT,
    data_class_label,
    p_,
    recipient_name,
    transfer_refusal,
    transfer_wording,
    wording_digest,
)
from webclient.signed_in import sign_in_required

#: The purpose of reading a conversation to log it (the user asked for it).
PROCESS = "email.process"
TARGET_KINDS = ("contact", "deal")
MAX_TARGET = 200


@dataclass(frozen=True, slots=True)
class CrmTarget:
    """The CRM record the conversation is logged to: a contact or a deal, by name."""

    kind: str
    name: str


def _listed_classes() -> tuple[str, ...]:
    """Return the data classes the policy lists for the CRM, as the page offers them."""
    recipient = current_guard().policy.transfers.recipients.get(CRM_RECIPIENT)
    if recipient is None:
        abort(404)
    return tuple(c.value for c in DataClass if c in recipient.data_classes)


def _wording() -> str:
    return transfer_wording(recipient=recipient_name(CRM_RECIPIENT),
                            description=p_("log conversations to contacts and deals"),
                            data_classes=_listed_classes())


def consent_in_force(mailbox: str, recipient_id: str, now: datetime
                     ) -> TransferConsentRecord | None:
    """Return the user's newest transfer consent to ``recipient_id`` still in force."""
    for consent in current_guard().transfer_consents.for_user(mailbox):
        if (consent.recipient_id == recipient_id and consent.revoked_at is None
                and (consent.expires_at is None or consent.expires_at > now)):
            return consent
    return None


def _content(message: Message) -> dict[str, str]:
    """Return what is sent of ``message``'s content: the text its owner saw of it.

    The consent names this class "content (the text of the messages)", so text is what
    goes, never markup. When the conversation page shows the HTML version (``seen_html``,
    the page's own choice), that is the text the HTML shows once sanitised, without what
    its styles hide (``html_to_text``), never the plain version, which a sender can fill
    with words the owner never saw. Otherwise the text version. Attached messages come
    under their headers; Gmail's snippet stands in when there is no text. Characters the
    owner could not see are removed.
    """
    if seen_html(message, allow_remote_images=False) is None:
        text = plain_text(message)
    else:
        text = plain_text(message, html_as_text=html_to_text, html_first=True)
    return {"id": message.id, "text": readable_text(text if text and text.strip()
                                                    else message.snippet or "")}


def _sent_messages(thread: Thread) -> tuple[Message, ...]:
    """Return the conversation's messages without unsent drafts."""
    return tuple(m for m in thread.messages if "DRAFT" not in m.label_ids)


def conversation_payload(thread: Thread, *, mailbox: str, classes: tuple[DataClass, ...],
                         target: CrmTarget) -> dict[str, Any]:
    """Return what goes to the CRM: the target and, per data class, the marked values.

    Each part is wrapped with its provenance (mailbox, message ids, data class), so the
    transfer gate sees exactly which classes leave. Attachments are described (name,
    type, size), never their bytes.
    """
    messages = _sent_messages(thread)
    ids = [m.id for m in messages]

    def mark(value: Any, data_class: DataClass) -> GmailDerived[Any]:
        return GmailDerived.of(value, mailbox=mailbox, message_ids=ids, data_class=data_class)

    parts: dict[str, Any] = {}
    for data_class in classes:
        if data_class is DataClass.METADATA:
            parts["metadata"] = mark({"thread_id": thread.id, "messages": [
                {"id": m.id, "from": m.headers.from_, "to": list(m.headers.to),
                 "cc": list(m.headers.cc), "subject": m.headers.subject,
                 "date": m.headers.date.isoformat() if m.headers.date else None}
                for m in messages]}, data_class)
        elif data_class is DataClass.CONTENT:
            parts["content"] = mark({"messages": [_content(m) for m in messages]},
                                    data_class)
        elif data_class is DataClass.ATTACHMENTS:
            parts["attachments"] = mark({"attachments": [
                {"message_id": m.id, "filename": a.filename, "mime_type": a.mime_type,
                 "size": a.size} for m in messages for a in m.attachments]}, data_class)
    return {"target": {"kind": target.kind, "name": target.name}, **parts}


def _page(box: BoundMailbox, thread: Thread, *, status: int = 200, error: str | None = None,
          target: CrmTarget | None = None) -> Any:
    now = current_guard().settings.clock()
    consent = consent_in_force(box.email, CRM_RECIPIENT, now)
    wording = _wording()
    classes = _listed_classes()
    return render_template(
        "privacy/crm.html", box=box, thread=thread, messages=_sent_messages(thread),
        recipient=CRM_RECIPIENT, recipient_label=recipient_name(CRM_RECIPIENT),
        classes=classes, class_labels=[data_class_label(c) for c in classes],
        consent=consent, wording=wording, digest=wording_digest(wording), error=error,
        target=target or CrmTarget(kind="contact", name=""), kinds=TARGET_KINDS,
    ), status


@blueprint.get("/crm/<thread_id>")
@sign_in_required
def crm(account: int, thread_id: str) -> Any:
    """Show what logging this conversation to Qontak CRM sends, and ask where to log it."""
    box = bound_mailbox(account)
    thread = box.call("get_thread", purpose=PROCESS, thread_id=thread_id)
    return _page(box, thread)


def _classes(values: list[str]) -> tuple[DataClass, ...]:
    try:
        return tuple(sorted({DataClass(v) for v in values}, key=lambda c: c.value))
    except ValueError:
        abort(400)


@blueprint.post("/crm/<thread_id>")
@sign_in_required
def crm_send(account: int, thread_id: str) -> Any:
    """Log the conversation to the CRM through the transfer gate (consent first, once)."""
    box = bound_mailbox(account)
    thread = box.call("get_thread", purpose=PROCESS, thread_id=thread_id)
    guard = current_guard()
    target = CrmTarget(kind=request.form.get("target_kind", ""),
                       name=" ".join(request.form.get("target_name", "").split()))
    if target.kind not in TARGET_KINDS or not target.name or len(target.name) > MAX_TARGET:
        return _page(box, thread, status=400, target=target,
                     error=p_("Choose a contact or a deal and give its name (at most "
                              "%(max)d characters).", max=MAX_TARGET))
    recipient = request.form.get("recipient", "")
    classes = _classes(request.form.getlist("data_class"))
    consent = consent_in_force(box.email, recipient, guard.settings.clock())
    if consent is None and recipient == CRM_RECIPIENT and request.form.get("agree") != "yes":
        # The box left unticked (a browser skipping ``required``) is the form not yet
        # filled in, not a transfer: ask again, keeping what was typed; nothing is sent.
        # A recipient the page never offers still goes to the gate, which refuses it.
        return _page(box, thread, status=400, target=target,
                     error=p_("This recipient needs your consent first. Tick the box to "
                              "agree, then send again."))
    if consent is None and request.form.get("agree") == "yes":
        wording = _wording()
        if wording_digest(wording) != request.form.get("digest"):
            return _page(box, thread, status=409, target=target,
                         error=p_("The text you agreed to has changed (for example, the "
                                  "language). Read it again, then agree."))
        try:
            consent = guard.transfer_consents.record(actor=box.actor, recipient_id=recipient,
                                                     wording=wording,
                                                     request_id=request_id())
        except InvalidConsent:
            consent = None  # an unlisted recipient: the gate refuses it and records that
    payload = conversation_payload(thread, mailbox=box.email, classes=classes, target=target)
    try:
        receipt = guard.transfers.send(
            recipient, mailbox=box.email, basis=TransferBasis.FEATURE, payload=payload,
            user_consent=consent.id if consent is not None else None, actor=box.actor,
            request_id=request_id())
    except TransferBlocked as refused:
        return render_template("privacy/refused.html", box=box, thread=thread,
                               reason=transfer_refusal(refused.rule_id),
                               rule=refused.rule_id), 403
    except TransferFailed:
        return render_template("privacy/refused.html", box=box, thread=thread, reason=p_(
            "Qontak CRM did not accept the conversation, so it was not logged. Try again "
            "in a few minutes."), rule=None), 502
    flash(p_("Conversation logged to Qontak CRM. Transfer reference: %(ref)s.",
             ref=receipt.transfer_id), "success")
    return redirect(url_for("mail.thread", account=account, thread_id=thread.id))
