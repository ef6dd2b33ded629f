"""The privacy centre: share one message with support, list and withdraw consents, history.

Every page is about one connected mailbox of the signed-in user (``/u/<account>/``); the
guard confirms the mailbox is theirs, records each consent and revocation, and refuses
what the policy does not allow. A consent or message that is not the user's is a 404.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from markupsafe import Markup, escape

from guard.consents import ConsentNotFound, ConsentRecord, InvalidConsent, TransferConsentRecord
from guard.mail_values import Message
from guard.retry import GmailNotFound
from webclient.guard_link import current_guard
from webclient.mail.mailbox_link import READ, BoundMailbox, bound_mailbox, request_id
from webclient.mail.message_view import sender
from webclient.privacy import crm  # noqa: F401  (registers the transfer routes)
from webclient.privacy.blueprint import blueprint
from webclient.privacy.history import AccessHistory, read_history
from webclient.privacy.wording import (
    grant_reference,
    p_,
    pn_,
    role_label,
    share_wording,
    when,
    wording_digest,
)
from webclient.signed_in import sign_in_required

__all__ = ["blueprint"]

#: Who "share with Qontak support" names as the grantee of the consent.
SUPPORT_ROLE = "support"
#: The durations offered, in days (those beyond the policy's maximum are left out).
SHARE_DAYS = (1, 7, 30)
DEFAULT_DAYS = 7


@dataclass(frozen=True, slots=True)
class ConsentRow:
    """One view consent as the centre lists it."""

    record: ConsentRecord
    state: str
    grantee: str


@dataclass(frozen=True, slots=True)
class TransferConsentRow:
    """One transfer consent as the centre lists it."""

    record: TransferConsentRecord
    state: str


def _now() -> datetime:
    return current_guard().settings.clock()


def _state(revoked_at: datetime | None, expires_at: datetime | None, now: datetime) -> str:
    if revoked_at is not None and revoked_at <= now:
        return "withdrawn"
    if expires_at is not None and expires_at <= now:
        return "expired"
    return "active"


@blueprint.get("/")
@sign_in_required
def centre(account: int) -> Any:
    """List the mailbox's consents (what, to whom, until when) with a way to withdraw each."""
    box = bound_mailbox(account)
    guard = current_guard()
    now = _now()
    consents = tuple(
        ConsentRow(record=c, state=_state(c.revoked_at, c.expires_at, now),
                   grantee=role_label(c.grantee) if "@" not in c.grantee else c.grantee)
        for c in guard.consents.for_user(box.email))
    transfers = tuple(TransferConsentRow(record=c, state=_state(c.revoked_at, c.expires_at,
                                                                now))
                      for c in guard.transfer_consents.for_user(box.email))
    return render_template("privacy/centre.html", box=box, consents=consents,
                           transfer_consents=transfers)


def _durations(now: datetime) -> list[tuple[int, datetime]]:
    """Return the offered durations and the moment each ends (to the minute)."""
    longest = current_guard().policy.staff.max_consent
    start = now.replace(second=0, microsecond=0)
    days = sorted({d for d in SHARE_DAYS if timedelta(days=d) <= longest}
                  | {max(1, longest.days)})
    return [(d, start + timedelta(days=d)) for d in days]


def _share_page(box: BoundMailbox, message: Message, *, until: datetime, days: int,
                status: int = 200, error: str | None = None) -> Any:
    name, address = sender(message)
    shown_sender = f"{name} <{address}>" if address and name != address else name
    wording = share_wording(subject=message.headers.subject, sender=shown_sender,
                            grantee=role_label(SUPPORT_ROLE), until=until)
    return render_template(
        "privacy/share.html", box=box, message=message, sender=shown_sender,
        grantee=role_label(SUPPORT_ROLE), wording=wording, digest=wording_digest(wording),
        until=until, days=days, durations=_durations(_now()), error=error,
    ), status


@blueprint.get("/share/<message_id>")
@sign_in_required
def share(account: int, message_id: str) -> Any:
    """Show exactly what sharing this message with support means, and ask to agree."""
    box = bound_mailbox(account)
    message = box.call("get_message", purpose=READ, message_id=message_id)
    offered = dict(_durations(_now()))
    days = request.args.get("days", type=int)
    if days not in offered:
        days = DEFAULT_DAYS if DEFAULT_DAYS in offered else min(offered)
    return _share_page(box, message, until=offered[days], days=days)


@blueprint.post("/share/<message_id>")
@sign_in_required
def share_agreed(account: int, message_id: str) -> Any:
    """Record the user's consent to support viewing this one message, as they agreed it."""
    box = bound_mailbox(account)
    message = box.call("get_message", purpose=READ, message_id=message_id)
    try:
        until = datetime.fromisoformat(request.form.get("until", ""))
    except ValueError:
        until = None
    days = request.form.get("days", type=int) or DEFAULT_DAYS
    if until is None or until.tzinfo is None:
        abort(400)
    offered = dict(_durations(_now()))
    if not _now() < until <= max(offered.values()):
        # Past, or beyond what the page ever offers (a tampered year 9999 cannot even be
        # shown in the reader's time zone): offer the durations again, store nothing.
        days = days if days in offered else DEFAULT_DAYS if DEFAULT_DAYS in offered \
            else min(offered)
        return _share_page(box, message, until=offered[days], days=days, status=400,
                           error=p_("This choice is no longer possible (the time may have "
                                    "passed). Choose how long again."))
    if request.form.get("agree") != "yes":
        return _share_page(box, message, until=until, days=days, status=400,
                           error=p_("Tick the box to agree, or go back to your mail."))
    name, address = sender(message)
    shown_sender = f"{name} <{address}>" if address and name != address else name
    wording = share_wording(subject=message.headers.subject, sender=shown_sender,
                            grantee=role_label(SUPPORT_ROLE), until=until)
    if wording_digest(wording) != request.form.get("digest"):
        return _share_page(box, message, until=until, days=days, status=409,
                           error=p_("The text you agreed to has changed (for example, the "
                                    "language). Read it again, then agree."))
    try:
        consent = current_guard().consents.record(
            actor=box.actor, grantee=SUPPORT_ROLE, message_ids=(message.id,), wording=wording,
            expires_at=until, request_id=request_id())
    except InvalidConsent:
        return _share_page(box, message, until=until, days=days, status=400,
                           error=p_("This choice is no longer possible (the time may have "
                                    "passed). Choose how long again."))
    flash(p_("Qontak support may now view this message until %(until)s. Reference: "
             "%(ref)s.", until=when(consent.expires_at), ref=consent.id), "success")
    return redirect(url_for("privacy.centre", account=account) + f"#{consent.id}")


@blueprint.post("/consents/<consent_id>/withdraw")
@sign_in_required
def withdraw(account: int, consent_id: str) -> Any:
    """Withdraw a consent to staff viewing messages; it stops working at once."""
    box = bound_mailbox(account)
    try:
        done = current_guard().consents.revoke(consent_id, actor=box.actor,
                                               request_id=request_id())
    except ConsentNotFound:
        abort(404)
    if done.already_revoked:  # a second click, or another browser, withdrew it first
        flash(p_("This consent was already withdrawn."), "success")
    else:
        flash(p_("Consent withdrawn. Qontak staff can no longer view those messages."),
              "success")
    return redirect(url_for("privacy.centre", account=account))


@blueprint.post("/transfer-consents/<consent_id>/withdraw")
@sign_in_required
def withdraw_transfer(account: int, consent_id: str) -> Any:
    """Withdraw a consent to transfers to a recipient; no further transfer goes there."""
    box = bound_mailbox(account)
    try:
        done = current_guard().transfer_consents.revoke(consent_id, actor=box.actor,
                                                        request_id=request_id())
    except ConsentNotFound:
        abort(404)
    if done.already_revoked:
        flash(p_("This consent was already withdrawn."), "success")
    else:
        flash(p_("Consent withdrawn. Nothing more will be sent to that recipient unless "
                 "you agree again."), "success")
    return redirect(url_for("privacy.centre", account=account))


@blueprint.get("/history")
@sign_in_required
def history(account: int) -> Any:
    """Show who looked at this mailbox and why, where its data went, and what was refused."""
    box = bound_mailbox(account)
    guard = current_guard()
    found = read_history(guard.audit, actor=box.actor, mailbox=box.email,
                         policy_version=guard.policy.version, request_id=request_id())
    return render_template("privacy/history.html", box=box, history=found,
                           cases=_grant_cases(box.email, found),
                           messages_linked=functools.partial(_messages_linked, account),
                           threads_linked=functools.partial(_threads_linked, account))


#: What a Gmail message id looks like; anything else is not looked up.
_MESSAGE_ID = re.compile(r"[A-Za-z0-9_-]{1,128}")
#: Where the ids go in a translated "message(s) ..." wording.
_IDS = "\x00"


def _linked(wording: str, links: list[tuple[str, str]]) -> Markup:
    """Return ``wording`` with its ids placeholder replaced by links (all text escaped)."""
    before, _marker, after = wording.partition(_IDS)
    shown = Markup(", ").join(Markup('<a href="{}">{}</a>').format(href, text)
                              for href, text in links)
    return escape(before) + shown + escape(after)


def _messages_linked(account: int, ids: tuple[str, ...]) -> Markup:
    """Return "message(s) <ids>" in the reader's language, each id a link to open it.

    Only links: the history page reads nothing from Gmail (that would itself be an
    access); whether a message is still there is learnt when its link is followed.
    """
    return _linked(pn_("message %(ids)s", "messages %(ids)s", len(ids), ids=_IDS),
                   [(url_for("privacy.open_message", account=account, message_id=m), m)
                    for m in ids])


def _threads_linked(account: int, ids: tuple[str, ...]) -> Markup:
    """Return "conversation(s) <ids>", each id a link to the conversation in the mail."""
    return _linked(pn_("conversation %(ids)s", "conversations %(ids)s", len(ids), ids=_IDS),
                   [(url_for("mail.thread", account=account, thread_id=t), t) for t in ids])


@blueprint.get("/history/m/<message_id>")
@sign_in_required
def open_message(account: int, message_id: str) -> Any:
    """Open a message the history names in the owner's own mail, in its conversation.

    Only the message's thread id is read from Gmail (no headers, no content), recorded as
    the owner reading it; the conversation page then records its own access as usual. A
    message no longer in the mailbox answers that it no longer exists.
    """
    box = bound_mailbox(account)
    if not _MESSAGE_ID.fullmatch(message_id):
        abort(404)
    thread_id = box.call("thread_ids_of", purpose=READ,
                         message_ids=[message_id]).get(message_id)
    if not thread_id:
        raise GmailNotFound("the message is no longer in the mailbox")
    return redirect(url_for("mail.thread", account=account, thread_id=thread_id)
                    + f"#m-{message_id}")


def _grant_cases(mailbox: str, found: AccessHistory) -> dict[str, str]:
    """Return the case or legal request behind each grant the history names, by grant id.

    The log records a grant's id; the owner is told the case or request it was opened for.
    Only grants on this mailbox are described.
    """
    book = current_guard().grants
    references = {r for r in (*(a.reference for a in found.human),
                              *(r.reference for r in found.refusals)) if r}
    cases: dict[str, str] = {}
    for reference in sorted(references):
        grant = book.get(reference) if book is not None else None
        if grant is not None and grant.mailbox == mailbox:
            cases[reference] = grant_reference(grant.reference.case_id,
                                               grant.reference.category,
                                               grant.reference.legal_ref)
    return cases
