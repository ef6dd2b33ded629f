"""Record decisions and changes in the audit log before any data moves; refuse otherwise.

Every access to Gmail data goes: decide (pure) → ``record_decision`` (durable audit
append) → raise when denied → only then touch Gmail. ``decide_and_record`` does all three
steps for an ``AccessRequest``; ``decide_and_record_many`` for several at once, recording
all their decisions in one durable commit before raising for the first denied one. Staff,
consent, grant, broker and transfer changes use ``record`` (a change decided by the
service itself) or ``record_decision`` (a policy decision), so every entry carries the
same fields built the same way.

An identifier the log cannot hold as it is (over 256 characters, or with a control,
invisible or line-separator character: ``m1`` + U+200B, a mailbox with a line break) never
stops a refusal from being recorded: it is written cleaned (those characters dropped,
cut to 256). An access that would have been allowed on such an identifier is refused as
``request.malformed`` instead, since the entry would not name what was fetched; a
prohibited purpose keeps its ``prohibited.*`` rule so that attempts stay counted.

Security caveats: a failed append raises ``AuditUnavailable`` and the caller must refuse
the access or change (fail closed); never catch it to carry on. Only ids, rule ids and
short labels go in; never content, consent wording, subjects or addresses other than the
(keyed-hashed) ``mailbox`` and ``actor_id``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

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
from guard.policy import (
    REASONS,
    AccessRequest,
    Actor,
    Decision,
    Policy,
    Resources,
    check_access,
    error_for,
)

#: The longest identifier an audit entry holds.
MAX_RECORDED = 256
MALFORMED = "request.malformed"


def recordable(value: str | None) -> bool:
    """Return True when the log can hold ``value`` as an identifier as it is."""
    return value is None or (len(value) <= MAX_RECORDED and value.isprintable())


def cleaned(value: str) -> str:
    """Return ``value`` as the log can hold it: unprintable characters dropped, 256 at most."""
    if recordable(value):
        return value
    return "".join(c for c in value if c.isprintable())[:MAX_RECORDED]


def ref(kind: ResourceKind, resource_id: str) -> ResourceRef:
    """Return the reference to ``resource_id``, cleaned as the log can hold it."""
    return ResourceRef(kind, cleaned(resource_id) or "-")


def resource_refs(resources: Resources | None,
                  extra: Iterable[ResourceRef] = ()) -> tuple[ResourceRef, ...]:
    """Return the audit's resource references for ``resources`` plus ``extra``, sorted."""
    refs: list[ResourceRef] = []
    if resources is not None:
        for kind, ids in ((ResourceKind.MESSAGE, resources.message_ids),
                          (ResourceKind.THREAD, resources.thread_ids),
                          (ResourceKind.LABEL, resources.label_ids),
                          (ResourceKind.ATTACHMENT, resources.attachment_ids)):
            refs.extend(ref(kind, i) for i in sorted(ids))
    refs.extend(extra)
    return tuple(refs)


def refs_of(kind: ResourceKind, ids: Iterable[str]) -> tuple[ResourceRef, ...]:
    """Return one reference of ``kind`` per distinct id, sorted so entries are reproducible."""
    return tuple(ref(kind, i) for i in sorted(set(ids)))


def malformed_unless_recordable(decision: Decision, values: Iterable[str | None],
                                id_groups: Iterable[Iterable[str]] = ()) -> Decision:
    """Return ``decision``, or a ``request.malformed`` refusal when an identifier among
    ``values`` and ``id_groups`` cannot be recorded as it is (see the module docstring).

    A prohibited purpose keeps its own refusal, so attempts stay named and counted.
    """
    if all(recordable(v) for v in values) and all(
            recordable(i) for ids in id_groups for i in ids):
        return decision
    if decision.rule_id.startswith("prohibited."):
        return decision
    return Decision(False, MALFORMED, REASONS[MALFORMED], decision.purpose, decision.basis,
                    decision.policy_version)


def record(audit: AuditLog, *, actor: Actor, action: str, purpose: str, allowed: bool,
           rule_id: str, policy_version: str, mailbox: str | None = None,
           basis: str | None = None, basis_ref: str | None = None,
           resources: Iterable[ResourceRef] = (), request_id: str | None = None,
           outcome: str = "", client_ip: str = "") -> Receipt:
    """Append one event; return its receipt once durable, or raise ``AuditUnavailable``.

    A refusal is recorded with its identifiers cleaned when the log cannot hold them as
    they are; an allowed change naming such an identifier is refused (``AuditUnavailable``).
    """
    texts = (actor.id, actor.role, mailbox, action, purpose, basis, basis_ref)
    if not allowed and not all(recordable(t) for t in texts):
        actor = Actor(kind=actor.kind, id=cleaned(actor.id),
                      role=cleaned(actor.role) if actor.role else actor.role)
        mailbox, action = cleaned(mailbox or ""), cleaned(action)
        purpose, basis = cleaned(purpose or ""), cleaned(basis or "")
        basis_ref = cleaned(basis_ref or "")
    try:
        event = AuditEvent(
            actor_kind=AuditActorKind(actor.kind.value), actor_id=actor.id,
            actor_role=actor.role or "", mailbox=mailbox or "", action=action,
            purpose=purpose or "(none)", basis=basis or "", basis_ref=basis_ref or "",
            resources=tuple(resources),
            decision=AuditDecision.ALLOW if allowed else AuditDecision.DENY, rule_id=rule_id,
            policy_version=policy_version, request_id=request_id or "", outcome=outcome,
            client_ip=client_ip)
    except AuditError as error:
        raise _unrecorded(error) from error
    return _append(audit, [event])[0]


def record_decision(audit: AuditLog, decision: Decision, *, actor: Actor, action: str,
                    mailbox: str | None = None, purpose: str | None = None,
                    basis: str | None = None, basis_ref: str | None = None,
                    resources: Resources | Iterable[ResourceRef] | None = None,
                    request_id: str | None = None, outcome: str = "",
                    client_ip: str = "") -> Receipt:
    """Append ``decision`` (allowed or denied) durably; raise ``AuditUnavailable`` otherwise.

    ``resources`` are the exact ids touched (a ``Resources`` or audit ``ResourceRef``s);
    ``purpose`` and ``basis`` default to the decision's.
    """
    refs = (resource_refs(resources) if isinstance(resources, Resources) or resources is None
            else tuple(resources))
    return record(audit, actor=actor, action=action, purpose=purpose or decision.purpose,
                  allowed=decision.allowed, rule_id=decision.rule_id,
                  policy_version=decision.policy_version, mailbox=mailbox,
                  basis=basis or decision.basis, basis_ref=basis_ref, resources=refs,
                  request_id=request_id, outcome=outcome, client_ip=client_ip)


def _append(audit: AuditLog, events: list[AuditEvent]) -> list[Receipt]:
    """Append ``events`` in one durable commit; raise ``AuditUnavailable`` otherwise."""
    try:
        return audit.append_many(events)
    except AuditUnavailable:
        raise
    except AuditError as error:
        raise _unrecorded(error) from error


def _unrecorded(error: AuditError) -> AuditUnavailable:
    """Return the refusal for an entry the log would not take (fail closed)."""
    return AuditUnavailable(f"the access or change could not be recorded "
                            f"({type(error).__name__}: {error}); it is refused")


def _decision_event(decision: Decision, request: AccessRequest, *, audit_action: str | None,
                    basis_ref: str | None, extra_resources: Iterable[ResourceRef],
                    request_id: str | None, client_ip: str) -> AuditEvent:
    """Return the entry recording ``decision`` on ``request`` (fields as ``record`` builds)."""
    if basis_ref is None:
        if request.consent is not None:
            basis_ref = request.consent.id
        elif request.grant is not None:
            basis_ref = request.grant.id
    basis = request.basis.value if request.basis is not None else None
    actor = request.actor
    try:
        return AuditEvent(
            actor_kind=AuditActorKind(actor.kind.value), actor_id=cleaned(actor.id),
            actor_role=cleaned(actor.role or ""), mailbox=cleaned(request.mailbox or ""),
            action=cleaned(audit_action or request.action),
            purpose=cleaned(request.purpose or decision.purpose or "(none)"),
            basis=basis or decision.basis or "", basis_ref=cleaned(basis_ref or ""),
            resources=resource_refs(request.resources, extra_resources),
            decision=AuditDecision.ALLOW if decision.allowed else AuditDecision.DENY,
            rule_id=decision.rule_id, policy_version=decision.policy_version,
            request_id=request_id or "", outcome="", client_ip=client_ip)
    except AuditError as error:
        raise AuditUnavailable(f"the access or change could not be recorded "
                               f"({type(error).__name__}: {error}); it is refused") from error


def decide_and_record(policy: Policy, audit: AuditLog, request: AccessRequest, *,
                      audit_action: str | None = None, basis_ref: str | None = None,
                      extra_resources: Iterable[ResourceRef] = (),
                      request_id: str | None = None, client_ip: str = "",
                      extra_ids: Iterable[str] = ()) -> Decision:
    """Decide ``request``, record the decision, and raise the named error when denied.

    ``audit_action`` names the Gmail method in the log when it differs from the action the
    policy decides on. ``extra_ids`` are the ids ``extra_resources`` name as the caller
    was given them (before ``ref`` cleaned them), checked like the request's own.
    """
    decision = _checked(policy, request, audit_action, basis_ref, extra_ids)
    _append(audit, [_decision_event(decision, request, audit_action=audit_action,
                                    basis_ref=basis_ref, extra_resources=extra_resources,
                                    request_id=request_id, client_ip=client_ip)])
    if not decision.allowed:
        raise error_for(decision)
    return decision


def decide_and_record_many(policy: Policy, audit: AuditLog,
                           requests: Sequence[AccessRequest], *,
                           audit_actions: Sequence[str | None] | None = None,
                           extra_resources: Sequence[Iterable[ResourceRef]] | None = None,
                           request_id: str | None = None,
                           client_ip: str = "") -> list[Decision]:
    """Decide every request, record all the decisions in one append, then raise.

    One durable commit instead of one per request: the entries are the ones
    ``decide_and_record`` appends for each request, consecutive and in order. Only once
    all of them are durable is the error for the first denied request raised (the error
    ``decide_and_record`` raises for it), so no decision goes unrecorded and no data moves
    before every one is. ``audit_actions`` and ``extra_resources``, when given, hold one
    item per request. A failed append raises ``AuditUnavailable`` (fail closed).
    """
    count = len(requests)
    actions = list(audit_actions) if audit_actions is not None else [None] * count
    extras = list(extra_resources) if extra_resources is not None else [()] * count
    if len(actions) != count or len(extras) != count:
        raise ValueError("give one audit action and one extra resource list per request")
    decisions = [_checked(policy, request, action, None)
                 for request, action in zip(requests, actions, strict=True)]
    _append(audit, [_decision_event(decision, request, audit_action=action, basis_ref=None,
                                    extra_resources=extra, request_id=request_id,
                                    client_ip=client_ip)
                    for decision, request, action, extra
                    in zip(decisions, requests, actions, extras, strict=True)])
    for decision in decisions:
        if not decision.allowed:
            raise error_for(decision)
    return decisions


def _checked(policy: Policy, request: AccessRequest, audit_action: str | None,
             basis_ref: str | None, extra_ids: Iterable[str] = ()) -> Decision:
    """Decide ``request``; refuse it as malformed when its entry could not name it as is."""
    decision = check_access(policy, request)
    evidence = request.consent or request.grant
    resources = request.resources
    return malformed_unless_recordable(
        decision,
        (request.actor.id, request.actor.role, request.mailbox, request.action,
         request.purpose, audit_action, basis_ref, evidence.id if evidence else None),
        (resources.message_ids, resources.thread_ids, resources.label_ids,
         resources.attachment_ids, extra_ids))
