"""Build and append the audit events of staff, consent, grant, broker and transfer changes.

One place turns a guard ``Actor`` and ``Decision`` into an ``AuditEvent`` so every service
records the same fields the same way. Appending raises ``audit.AuditUnavailable`` when the
log cannot make the entry durable; callers let it propagate, so the change or access is
refused (fail closed).

Security caveat: only ids, rule ids and short labels go in; never content, wording,
subjects or addresses other than the hashed ``mailbox`` and ``actor_id``.
"""

from __future__ import annotations

from collections.abc import Iterable

from audit import ActorKind as AuditActorKind
from audit import (
    AuditError,
    AuditEvent,
    AuditLog,
    AuditUnavailable,
    Receipt,
    ResourceKind,
    ResourceRef,
)
from audit import Decision as AuditDecision
from guard.policy import Actor, Decision


def resource_refs(kind: ResourceKind, ids: Iterable[str]) -> tuple[ResourceRef, ...]:
    """Return one reference per id, sorted so entries are reproducible."""
    return tuple(ResourceRef(kind, i) for i in sorted(set(ids)))


def record(audit: AuditLog, *, actor: Actor, action: str, purpose: str, allowed: bool,
           rule_id: str, policy_version: str, mailbox: str | None = None,
           basis: str | None = None, basis_ref: str | None = None,
           resources: Iterable[ResourceRef] = (), request_id: str = "",
           outcome: str = "") -> Receipt:
    """Append one event; return its receipt once durable, or raise AuditUnavailable."""
    try:
        event = AuditEvent(
            actor_kind=AuditActorKind(actor.kind.value), actor_id=actor.id,
            actor_role=actor.role or "", mailbox=mailbox or "", action=action, purpose=purpose,
            basis=basis or "", basis_ref=basis_ref or "", resources=tuple(resources),
            decision=AuditDecision.ALLOW if allowed else AuditDecision.DENY, rule_id=rule_id,
            policy_version=policy_version, request_id=request_id, outcome=outcome)
        return audit.append(event)
    except AuditUnavailable:
        raise
    except AuditError as error:
        raise AuditUnavailable(f"the change could not be recorded ({type(error).__name__}: "
                               f"{error}); it is refused") from error


def record_decision(audit: AuditLog, decision: Decision, *, actor: Actor, action: str,
                    mailbox: str | None = None, basis_ref: str | None = None,
                    resources: Iterable[ResourceRef] = (), request_id: str = "",
                    outcome: str = "") -> Receipt:
    """Append the event for a policy ``decision`` (allowed or denied)."""
    return record(audit, actor=actor, action=action, purpose=decision.purpose,
                  allowed=decision.allowed, rule_id=decision.rule_id,
                  policy_version=decision.policy_version, mailbox=mailbox,
                  basis=decision.basis, basis_ref=basis_ref, resources=resources,
                  request_id=request_id, outcome=outcome)
