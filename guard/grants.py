"""Open, approve, revoke and load staff grants on the security and legal bases.

A security grant names a case id and a case category from the policy and belongs to one
security-role member; a legal grant names a legal request reference and belongs to one
legal-role member. Each is for one mailbox and time-boxed (at most the policy's
``max_grant_hours`` from the request). Where the policy requires a second approval the
grant goes request -> pending -> approved by a *different* active member of the same role
-> active until expiry. A pending request lapses when nobody approves it within
``GrantRules.pending_for``; an approval lapses ``GrantRules.approval_for`` after it was
given (the grant then needs approving again). Consent-based access needs no grant: the
user's consent is the evidence.

Every state change, and every refused change, is appended to the audit log first; if the
log cannot record it, the change is refused. A revocation takes effect once however many
requests ask at the same moment, and stands only with its entry (``guard.revocation``).
"""

from __future__ import annotations

import enum
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any, NoReturn

from sqlalchemy import Column, DateTime, Engine, Row, String, Table, insert, select, update

from audit import AuditLog, ResourceKind, ResourceRef
from guard.consents import revoked_by
from guard.db import metadata
from guard.errors import AccessDenied, ApprovalRequired, DecisionError, GrantRequired, GuardError
from guard.policy import REASONS, AccessBasis, Actor, Decision, Grant, GrantReference, Policy
from guard.policy.decide import same_person
from guard.policy.vocabulary import STAFF_PURPOSES, folded_text
from guard.recording import record, record_decision, recordable
from guard.revocation import revoke_once
from guard.staff import StaffError, StaffRegistry, UnknownStaff, aware

Clock = Callable[[], datetime]

grants = Table(
    "grants", metadata,
    Column("id", String(40), primary_key=True),
    Column("staff_id", String(320), nullable=False, index=True),
    Column("role", String(64), nullable=False),
    Column("basis", String(16), nullable=False),
    Column("mailbox", String(320), nullable=False, index=True),
    Column("case_id", String(256)),
    Column("category", String(64)),
    Column("legal_ref", String(256)),
    Column("requested_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("pending_until", DateTime(timezone=True)),
    Column("approved_by", String(320)),
    Column("approved_at", DateTime(timezone=True)),
    Column("revoked_at", DateTime(timezone=True)),
    Column("revoked_by", String(320)),
)

#: The longest case id or legal reference: the audit log keeps it as ``legal:<reference>``
#: in a field of at most 256 characters.
MAX_REFERENCE = 250


class GrantStatus(enum.Enum):
    """Where a grant stands at a given time."""

    PENDING = "pending"
    ACTIVE = "active"
    APPROVAL_LAPSED = "approval_lapsed"
    REQUEST_LAPSED = "request_lapsed"
    EXPIRED = "expired"
    REVOKED = "revoked"


@dataclass(frozen=True, slots=True)
class GrantRules:
    """How long a request may wait for approval, and how long an approval stays valid.

    ``GrantBook`` takes them from the policy file (``[staff] pending_request_hours`` and
    ``approval_valid_hours``) unless given explicitly.
    """

    pending_for: timedelta = timedelta(hours=24)
    approval_for: timedelta = timedelta(hours=72)


class InvalidGrant(GuardError, ValueError):
    """A grant cannot be opened as asked: wrong basis, reference, mailbox or duration.

    ``problem`` names what is wrong (one of ``GRANT_PROBLEMS``) and ``details`` hold the
    values the message quotes, so a console can word it in its reader's language.
    """

    def __init__(self, message: str, *, problem: str, **details: str) -> None:
        super().__init__(message)
        self.problem = problem
        self.details = details


#: Every ``InvalidGrant.problem``, with the details its message quotes.
GRANT_PROBLEMS: dict[str, tuple[str, ...]] = {
    "grant_request.basis": (),
    "grant_request.mailbox": (),
    "grant_request.duration": ("hours",),
    "grant_request.security_case": (),
    "grant_request.category": ("categories",),
    "grant_request.legal_ref": (),
    "grant_request.reference_format": (),
    "grant.unknown_id": (),
}


@dataclass(frozen=True, slots=True)
class GrantRecord:
    """A stored grant with its whole lifecycle."""

    id: str
    staff_id: str
    role: str
    basis: AccessBasis
    mailbox: str
    reference: GrantReference
    requested_at: datetime
    expires_at: datetime
    pending_until: datetime | None
    approved_by: str | None
    approved_at: datetime | None
    revoked_at: datetime | None
    revoked_by: str | None
    #: Set only on what ``revoke`` returns: True when an earlier (or a simultaneous)
    #: revocation had already revoked it, so that call changed nothing.
    already_revoked: bool = field(default=False, compare=False)

    def approval_in_force(self, now: datetime, rules: GrantRules) -> bool:
        """Return True when an approval exists and has not lapsed at ``now``."""
        return (self.approved_by is not None and self.approved_at is not None
                and now < self.approved_at + rules.approval_for)

    def status(self, now: datetime, rules: GrantRules, *, needs_approval: bool) -> GrantStatus:
        """Return where the grant stands at ``now`` (revoked once a revocation is recorded,
        whatever the clock of the host that wrote it said)."""
        if self.revoked_at is not None:
            return GrantStatus.REVOKED
        if self.expires_at <= now:
            return GrantStatus.EXPIRED
        if not needs_approval:
            return GrantStatus.ACTIVE
        if self.approved_by is None:
            if self.pending_until is not None and self.pending_until <= now:
                return GrantStatus.REQUEST_LAPSED
            return GrantStatus.PENDING
        if not self.approval_in_force(now, rules):
            return GrantStatus.APPROVAL_LAPSED
        return GrantStatus.ACTIVE

    def as_grant(self, now: datetime, rules: GrantRules) -> Grant:
        """Return the policy evidence; a lapsed approval is presented as no approval."""
        in_force = self.approval_in_force(now, rules)
        return Grant(id=self.id, staff_id=self.staff_id, basis=self.basis,
                     reference=self.reference, mailbox=self.mailbox,
                     expires_at=self.expires_at,
                     approved_by=self.approved_by if in_force else None,
                     revoked_at=revoked_by(self.revoked_at, now),
                     approved_at=self.approved_at if in_force else None)


class GrantBook:
    """Open, approve, revoke and load grants; every change is audited first."""

    def __init__(self, engine: Engine, policy: Policy, audit: AuditLog, staff: StaffRegistry,
                 *, clock: Clock | None = None, rules: GrantRules | None = None) -> None:
        self._engine = engine
        self._policy = policy
        self._audit = audit
        self._staff = staff
        self._clock = clock or (lambda: datetime.now(UTC))
        self.rules = rules or GrantRules(pending_for=policy.staff.pending_for,
                                         approval_for=policy.staff.approval_for)

    def needs_approval(self, basis: AccessBasis) -> bool:
        """Return True when the policy requires a second person to approve ``basis``."""
        return basis in self._policy.staff.second_approval

    def request(self, *, actor: Actor, mailbox: str, basis: AccessBasis,
                reference: GrantReference, duration: timedelta | None = None,
                request_id: str = "") -> GrantRecord:
        """Open a grant for ``actor`` on ``mailbox``; pending if a second approval is needed.

        ``duration`` defaults to, and may not exceed, the policy's maximum grant lifetime.
        """
        now = aware(self._clock())
        maximum = self._policy.staff.max_grant
        span = duration if duration is not None else maximum
        mailbox = mailbox.strip().lower() if isinstance(mailbox, str) else mailbox
        grant_id = "grt_" + secrets.token_hex(12)
        refs = (ResourceRef(ResourceKind.GRANT, grant_id),)
        try:
            self._check_request(actor, mailbox, basis, reference, span, maximum)
        except (StaffError, UnknownStaff):
            self._deny(actor, "grant.request", "grant.requester_not_eligible", basis,
                       mailbox=mailbox, refs=refs, request_id=request_id, raise_as=AccessDenied)
        pending = self.needs_approval(basis)
        row = dict(id=grant_id, staff_id=actor.id.strip().lower(), role=actor.role or "",
                   basis=basis.value, mailbox=mailbox, case_id=reference.case_id,
                   category=reference.category, legal_ref=reference.legal_ref,
                   requested_at=now, expires_at=now + span,
                   pending_until=now + self.rules.pending_for if pending else None,
                   approved_by=None, approved_at=None, revoked_at=None, revoked_by=None)
        with self._engine.begin() as conn:
            record(self._audit, actor=actor, action="grant.request",
                   purpose=STAFF_PURPOSES[basis], allowed=True, rule_id="grant.requested",
                   policy_version=self._policy.version, mailbox=mailbox, basis=basis.value,
                   basis_ref=_reference_label(reference), resources=refs,
                   request_id=request_id, outcome="pending" if pending else "active")
            conn.execute(insert(grants).values(**row))
        found = self.get(grant_id)
        assert found is not None
        return found

    def approve(self, grant_id: str, *, actor: Actor, request_id: str = "") -> GrantRecord:
        """Approve a pending grant (or re-approve one whose approval lapsed) as ``actor``.

        Raise ApprovalRequired for a self-approval, AccessDenied when ``actor`` is not
        another active member of the grant's role, GrantRequired when the grant is not
        waiting for approval.
        """
        found = self._require(grant_id)
        now = aware(self._clock())
        refs = (ResourceRef(ResourceKind.GRANT, grant_id),)

        def refuse(rule_id: str, error: type[DecisionError]) -> NoReturn:
            self._deny(actor, "grant.approve", rule_id, found.basis, mailbox=found.mailbox,
                       refs=refs, request_id=request_id, raise_as=error)

        if same_person(actor.id, found.staff_id):  # also name+tag@ for name@
            refuse("grant.self_approved", ApprovalRequired)
        try:
            member = self._staff.require_actor(actor)
        except (StaffError, UnknownStaff):
            member = None
        if member is None or actor.role != found.role:
            refuse("grant.approver_not_eligible", AccessDenied)
        status = found.status(now, self.rules, needs_approval=self.needs_approval(found.basis))
        if status is GrantStatus.REQUEST_LAPSED:
            refuse("grant.request_lapsed", GrantRequired)
        if status is GrantStatus.REVOKED:
            refuse("grant.revoked", GrantRequired)
        if status is GrantStatus.EXPIRED:
            refuse("grant.expired", GrantRequired)
        if status not in (GrantStatus.PENDING, GrantStatus.APPROVAL_LAPSED):
            refuse("grant.not_pending", GrantRequired)
        with self._engine.begin() as conn:
            record(self._audit, actor=actor, action="grant.approve",
                   purpose=STAFF_PURPOSES[found.basis], allowed=True, rule_id="grant.approved",
                   policy_version=self._policy.version, mailbox=found.mailbox,
                   basis=found.basis.value, basis_ref=_reference_label(found.reference),
                   resources=refs, request_id=request_id)
            conn.execute(update(grants).where(grants.c.id == grant_id)
                         .values(approved_by=actor.id.strip().lower(), approved_at=now,
                                 pending_until=None))
        return self._require(grant_id)

    def revoke(self, grant_id: str, *, actor: Actor, request_id: str = "") -> GrantRecord:
        """Revoke a grant now, once, as its grantee or another active member of its role.

        Revoking an already revoked grant (earlier, or by a request at the same moment)
        changes nothing: it keeps its first ``revoked_at`` and ``revoked_by``, the attempt
        is recorded as ``grant.already_revoked`` and the record comes back with
        ``already_revoked``.
        """
        found = self._require(grant_id)
        refs = (ResourceRef(ResourceKind.GRANT, grant_id),)
        eligible = actor.id.strip().lower() == found.staff_id
        if not eligible:
            try:
                self._staff.require_actor(actor)
                eligible = actor.role == found.role
            except (StaffError, UnknownStaff):
                eligible = False
        if not eligible:
            self._deny(actor, "grant.revoke", "grant.revoker_not_eligible", found.basis,
                       mailbox=found.mailbox, refs=refs, request_id=request_id,
                       raise_as=AccessDenied)
        now = aware(self._clock())

        def recorded(rule_id: str, outcome: str = "") -> None:
            record(self._audit, actor=actor, action="grant.revoke",
                   purpose=STAFF_PURPOSES[found.basis], allowed=True, rule_id=rule_id,
                   policy_version=self._policy.version, mailbox=found.mailbox,
                   basis=found.basis.value, basis_ref=_reference_label(found.reference),
                   resources=refs, request_id=request_id, outcome=outcome)

        if revoke_once(self._engine, grants, grant_id,
                       values={"revoked_at": now, "revoked_by": actor.id.strip().lower()},
                       record=lambda: recorded("grant.revoke")):
            return self._require(grant_id)
        recorded("grant.already_revoked", "already_revoked")
        return replace(self._require(grant_id), already_revoked=True)

    def get(self, grant_id: str) -> GrantRecord | None:
        """Return the grant with this id, fresh from the database, or None."""
        with self._engine.connect() as conn:
            row = conn.execute(select(grants).where(grants.c.id == grant_id)).first()
        return _grant_record(row) if row is not None else None

    def evidence(self, grant_id: str) -> Grant | None:
        """Return the grant as policy evidence at the current time, or None."""
        found = self.get(grant_id)
        return found.as_grant(aware(self._clock()), self.rules) if found is not None else None

    def status(self, grant: GrantRecord) -> GrantStatus:
        """Return where ``grant`` stands now."""
        return grant.status(aware(self._clock()), self.rules,
                            needs_approval=self.needs_approval(grant.basis))

    def awaiting_approval(self, role: str) -> tuple[GrantRecord, ...]:
        """Return the grants of ``role`` waiting for a second approval now, oldest first."""
        with self._engine.connect() as conn:
            rows = conn.execute(select(grants).where(grants.c.role == role,
                                                     grants.c.revoked_at.is_(None))
                                .order_by(grants.c.requested_at)).all()
        found = (_grant_record(r) for r in rows)
        waiting = (GrantStatus.PENDING, GrantStatus.APPROVAL_LAPSED)
        return tuple(g for g in found if self.status(g) in waiting)

    def for_staff(self, staff_id: str) -> tuple[GrantRecord, ...]:
        """Return the grants held by ``staff_id``, newest first."""
        with self._engine.connect() as conn:
            rows = conn.execute(select(grants)
                                .where(grants.c.staff_id == staff_id.strip().lower())
                                .order_by(grants.c.requested_at.desc())).all()
        return tuple(_grant_record(r) for r in rows)

    def _check_request(self, actor: Actor, mailbox: str, basis: AccessBasis,
                       reference: GrantReference, span: timedelta, maximum: timedelta) -> None:
        if basis not in (AccessBasis.SECURITY, AccessBasis.LEGAL):
            raise InvalidGrant("grants are for the security and legal bases; consent-based "
                               "access uses the user's consent, aggregates need no grant",
                               problem="grant_request.basis")
        if not isinstance(mailbox, str) or "@" not in mailbox or not recordable(mailbox):
            # An address the audit log cannot hold (a line break, an invisible character,
            # over 256 characters) is no Gmail address; say so, not "audit unavailable".
            raise InvalidGrant("name the mailbox (its Gmail address) the grant is for",
                               problem="grant_request.mailbox")
        if not isinstance(span, timedelta) or span <= timedelta(0) or span > maximum:
            hours = f"{maximum.total_seconds() / 3600:g}"
            raise InvalidGrant(f"a grant lasts more than zero and at most {hours} hours",
                               problem="grant_request.duration", hours=hours)
        if basis is AccessBasis.SECURITY:
            if _blank(reference.case_id) or _blank(reference.category):
                raise InvalidGrant("a security grant needs a case id and a case category",
                                   problem="grant_request.security_case")
            if reference.category not in self._policy.staff.security_categories:
                categories = ", ".join(sorted(self._policy.staff.security_categories))
                raise InvalidGrant(f"the case category must be one of {categories}",
                                   problem="grant_request.category", categories=categories)
        elif _blank(reference.legal_ref):
            raise InvalidGrant("a legal grant needs the legal request's reference",
                               problem="grant_request.legal_ref")
        for value in (reference.case_id, reference.legal_ref):
            problem = reference_problem(value) if value is not None else None
            if problem is not None:
                raise InvalidGrant(problem, problem="grant_request.reference_format")
        self._staff.require_actor(actor)
        role = self._policy.staff.roles.get(actor.role or "")
        if role is None or basis not in role.bases:
            raise StaffError("the actor's role may not use this basis")

    def _deny(self, actor: Actor, action: str, rule_id: str, basis: AccessBasis, *,
              mailbox: str, refs: tuple[ResourceRef, ...], request_id: str,
              raise_as: type[DecisionError]) -> NoReturn:
        decision = _decision(self._policy, rule_id, basis)
        record_decision(self._audit, decision, actor=actor, action=action, mailbox=mailbox,
                        resources=refs, request_id=request_id)
        raise raise_as(decision)

    def _require(self, grant_id: str) -> GrantRecord:
        found = self.get(grant_id)
        if found is None:
            raise InvalidGrant("no grant has this id; check the grant list",
                               problem="grant.unknown_id")
        return found


def reference_problem(value: str) -> str | None:
    """Return what keeps ``value`` from being a case id or legal reference, or None.

    The audit log keeps a reference as written (``case:<id>``, ``legal:<reference>``), so
    it is a single line of at most ``MAX_REFERENCE`` characters, and never an address
    (an ``@`` is looked for after NFKC, so a full-width one counts).
    """
    if len(value) > MAX_REFERENCE or not value.isprintable():
        return (f"case ids and legal references are single-line ids of at most "
                f"{MAX_REFERENCE} characters")
    if "@" in folded_text(value):
        return ("a case id or legal reference is the case's or request's number, never an "
                "address: the audit log keeps it as written; the mailbox goes in the "
                "grant's mailbox field")
    return None


def _blank(value: str | None) -> bool:
    """Return True for a missing reference, or one of nothing but spaces."""
    return not isinstance(value, str) or not value.strip()


def _decision(policy: Policy, rule_id: str, basis: AccessBasis) -> Decision:
    return Decision(False, rule_id, REASONS[rule_id], STAFF_PURPOSES[basis], basis.value,
                    policy.version)


def _reference_label(reference: GrantReference) -> str:
    if reference.case_id:
        return f"case:{reference.case_id}"
    return f"legal:{reference.legal_ref}" if reference.legal_ref else ""


def _maybe(moment: datetime | None) -> datetime | None:
    return aware(moment) if moment is not None else None


def _grant_record(row: Row[Any]) -> GrantRecord:
    return GrantRecord(
        id=row.id, staff_id=row.staff_id, role=row.role, basis=AccessBasis(row.basis),
        mailbox=row.mailbox,
        reference=GrantReference(case_id=row.case_id, category=row.category,
                                 legal_ref=row.legal_ref),
        requested_at=aware(row.requested_at), expires_at=aware(row.expires_at),
        pending_until=_maybe(row.pending_until), approved_by=row.approved_by,
        approved_at=_maybe(row.approved_at), revoked_at=_maybe(row.revoked_at),
        revoked_by=row.revoked_by)
