"""Staff viewing of exactly the granted messages: through the broker, sanitised, watermarked.

Every page and every message frame asks the broker again, so each is decided on fresh
evidence (a revoked consent or an expired grant stops the very next request) and
recorded before Gmail is reached. A refusal, for whatever reason, answers 404: whether
a message, a consent or a grant exists is itself private.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from markupsafe import escape
from werkzeug.wrappers import Response

from guard.consents import ConsentRecord
from guard.errors import DecisionError, GmailAuthError
from guard.grants import GrantRecord
from guard.mail_values import AttachmentData, Message, Thread
from guard.policy import AccessBasis
from guard.retry import GmailNotFound
from webclient.mail.message_view import (
    body_or_text,
    only_left_out_images,
    seen_html,
    text_version,
)
from webclient.mail.parts import inline_image_response
from webclient.sanitize import SanitizedHtml, frame_document
from webclient.security import message_frame_csp
from webclient.staff import services
from webclient.staff.blueprint import blueprint
from webclient.staff.console import Section, bases_of, refuse, request_id, section_required
from webclient.staff.inline_images import inline_url, read_inline_url
from webclient.staff.staff_session import StaffSession, signed_in, staff_required
from webclient.staff.watermark import Watermark, consent_basis, grant_basis

#: Most messages one consent page shows at once.
MAX_CONSENTED = 50


@dataclass(frozen=True, slots=True)
class ShownMessage:
    """One message as the console shows it, with the URL of its body frame."""

    message: Message
    frame_url: str


@blueprint.errorhandler(GmailAuthError)
def _no_gmail_access(_error: GmailAuthError) -> Any:
    """Say that the mailbox's Gmail access is gone (the mail user's page asks to reconnect)."""
    return render_template("staff/refused.html", title=_("Nothing can be shown"), message=_(
        "MailGuard holds no Gmail access to this mailbox: its owner never connected it, "
        "disconnected it, or Google withdrew the access. Nothing was fetched from it.")), 409


@blueprint.errorhandler(GmailNotFound)
def _gone_from_gmail(_error: GmailNotFound) -> Any:
    """Say that the message or conversation is no longer in the mailbox."""
    return render_template("staff/refused.html", title=_("Not found"), message=_(
        "This conversation or message no longer exists in Gmail.")), 404


def _watermark(me: StaffSession, basis: str) -> Watermark:
    return Watermark(viewer=me.email, role=me.role, basis=basis, moment=services.now())


def _broker_or_404(call: Callable[[], Any]) -> Any:
    """Run a broker call; a refusal (already recorded by the broker) answers 404."""
    try:
        return call()
    except DecisionError:
        abort(404)


@dataclass(frozen=True, slots=True)
class Evidence:
    """What a staff view stands on, the user's consent or a grant, and where its frames are.

    ``reference`` is ``{"consent_id": ...}`` or ``{"grant_id": ...}``: the broker's keyword
    for the evidence and the frame route's argument alike.
    """

    mailbox: str
    reference: dict[str, str]
    frame_endpoint: str
    basis: str
    consent: ConsentRecord | None = None
    grant: GrantRecord | None = None

    @classmethod
    def of_consent(cls, consent: ConsentRecord) -> Evidence:
        """Return the evidence of a view under the user's consent."""
        return cls(mailbox=consent.user, reference={"consent_id": consent.id},
                   frame_endpoint="staff.consent_frame", basis=consent_basis(consent),
                   consent=consent)

    @classmethod
    def of_grant(cls, grant: GrantRecord) -> Evidence:
        """Return the evidence of a view under a security or legal grant."""
        return cls(mailbox=grant.mailbox, reference={"grant_id": grant.id},
                   frame_endpoint="staff.grant_frame", basis=grant_basis(grant), grant=grant)

    def frame_url(self, message_id: str) -> str:
        """Return the URL of one message body's frame under this evidence."""
        values: dict[str, Any] = {"message_id": message_id, **self.reference}
        return url_for(self.frame_endpoint, **values)


def _consent(me: StaffSession, consent_id: str) -> ConsentRecord:
    found: ConsentRecord | None = services.consents().get(consent_id)
    if found is None:
        refuse(me.actor, basis=AccessBasis.CONSENT, action="messages.get",
               basis_ref=consent_id)
    return found


def _grant(me: StaffSession, grant_id: str) -> GrantRecord:
    found: GrantRecord | None = services.grants().get(grant_id)
    if found is None:
        basis = AccessBasis.LEGAL if AccessBasis.LEGAL in bases_of(me.role) and \
            AccessBasis.SECURITY not in bases_of(me.role) else AccessBasis.SECURITY
        refuse(me.actor, basis=basis, action="messages.get", basis_ref=grant_id)
    return found


def _message(me: StaffSession, evidence: Evidence, message_id: str) -> Message:
    """Ask the broker for one message under ``evidence``; a refusal answers 404."""
    return _broker_or_404(lambda: services.broker().view_message(
        me.actor, mailbox=evidence.mailbox, message_id=message_id, request_id=request_id(),
        **evidence.reference))


def _messages_page(me: StaffSession, evidence: Evidence, messages: list[Message]) -> Any:
    """Render ``messages`` shown under ``evidence``, watermarked for ``me``."""
    shown = [ShownMessage(m, evidence.frame_url(m.id)) for m in messages]
    return render_template("staff/messages.html", shown=shown, consent=evidence.consent,
                           grant=evidence.grant, mark=_watermark(me, evidence.basis))


def _frame(me: StaffSession, evidence: Evidence, message_id: str) -> Response:
    """Serve one message body under ``evidence`` for the sandboxed, watermarked frame."""
    message = _message(me, evidence, message_id)
    grant = evidence.grant
    if grant is None:  # a consent covers the text, not the images (inline_images)
        return frame_response(message, _watermark(me, evidence.basis))
    return frame_response(message, _watermark(me, evidence.basis),
                          cid_url=lambda cid: inline_url(me, grant.id, message, cid))


def frame_response(message: Message, mark: Watermark, *,
                   cid_url: Callable[[str], str] | None = None) -> Response:
    """Return the message body for the sandboxed frame, watermarked, remote images off.

    The body is what the owner's conversation page shows (``seen_html``, else the text
    version or a notice), sanitised by the same sanitiser, its notices in the staff
    member's language. Under a grant its inline images come through ``cid_url`` (the
    console's ``inline_part`` route, under the same grant), so an HTML body made of
    inline images is shown as its owner sees it. Without one (the user's consent, which
    covers the text) they are left out, and an HTML body that showed only them gives
    way to the text version, or to a note that the message's content is images the
    consent does not cover, rather than a frame of empty images.
    """
    seen = seen_html(message, allow_remote_images=False, cid_url=cid_url)
    if cid_url is None and seen is not None and only_left_out_images(seen):
        shown: SanitizedHtml | str = text_version(message) or _images_not_covered()
    else:
        shown = body_or_text(message, seen)
    body = shown if isinstance(shown, str) else shown.html
    response = Response(frame_document(body + mark.frame_overlay(),
                                       allow_remote_images=False), mimetype="text/html")
    response.headers["Content-Security-Policy"] = message_frame_csp(allow_remote_images=False)
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _images_not_covered() -> str:
    """Return the frame's note for a consented message whose only content is images."""
    return '<p class="mg-unrenderable">{}</p>'.format(escape(_(
        "This message's content is images, which the user's consent does not cover: it "
        "covers the message's text and its attachments' names.")))


@blueprint.get("/consented")
@staff_required
@section_required(Section.CONSENTED)
def consented() -> Any:
    """Ask for the consent reference a user gave, then open what it covers."""
    typed = request.args.get("ref")
    if typed is None:
        return render_template("staff/consented.html", typed="")
    if typed.strip():
        return redirect(url_for("staff.consent_messages", consent_id=typed.strip()))
    return render_template("staff/consented.html", typed=typed, error=_(
        "Enter the consent reference the user gave you; it starts with cns_.")), 400


@blueprint.get("/consented/<consent_id>")
@staff_required
@section_required(Section.CONSENTED)
def consent_messages(consent_id: str) -> Any:
    """Show every message the user's consent covers (each view decided and recorded)."""
    me = signed_in()
    consent = _consent(me, consent_id)
    evidence = Evidence.of_consent(consent)
    return _messages_page(me, evidence, [
        _message(me, evidence, mid) for mid in sorted(consent.message_ids)[:MAX_CONSENTED]])


@blueprint.get("/consented/<consent_id>/m/<message_id>")
@staff_required
@section_required(Section.CONSENTED)
def consent_message(consent_id: str, message_id: str) -> Any:
    """Show one message under the user's consent; a message it does not cover is 404."""
    me = signed_in()
    evidence = Evidence.of_consent(_consent(me, consent_id))
    return _messages_page(me, evidence, [_message(me, evidence, message_id)])


@blueprint.get("/consented/<consent_id>/m/<message_id>/frame")
@staff_required
@section_required(Section.CONSENTED)
def consent_frame(consent_id: str, message_id: str) -> Any:
    """Serve one consented message body for the sandboxed, watermarked frame."""
    me = signed_in()
    return _frame(me, Evidence.of_consent(_consent(me, consent_id)), message_id)


@blueprint.get("/grants/<grant_id>/m/<message_id>")
@staff_required
@section_required(Section.GRANTS)
def grant_message(grant_id: str, message_id: str) -> Any:
    """Show one message of the grant's mailbox while the grant is in force."""
    me = signed_in()
    evidence = Evidence.of_grant(_grant(me, grant_id))
    return _messages_page(me, evidence, [_message(me, evidence, message_id)])


@blueprint.get("/grants/<grant_id>/t/<thread_id>")
@staff_required
@section_required(Section.GRANTS)
def grant_thread(grant_id: str, thread_id: str) -> Any:
    """Show one conversation of the grant's mailbox while the grant is in force."""
    me = signed_in()
    evidence = Evidence.of_grant(_grant(me, grant_id))
    thread: Thread = _broker_or_404(lambda: services.broker().view_thread(
        me.actor, mailbox=evidence.mailbox, thread_id=thread_id, request_id=request_id(),
        **evidence.reference))
    return _messages_page(me, evidence, list(thread.messages))


@blueprint.get("/grants/<grant_id>/m/<message_id>/frame")
@staff_required
@section_required(Section.GRANTS)
def grant_frame(grant_id: str, message_id: str) -> Any:
    """Serve one message body under a grant for the sandboxed, watermarked frame."""
    me = signed_in()
    return _frame(me, Evidence.of_grant(_grant(me, grant_id)), message_id)


@blueprint.get("/inline/<token>")
def inline_part(token: str) -> Any:
    """Serve an inline image of a message shown under a grant (a signed URL).

    The sandboxed frame's image requests may come without the staff cookie, so the URL
    names the staff session, which must still be live; the broker then decides and
    records the view of that message's part under the grant, as it does the message.
    Only the owner's inline image types are served; anything else, or anything refused,
    is 404.
    """
    found = read_inline_url(token)
    if found is None:
        abort(404)
    me = found.session
    evidence = Evidence.of_grant(_grant(me, found.grant_id))
    data: AttachmentData = _broker_or_404(lambda: services.broker().view_attachment(
        me.actor, mailbox=evidence.mailbox, message_id=found.message_id,
        attachment_id=found.attachment_id, part_id=found.part_id, request_id=request_id(),
        **evidence.reference))
    return inline_image_response(data)
