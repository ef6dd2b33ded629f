"""Request access on a security or legal basis, approve or refuse as the second person.

The grant book decides and records every request, approval and refusal (a self-approval
is refused there, not here); these views parse the form, call it, and show the outcome.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from guard.errors import DecisionError, GuardError
from guard.grants import GrantRecord, GrantStatus, InvalidGrant
from guard.policy import AccessBasis, GrantReference
from webclient.guard_link import current_guard
from webclient.staff import services
from webclient.staff.blueprint import blueprint
from webclient.staff.console import Section, bases_of, refuse, request_id, section_required
from webclient.staff.refusals import grant_problem_text, refusal_reason
from webclient.staff.staff_session import StaffSession, signed_in, staff_required

GRANT_BASES = (AccessBasis.SECURITY, AccessBasis.LEGAL)


@dataclass(frozen=True, slots=True)
class GrantLine:
    """A grant with where it stands now."""

    grant: GrantRecord
    status: GrantStatus


def _line(grant: GrantRecord) -> GrantLine:
    return GrantLine(grant, services.grants().status(grant))


def _request_bases(me: StaffSession) -> tuple[AccessBasis, ...]:
    return tuple(b for b in GRANT_BASES if b in bases_of(me.role))


def _visible_grant(me: StaffSession, grant_id: str) -> GrantRecord:
    """Return a grant the member holds or may approve; refuse (recorded, 404) otherwise."""
    book = services.grants()
    for grant in (*book.for_staff(me.email), *book.awaiting_approval(me.role)):
        if grant.id == grant_id:
            return grant
    found: GrantRecord | None = book.get(grant_id)
    basis = found.basis if found is not None else (_request_bases(me) or GRANT_BASES)[0]
    refuse(me.actor, basis=basis, action="grant.read",
           mailbox=found.mailbox if found is not None else None,
           grant=book.evidence(grant_id) if found is not None else None, basis_ref=grant_id)


def _duration(text: str) -> timedelta | None:
    """Return the duration asked for, or None (the policy's longest) for an empty field.

    Raise InvalidGrant (the guard's own duration problem, worded for the reader) for any
    other value no grant can have: zero, negative, not a number, infinite, or past the
    policy's maximum, which ``timedelta`` could not even hold. Zero is refused, not read as
    an empty field: the form says a grant lasts more than zero hours.
    """
    if not text:
        return None
    maximum = current_guard().policy.staff.max_grant.total_seconds() / 3600
    try:
        hours = float(text)
    except ValueError:
        hours = math.nan
    if not math.isfinite(hours) or hours <= 0 or hours > maximum:
        raise InvalidGrant(f"a grant lasts more than zero and at most {maximum:g} hours",
                           problem="grant_request.duration", hours=f"{maximum:g}")
    return timedelta(hours=hours)


def _form_page(me: StaffSession, *, error: str | None = None, status: int = 200) -> Any:
    staff_policy = current_guard().policy.staff
    return render_template(
        "staff/request.html", bases=_request_bases(me), form=request.form,
        categories=sorted(staff_policy.security_categories), error=error,
        max_hours=int(staff_policy.max_grant.total_seconds() // 3600)), status


@blueprint.get("/grants")
@staff_required
@section_required(Section.GRANTS)
def grants() -> Any:
    """List the member's grants and the requests of their role waiting for approval."""
    me = signed_in()
    book = services.grants()
    return render_template(
        "staff/grants.html", mine=[_line(g) for g in book.for_staff(me.email)],
        waiting=[_line(g) for g in book.awaiting_approval(me.role)])


@blueprint.get("/grants/new")
@staff_required
@section_required(Section.GRANTS)
def request_form() -> Any:
    """Show the form to request access to a mailbox with a basis."""
    return _form_page(signed_in())


@blueprint.post("/grants/new")
@staff_required
@section_required(Section.GRANTS)
def request_access() -> Any:
    """Ask the grant book for a grant; it records the request (pending if approval needed)."""
    me = signed_in()
    form = request.form
    try:
        basis = AccessBasis(form.get("basis", ""))
    except ValueError:
        return _form_page(me, error=_("Choose a basis and give the duration in hours."),
                          status=400)
    try:
        duration = _duration(form.get("hours", "").strip())
    except InvalidGrant as problem:
        return _form_page(me, error=grant_problem_text(problem), status=400)
    if basis is AccessBasis.SECURITY:
        reference = GrantReference(case_id=form.get("case_id", "").strip() or None,
                                   category=form.get("category", "").strip() or None)
    else:
        reference = GrantReference(legal_ref=form.get("legal_ref", "").strip() or None)
    try:
        grant = services.grants().request(
            actor=me.actor, mailbox=form.get("mailbox", "").strip().lower(), basis=basis,
            reference=reference, duration=duration,
            request_id=request_id())
    except DecisionError as refusal:
        return _form_page(me, error=_("The request was refused (rule %(rule)s). The refusal "
                                      "was recorded.", rule=refusal.rule_id), status=403)
    except InvalidGrant as problem:
        return _form_page(me, error=grant_problem_text(problem), status=400)
    except (GuardError, ValueError) as problem:
        return _form_page(me, error=str(problem), status=400)
    if grant.pending_until is not None:
        flash(_("Access requested. Another member of your role must approve it before you "
                "can view anything."), "success")
    else:
        flash(_("Access granted."), "success")
    return redirect(url_for("staff.grant", grant_id=grant.id))


@blueprint.get("/grants/<grant_id>")
@staff_required
@section_required(Section.GRANTS)
def grant(grant_id: str) -> Any:
    """Show one grant: its basis, where it stands, and (for its holder) what to open."""
    me = signed_in()
    found = _visible_grant(me, grant_id)
    return render_template("staff/grant.html", line=_line(found),
                           holder=found.staff_id == me.email)


@blueprint.get("/grants/<grant_id>/open")
@staff_required
@section_required(Section.GRANTS)
def open_in_grant(grant_id: str) -> Any:
    """Open a message or conversation id of the grant's mailbox."""
    thread_id = request.args.get("thread", "").strip()
    message_id = request.args.get("message", "").strip()
    if thread_id:
        return redirect(url_for("staff.grant_thread", grant_id=grant_id, thread_id=thread_id))
    if message_id:
        return redirect(url_for("staff.grant_message", grant_id=grant_id,
                                message_id=message_id))
    flash(_("Give a message id or a conversation id."), "error")
    return redirect(url_for("staff.grant", grant_id=grant_id))


def _decide(grant_id: str, change: str) -> Any:
    me = signed_in()
    found = _visible_grant(me, grant_id)
    book = services.grants()
    try:
        if change == "approve":
            book.approve(found.id, actor=me.actor, request_id=request_id())
            flash(_("Approved. The requester can now view what the grant covers."), "success")
        else:
            book.revoke(found.id, actor=me.actor, request_id=request_id())
            flash(_("Refused. The grant cannot be used."), "success")
    except DecisionError as refusal:
        return render_template("staff/refused.html", message=_(
            "The grant book refused this (rule %(rule)s: %(reason)s). The refusal was "
            "recorded.", rule=refusal.rule_id, reason=refusal_reason(refusal.decision))), 403
    return redirect(url_for("staff.grants"))


@blueprint.post("/grants/<grant_id>/approve")
@staff_required
@section_required(Section.GRANTS)
def approve(grant_id: str) -> Any:
    """Approve a request of the member's role as the second person."""
    return _decide(grant_id, "approve")


@blueprint.post("/grants/<grant_id>/refuse")
@staff_required
@section_required(Section.GRANTS)
def refuse_grant(grant_id: str) -> Any:
    """Refuse (revoke) a request of the member's role, or withdraw one's own."""
    return _decide(grant_id, "refuse")
