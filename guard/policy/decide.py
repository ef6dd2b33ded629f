"""Decide accesses, transfers and aggregates against a loaded policy. Pure: no I/O.

Evaluation order for an access: prohibited purpose families first (no configuration can
switch them off), then unknown purposes, then the rules of the actor's kind; anything
no rule allows is denied with ``default.deny``. ``check_*`` never raises; ``require_*``
raises the ``guard.errors`` class that names the outcome.
"""

from __future__ import annotations

from collections.abc import Iterable

from guard.errors import (
    AccessDenied,
    AggregateTooSmall,
    ApprovalRequired,
    ConsentRequired,
    DecisionError,
    GrantRequired,
    ProhibitedPurpose,
    TransferBlocked,
)
from guard.policy.model import Policy
from guard.policy.rules import REASONS
from guard.policy.values import AccessRequest, Decision, Grant, TransferRequest
from guard.policy.vocabulary import (
    AGGREGATE_ACTION,
    CONSENT_ACTIONS,
    INVESTIGATION_ACTIONS,
    STAFF_PURPOSES,
    AccessBasis,
    ActorKind,
    folded_text,
    prohibited_family,
)

_STAFF_PURPOSE_NAMES = frozenset(STAFF_PURPOSES.values())
_USER = ActorKind.USER
_STAFF = ActorKind.STAFF
_SYSTEM = ActorKind.SYSTEM
_CONSENT = AccessBasis.CONSENT
_SECURITY = AccessBasis.SECURITY
_LEGAL = AccessBasis.LEGAL
_AGGREGATE = AccessBasis.AGGREGATE


def _decide(policy: Policy, request: AccessRequest, rule_id: str, allowed: bool = False
            ) -> Decision:
    basis = request.basis
    return Decision(allowed, rule_id, REASONS[rule_id], request.purpose,
                    basis.value if basis is not None else None, policy.version)


def _same_address(a: str | None, b: str | None) -> bool:
    """Return True when ``a`` and ``b`` name the same mailbox or staff member.

    Addresses are compared as the guard stores them (trimmed, lower-cased), so
    ``Alice@Example.com`` is ``alice@example.com``; a missing or empty one matches nothing.
    """
    if not a or not b:
        return False
    return a.strip().lower() == b.strip().lower()


def same_person(a: str | None, b: str | None) -> bool:
    """Return True when ``a`` and ``b`` may be one person: the same address, or one with
    a ``+tag`` (``alice+x@`` delivers to ``alice@``), compared after NFKC normalisation
    and case folding, so a full-width plus (``alice\uff0bx@``), full-width letters or
    other compatibility characters do not make one person two.

    Only for refusing: a second approval must come from someone else. Access is never
    granted on it (a user's own mailbox is the exact address).
    """
    if not a or not b:
        return False
    return _untagged(a) == _untagged(b)


def _blank(reference: str | None) -> bool:
    """Return True for a missing case id or legal reference, or one of only spaces."""
    return not reference or not reference.strip()


def _untagged(address: str) -> str:
    """Return the address as one person's key: NFKC, case-folded, without a ``+tag``."""
    folded = folded_text(address).strip()
    local, at, domain = folded.rpartition("@") if "@" in folded else (folded, "", "")
    return local.split("+", 1)[0] + at + domain


def check_access(policy: Policy, request: AccessRequest) -> Decision:
    """Return the decision for ``request``; never raises."""
    try:
        return _check_access(policy, request)
    except Exception:  # noqa: BLE001 - a malformed request is denied, never an outage
        return _decide(policy, request, "request.malformed")


def _check_access(policy: Policy, request: AccessRequest) -> Decision:
    purpose = request.purpose
    family = prohibited_family(purpose)
    if family is not None:
        return _decide(policy, request, "prohibited." + family)
    actor = request.actor
    kind = actor.kind
    if kind is _STAFF:
        if purpose not in _STAFF_PURPOSE_NAMES:
            return _decide(policy, request, "purpose.unknown")
        return _check_staff(policy, request)
    rule = policy.purposes.get(purpose)
    if rule is None:
        return _decide(policy, request, "purpose.unknown")
    if kind is _USER:
        if not _same_address(request.mailbox, actor.id):
            return _decide(policy, request, "user.other_mailbox")
        if not rule.users:
            return _decide(policy, request, "user.purpose_not_allowed")
        if request.action not in rule.actions:
            return _decide(policy, request, "purpose.action_not_allowed")
        return _decide(policy, request, "user.own_mailbox", True)
    if kind is _SYSTEM:
        if actor.id not in policy.system_jobs:
            return _decide(policy, request, "system.unknown_job")
        if not rule.system:
            return _decide(policy, request, "system.purpose_not_allowed")
        if not request.mailbox:
            return _decide(policy, request, "system.no_mailbox")
        if request.action not in rule.actions:
            return _decide(policy, request, "purpose.action_not_allowed")
        return _decide(policy, request, "system.job", True)
    return _decide(policy, request, "default.deny")


def _check_staff(policy: Policy, request: AccessRequest) -> Decision:
    role = policy.staff.roles.get(request.actor.role or "")
    if role is None:
        return _decide(policy, request, "staff.unknown_role")
    basis = request.basis
    if basis is None or basis not in role.bases:
        return _decide(policy, request, "staff.basis_not_allowed")
    if STAFF_PURPOSES[basis] != request.purpose:
        return _decide(policy, request, "staff.purpose_mismatch")
    if basis is _CONSENT:
        return _check_consent(policy, request)
    if basis is _AGGREGATE:
        if request.action != AGGREGATE_ACTION or request.mailbox or \
                not request.resources.is_empty():
            return _decide(policy, request, "aggregate.no_messages")
        return _decide(policy, request, "aggregate.allowed", True)
    if basis is _SECURITY or basis is _LEGAL:
        return _check_grant(policy, request, basis)
    return _decide(policy, request, "default.deny")


def _check_consent(policy: Policy, request: AccessRequest) -> Decision:
    consent = request.consent
    if consent is None:
        return _decide(policy, request, "consent.missing")
    now = request.now
    if consent.revoked_at is not None and consent.revoked_at <= now:
        return _decide(policy, request, "consent.revoked")
    if consent.expires_at <= now:
        return _decide(policy, request, "consent.expired")
    if consent.expires_at - now > policy.staff.max_consent:
        return _decide(policy, request, "consent.lifetime_exceeded")
    if not _same_address(consent.user, request.mailbox):
        return _decide(policy, request, "consent.other_mailbox")
    actor = request.actor
    if not _same_address(consent.grantee, actor.id) and consent.grantee != actor.role:
        return _decide(policy, request, "consent.wrong_grantee")
    if request.action not in CONSENT_ACTIONS:
        return _decide(policy, request, "consent.action_not_allowed")
    resources = request.resources
    if resources.thread_ids or resources.label_ids:
        return _decide(policy, request, "consent.thread_not_covered")
    if not resources.message_ids:
        return _decide(policy, request, "consent.no_messages")
    if not resources.message_ids <= consent.message_ids:
        return _decide(policy, request, "consent.message_not_covered")
    return _decide(policy, request, "consent.allowed", True)


def _check_grant(policy: Policy, request: AccessRequest, basis: AccessBasis) -> Decision:
    grant: Grant | None = request.grant
    if grant is None:
        return _decide(policy, request, "grant.missing")
    if grant.basis is not basis:
        return _decide(policy, request, "grant.basis_mismatch")
    if not _same_address(grant.staff_id, request.actor.id):
        return _decide(policy, request, "grant.wrong_staff")
    now = request.now
    if grant.revoked_at is not None and grant.revoked_at <= now:
        return _decide(policy, request, "grant.revoked")
    if grant.expires_at <= now:
        return _decide(policy, request, "grant.expired")
    if grant.expires_at - now > policy.staff.max_grant:
        return _decide(policy, request, "grant.lifetime_exceeded")
    if not _same_address(grant.mailbox, request.mailbox):
        return _decide(policy, request, "grant.other_mailbox")
    reference = grant.reference
    if basis is _SECURITY:
        if _blank(reference.case_id) or _blank(reference.category):
            return _decide(policy, request, "grant.missing_case")
        if reference.category not in policy.staff.security_categories:
            return _decide(policy, request, "grant.unknown_category")
    elif _blank(reference.legal_ref):
        return _decide(policy, request, "grant.missing_legal_ref")
    if basis in policy.staff.second_approval:
        if not grant.approved_by:
            return _decide(policy, request, "grant.approval_missing")
        if same_person(grant.approved_by, grant.staff_id):
            return _decide(policy, request, "grant.self_approved")
        approved_at = grant.approved_at
        if approved_at is not None and (
                approved_at > now or now >= approved_at + policy.staff.approval_for):
            return _decide(policy, request, "grant.approval_lapsed")
    if request.action not in INVESTIGATION_ACTIONS:
        return _decide(policy, request, "grant.action_not_allowed")
    return _decide(policy, request, basis.value + ".allowed", True)


_ACCESS_ERRORS: dict[str, type[DecisionError]] = {
    "prohibited": ProhibitedPurpose,
    "consent": ConsentRequired,
}
_GRANT_APPROVAL = frozenset({"grant.approval_missing", "grant.self_approved",
                             "grant.approval_lapsed"})


def error_for(decision: Decision) -> DecisionError:
    """Return the error that names the outcome of a denied access ``decision``."""
    if decision.rule_id in _GRANT_APPROVAL:
        return ApprovalRequired(decision)
    prefix = decision.rule_id.partition(".")[0]
    if prefix == "grant":
        return GrantRequired(decision)
    return _ACCESS_ERRORS.get(prefix, AccessDenied)(decision)


def require_access(policy: Policy, request: AccessRequest) -> Decision:
    """Return the allowing decision for ``request`` or raise the error naming the denial."""
    decision = check_access(policy, request)
    if not decision.allowed:
        raise error_for(decision)
    return decision


def _transfer_decision(policy: Policy, request: TransferRequest, rule_id: str,
                       allowed: bool = False) -> Decision:
    basis = request.basis.value
    return Decision(allowed, rule_id, REASONS[rule_id], "transfer." + basis, basis,
                    policy.version)


def check_transfer(policy: Policy, request: TransferRequest) -> Decision:
    """Decide whether Gmail-derived data may go to ``request.recipient_id``; never raises."""
    try:
        return _check_transfer(policy, request)
    except Exception:  # noqa: BLE001 - a malformed request is denied, never an outage
        return Decision(False, "request.malformed", REASONS["request.malformed"], "transfer",
                        None, policy.version)


def _check_transfer(policy: Policy, request: TransferRequest) -> Decision:
    recipient = policy.transfers.recipients.get(request.recipient_id)
    if recipient is None:
        return _transfer_decision(policy, request, "transfer.unlisted_recipient")
    if request.basis is not recipient.basis:
        return _transfer_decision(policy, request, "transfer.basis_mismatch")
    if not request.data_classes:
        return _transfer_decision(policy, request, "transfer.no_data_classes")
    if not request.data_classes <= recipient.data_classes:
        return _transfer_decision(policy, request, "transfer.data_class_not_allowed")
    if recipient.requires_user_consent:
        consent = request.consent
        now = request.now
        if consent is None:
            return _transfer_decision(policy, request, "transfer.consent_missing")
        if not _same_address(consent.user, request.mailbox) or \
                consent.recipient_id != recipient.id:
            return _transfer_decision(policy, request, "transfer.consent_mismatch")
        if consent.revoked_at is not None and consent.revoked_at <= now:
            return _transfer_decision(policy, request, "transfer.consent_revoked")
        if consent.expires_at is not None and consent.expires_at <= now:
            return _transfer_decision(policy, request, "transfer.consent_expired")
    return _transfer_decision(policy, request, "transfer.allowed", True)


def require_transfer(policy: Policy, request: TransferRequest) -> Decision:
    """Return the allowing decision for a transfer or raise ``TransferBlocked``."""
    decision = check_transfer(policy, request)
    if not decision.allowed:
        raise TransferBlocked(decision)
    return decision


def check_aggregate(policy: Policy, group_sizes: Iterable[int], *,
                    fields: Iterable[str] = ()) -> Decision:
    """Decide whether an aggregate over groups of ``group_sizes`` may be shown; never raises.

    Every group must hold at least ``min_group_size`` mailboxes, and only the policy's
    aggregate fields may be counted. A group size that is not a whole number (a float,
    NaN, a bool) makes the request malformed, so it is denied.
    """
    purpose = STAFF_PURPOSES[_AGGREGATE]
    rules = policy.aggregates

    def decide(rule_id: str, allowed: bool = False) -> Decision:
        return Decision(allowed, rule_id, REASONS[rule_id], purpose, _AGGREGATE.value,
                        policy.version)

    try:
        sizes = list(group_sizes)
        wanted = set(fields)
    except Exception:  # noqa: BLE001 - denied, never an outage
        return decide("request.malformed")
    if isinstance(fields, str) or not all(
            isinstance(n, int) and not isinstance(n, bool) for n in sizes):
        return decide("request.malformed")
    if not wanted <= rules.fields:
        return decide("aggregate.field_not_allowed")
    if not sizes:
        return decide("aggregate.empty")
    if min(sizes) < rules.min_group_size:
        return decide("aggregate.below_k")
    return decide("aggregate.allowed", True)


def require_aggregate(policy: Policy, group_sizes: Iterable[int], *,
                      fields: Iterable[str] = ()) -> Decision:
    """Return the allowing decision for an aggregate or raise the error naming the denial."""
    decision = check_aggregate(policy, group_sizes, fields=fields)
    if not decision.allowed:
        if decision.rule_id == "aggregate.below_k":
            raise AggregateTooSmall(decision)
        raise AccessDenied(decision)
    return decision
