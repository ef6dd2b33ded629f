"""Let only staff acting in the security role into the review pages; audit every visit.

The pages live under ``/staff/review`` and use the staff console's own session (its cookie
is sent only to ``/staff``). A visitor with no session at all is sent to the staff sign-in
page. Anyone else who is not an active member acting in the security role (a mail user,
support, legal or ops staff) gets a 404, so the pages' existence is not confirmed, and the
refusal is appended to the audit log first. A reviewer's every read is appended before
the page is built: reading the audit log is itself audited, and if the log cannot record
it the page is refused.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import abort, g, redirect, request, url_for

from guard import Actor, ActorKind
from guard.recording import record
from guard.staff import StaffMember, StaffRegistry
from webclient.guard_link import current_guard
from webclient.review.text import tr
from webclient.signed_in import user_id
from webclient.staff import console, staff_session

#: The purpose every reading of the audit log is recorded under (as the audit CLI does).
REVIEW_PURPOSE = "audit.review"
#: The staff role the review pages are for.
REVIEW_ROLE = "security"
#: Rules recorded for review visits.
RULE_ALLOWED = "review.security_role"
RULE_REFUSED = "review.security_role_required"

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True, slots=True)
class Reviewer:
    """The security-role member reading the audit log, and the request's id."""

    member: StaffMember
    actor: Actor
    request_id: str


def staff_registry() -> StaffRegistry:
    """Return the guard's staff registry."""
    registry: StaffRegistry = current_guard().staff
    return registry


def review_home_link() -> tuple[str, str] | None:
    """Return the review home's address and link text for a signed-in reviewer, else None.

    Only a member acting in the security role is pointed at the review pages: to anyone
    else they answer 404, so an error page does not confirm that they exist.
    """
    signed_in = staff_session.current()
    if signed_in is None or signed_in.role != REVIEW_ROLE:
        return None
    return url_for("review.search"), tr("Back to the security review")


def current_reviewer() -> Reviewer:
    """Return the reviewer of this request (only inside a ``reviewer_required`` view)."""
    reviewer: Reviewer = g.review_reviewer
    return reviewer


def record_read(reviewer: Reviewer, action: str, *, outcome: str = "") -> None:
    """Append that ``reviewer`` read the log (``action``); raise AuditUnavailable if it can't."""
    guard = current_guard()
    record(guard.audit, actor=reviewer.actor, action=action, purpose=REVIEW_PURPOSE,
           allowed=True, rule_id=RULE_ALLOWED, policy_version=guard.policy.version,
           request_id=reviewer.request_id, outcome=outcome,
           client_ip=request.remote_addr or "")


def reviewer_required(action: str) -> Callable[[F], F]:
    """Admit security-role staff to the view (recording ``action``); 404 and audit others."""

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            signed_in = staff_session.current()
            if signed_in is None and user_id() is None:
                return redirect(url_for("staff.signin", next=request.full_path
                                        if request.method == "GET" else None))
            request_id = console.request_id()
            if signed_in is None or signed_in.role != REVIEW_ROLE:
                _record_refusal(signed_in, action, request_id)
                abort(404)
            reviewer = Reviewer(member=signed_in.member, actor=signed_in.actor,
                                request_id=request_id)
            record_read(reviewer, action)
            g.review_reviewer = reviewer
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorate


def _record_refusal(signed_in: staff_session.StaffSession | None, action: str,
                    request_id: str) -> None:
    """Append the refused visit, naming whoever asked as precisely as the sessions allow."""
    if signed_in is not None:
        actor = signed_in.actor
    else:
        actor = Actor(kind=ActorKind.USER, id=user_id() or "anonymous")
    guard = current_guard()
    record(guard.audit, actor=actor, action=action, purpose=REVIEW_PURPOSE, allowed=False,
           rule_id=RULE_REFUSED, policy_version=guard.policy.version, request_id=request_id,
           outcome="not_found", client_ip=request.remote_addr or "")
