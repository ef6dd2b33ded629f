"""Which console sections a staff role has, and the audited refusal of everything else.

A section exists for a role when the policy gives the role one of the section's bases
(``[staff.roles]`` in the policy file): the console reads the policy, it does not decide
anything of its own. When a page must refuse before the guard's services are reached
(a section the role lacks, a grant that is not the member's), the refusal is decided by
the guard's ``check_access`` and recorded with ``record_decision``, then answered 404.
"""

from __future__ import annotations

import enum
import functools
import uuid
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

from flask import abort, g

from guard.policy import AccessBasis, AccessRequest, Actor, Grant, Resources, check_access
from guard.policy.vocabulary import STAFF_PURPOSES
from guard.recording import record_decision
from webclient.guard_link import current_guard
from webclient.staff import services
from webclient.staff.staff_session import signed_in

F = TypeVar("F", bound=Callable[..., Any])


class Section(enum.Enum):
    """A part of the console, named by the bases that open it."""

    CONSENTED = "consented"
    GRANTS = "grants"
    AGGREGATES = "aggregates"


SECTION_BASES: dict[Section, frozenset[AccessBasis]] = {
    Section.CONSENTED: frozenset({AccessBasis.CONSENT}),
    Section.GRANTS: frozenset({AccessBasis.SECURITY, AccessBasis.LEGAL}),
    Section.AGGREGATES: frozenset({AccessBasis.AGGREGATE}),
}


def bases_of(role: str) -> frozenset[AccessBasis]:
    """Return the bases the policy gives ``role`` (none for an unknown role)."""
    found = current_guard().policy.staff.roles.get(role)
    return frozenset(found.bases) if found is not None else frozenset()


def sections_for(role: str) -> tuple[Section, ...]:
    """Return the sections ``role`` has, in menu order."""
    bases = bases_of(role)
    return tuple(s for s in Section if SECTION_BASES[s] & bases)


def request_id() -> str:
    """Return this request's id, shared by every audit entry the request makes.

    It lives in ``g.request_id``, where the mail pages keep theirs, so the response
    carries it as ``X-Request-Id`` (``webclient.security``).
    """
    if g.get("request_id") is None:
        g.request_id = uuid.uuid4().hex
    return str(g.request_id)


def refuse(actor: Actor, *, basis: AccessBasis, action: str, mailbox: str | None = None,
           grant: Grant | None = None, resources: Resources | None = None,
           basis_ref: str | None = None) -> NoReturn:
    """Record the guard's denial of this request, then answer 404 (existence is private)."""
    guard = current_guard()
    decision = check_access(guard.policy, AccessRequest(
        actor=actor, action=action, mailbox=mailbox, purpose=STAFF_PURPOSES[basis],
        now=services.now(), basis=basis, resources=resources or Resources(), grant=grant))
    if decision.allowed:  # never expected: the callers only refuse what the guard denies
        raise RuntimeError("refuse() was called for a request the guard allows")
    record_decision(guard.audit, decision, actor=actor, action=action, mailbox=mailbox,
                    basis_ref=basis_ref, resources=resources, request_id=request_id(),
                    outcome="refused")
    abort(404)


def section_required(section: Section) -> Callable[[F], F]:
    """Answer 404, recorded, when the signed-in role lacks ``section``."""

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            me = signed_in()
            if section not in sections_for(me.role):
                basis = min(SECTION_BASES[section], key=lambda b: b.value)
                refuse(me.actor, basis=basis, action="console." + section.value)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorate
