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
from werkzeug.wrappers import Response

from guard.consents import ConsentRecord
from guard.errors import DecisionError
from guard.grants import GrantRecord
from guard.mail_values import Message, Thread
from guard.policy import AccessBasis
from webclient.sanitize import frame_document, sanitize_email_html, text_to_html
from webclient.security import message_frame_csp
from webclient.staff import services
from webclient.staff.blueprint import blueprint
from webclient.staff.console import Section, bases_of, refuse, request_id, section_required
from webclient.staff.staff_session import StaffSession, signed_in, staff_required
from webclient.staff.watermark import Watermark, consent_basis, grant_basis

#: Most messages one consent page shows at once.
MAX_CONSENTED = 50


@dataclass(frozen=True, slots=True)
class ShownMessage:
    """One message as the console shows it, with the URL of its body frame."""

    message: Message
    frame_url: str


def _watermark(me: StaffSession, basis: str) -> Watermark:
    return Watermark(viewer=me.email, role=me.role, basis=basis, moment=services.now())


def _broker_or_404(call: Callable[[], Any]) -> Any:
    """Run a broker call; a refusal (already recorded by the broker) answers 404."""
    try:
        return call()
    except DecisionError:
        abort(404)


def _consent(me: StaffSession, consent_id: str) -> ConsentRecord:
    found: ConsentRecord | None = services.consents().get(consent_id)
    if found is None:
        refuse(me.actor, basis=AccessBasis.CONSENT, action="messages.get",
               basis_ref=consent_id)
    return found


def _consented_message(me: StaffSession, consent: ConsentRecord, message_id: str) -> Message:
    return _broker_or_404(lambda: services.broker().view_message(
        me.actor, mailbox=consent.user, message_id=message_id, consent_id=consent.id,
        request_id=request_id()))


def _grant(me: StaffSession, grant_id: str) -> GrantRecord:
    found: GrantRecord | None = services.grants().get(grant_id)
    if found is None:
        basis = AccessBasis.LEGAL if AccessBasis.LEGAL in bases_of(me.role) and \
            AccessBasis.SECURITY not in bases_of(me.role) else AccessBasis.SECURITY
        refuse(me.actor, basis=basis, action="messages.get", basis_ref=grant_id)
    return found


def frame_response(message: Message, mark: Watermark) -> Response:
    """Return the message body for the sandboxed frame, watermarked, remote images off."""
    if message.html_body:
        body = sanitize_email_html(message.html_body, allow_remote_images=False).html
    else:
        body = text_to_html(message.text_body or message.snippet or "")
    response = Response(frame_document(body + mark.frame_overlay(),
                                       allow_remote_images=False), mimetype="text/html")
    response.headers["Content-Security-Policy"] = message_frame_csp(allow_remote_images=False)
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


@blueprint.get("/consented")
@staff_required
@section_required(Section.CONSENTED)
def consented() -> Any:
    """Ask for the consent reference a user gave, then open what it covers."""
    reference = request.args.get("ref", "").strip()
    if reference:
        return redirect(url_for("staff.consent_messages", consent_id=reference))
    return render_template("staff/consented.html")


@blueprint.get("/consented/<consent_id>")
@staff_required
@section_required(Section.CONSENTED)
def consent_messages(consent_id: str) -> Any:
    """Show every message the user's consent covers (each view decided and recorded)."""
    me = signed_in()
    consent = _consent(me, consent_id)
    shown = [ShownMessage(_consented_message(me, consent, mid),
                          url_for("staff.consent_frame", consent_id=consent.id,
                                  message_id=mid))
             for mid in sorted(consent.message_ids)[:MAX_CONSENTED]]
    return render_template("staff/messages.html", shown=shown, consent=consent, grant=None,
                           mark=_watermark(me, consent_basis(consent)))


@blueprint.get("/consented/<consent_id>/m/<message_id>")
@staff_required
@section_required(Section.CONSENTED)
def consent_message(consent_id: str, message_id: str) -> Any:
    """Show one message under the user's consent; a message it does not cover is 404."""
    me = signed_in()
    consent = _consent(me, consent_id)
    message = _consented_message(me, consent, message_id)
    shown = [ShownMessage(message, url_for("staff.consent_frame", consent_id=consent.id,
                                           message_id=message.id))]
    return render_template("staff/messages.html", shown=shown, consent=consent, grant=None,
                           mark=_watermark(me, consent_basis(consent)))


@blueprint.get("/consented/<consent_id>/m/<message_id>/frame")
@staff_required
@section_required(Section.CONSENTED)
def consent_frame(consent_id: str, message_id: str) -> Any:
    """Serve one consented message body for the sandboxed, watermarked frame."""
    me = signed_in()
    consent = _consent(me, consent_id)
    return frame_response(_consented_message(me, consent, message_id),
                          _watermark(me, consent_basis(consent)))


@blueprint.get("/grants/<grant_id>/m/<message_id>")
@staff_required
@section_required(Section.GRANTS)
def grant_message(grant_id: str, message_id: str) -> Any:
    """Show one message of the grant's mailbox while the grant is in force."""
    me = signed_in()
    grant = _grant(me, grant_id)
    message: Message = _broker_or_404(lambda: services.broker().view_message(
        me.actor, mailbox=grant.mailbox, message_id=message_id, grant_id=grant.id,
        request_id=request_id()))
    shown = [ShownMessage(message, url_for("staff.grant_frame", grant_id=grant.id,
                                           message_id=message.id))]
    return render_template("staff/messages.html", shown=shown, consent=None, grant=grant,
                           mark=_watermark(me, grant_basis(grant)))


@blueprint.get("/grants/<grant_id>/t/<thread_id>")
@staff_required
@section_required(Section.GRANTS)
def grant_thread(grant_id: str, thread_id: str) -> Any:
    """Show one conversation of the grant's mailbox while the grant is in force."""
    me = signed_in()
    grant = _grant(me, grant_id)
    thread: Thread = _broker_or_404(lambda: services.broker().view_thread(
        me.actor, mailbox=grant.mailbox, thread_id=thread_id, grant_id=grant.id,
        request_id=request_id()))
    shown = [ShownMessage(m, url_for("staff.grant_frame", grant_id=grant.id,
                                     message_id=m.id)) for m in thread.messages]
    return render_template("staff/messages.html", shown=shown, consent=None, grant=grant,
                           mark=_watermark(me, grant_basis(grant)))


@blueprint.get("/grants/<grant_id>/m/<message_id>/frame")
@staff_required
@section_required(Section.GRANTS)
def grant_frame(grant_id: str, message_id: str) -> Any:
    """Serve one message body under a grant for the sandboxed, watermarked frame."""
    me = signed_in()
    grant = _grant(me, grant_id)
    message: Message = _broker_or_404(lambda: services.broker().view_message(
        me.actor, mailbox=grant.mailbox, message_id=message_id, grant_id=grant.id,
        request_id=request_id()))
    return frame_response(message, _watermark(me, grant_basis(grant)))
