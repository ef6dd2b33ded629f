"""Let staff see message data: the only road from a staff member to a user's messages.

Each view loads its evidence fresh (a user's consent or a grant), checks the staff member
is active and holds the role they act in, decides with ``check_access``, and appends the
decision (allowed or refused, with basis, reference and the exact resource ids) to the
audit log *before* anything is fetched. A refusal raises the error naming it
(``ConsentRequired``, ``GrantRequired``, ``ApprovalRequired``, ``AccessDenied``). Only an
allowed view reaches Gmail, through the mail access layer with the staff actor, the
basis's purpose and the same evidence, so the mail layer decides and records the Gmail
call itself too.

A thread viewed under a consent comes back holding only the consented messages that
belong to it, never the rest of the thread. The broker first has the mail layer read the
thread id of each consented message, and nothing else of them (``format=minimal``; both
record it as ``THREAD_IDS_ACTION``, not as a view). Then it decides and records the view
over exactly the consented messages of the thread, and fetches those, each fetch decided
and recorded again: the log's views name exactly the messages the staff member is shown,
and no other message's content is fetched. A consent with none of its messages in the
thread is refused with ``consent.thread_not_covered``.

Evidence is read fresh for each fetch of a view and once more after the last one: a
consent or grant revoked while Gmail was answering (or a staff member removed meanwhile)
stops the view, recorded as refused, and nothing fetched is handed over.

Security caveat: a consent covers exactly its message ids, never a thread; the whole of a
thread needs a security or legal grant.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, NoReturn, Protocol

from audit import AuditLog, ResourceKind, ResourceRef
from guard.consents import ConsentBook
from guard.errors import AccessDenied, ConsentRequired, GmailNotFound
from guard.grants import GrantBook
from guard.mail_decisions import THREAD_IDS_ACTION
from guard.mail_values import AttachmentData, Message, Thread
from guard.policy import (
    REASONS,
    AccessBasis,
    AccessRequest,
    Actor,
    Consent,
    Decision,
    Grant,
    Policy,
    Resources,
    check_access,
    error_for,
)
from guard.policy.vocabulary import STAFF_PURPOSES
from guard.recording import malformed_unless_recordable, record_decision, ref
from guard.staff import StaffError, StaffRegistry, UnknownStaff

Clock = Callable[[], datetime]

NOT_REGISTERED = "staff.not_registered"


class MessageFetcher(Protocol):
    """What the broker needs from the mail access layer (``guard.mailbox.MailboxAccess``)."""

    def get_message(self, *, actor: Actor, mailbox: str, purpose: str, message_id: str,
                    request_id: str | None = None,
                    evidence: Consent | Grant | None = None) -> Message:
        """Return the message, deciding and recording the Gmail call itself."""

    def get_thread(self, *, actor: Actor, mailbox: str, purpose: str, thread_id: str,
                   request_id: str | None = None,
                   evidence: Consent | Grant | None = None) -> Any:
        """Return the thread, deciding and recording the Gmail call itself."""

    def get_attachment(self, *, actor: Actor, mailbox: str, purpose: str, message_id: str,
                       attachment_id: str, part_id: str | None = None,
                       request_id: str | None = None,
                       evidence: Consent | Grant | None = None) -> AttachmentData:
        """Return a part's bytes, name and type, deciding and recording the Gmail call."""

    def thread_ids_of(self, *, actor: Actor, mailbox: str, purpose: str,
                      message_ids: Iterable[str], request_id: str | None = None,
                      evidence: Consent | Grant | None = None) -> dict[str, str]:
        """Return each message's thread id (no content), deciding and recording the call."""


class AccessBroker:
    """Decide, record, then fetch every staff view of message data."""

    def __init__(self, policy: Policy, audit: AuditLog, staff: StaffRegistry,
                 consents: ConsentBook, grants: GrantBook, mail: MessageFetcher, *,
                 clock: Clock | None = None) -> None:
        self._policy = policy
        self._audit = audit
        self._staff = staff
        self._consents = consents
        self._grants = grants
        self._mail = mail
        self._clock = clock or (lambda: datetime.now(UTC))

    def view_message(self, actor: Actor, *, mailbox: str, message_id: str,
                     consent_id: str | None = None, grant_id: str | None = None,
                     request_id: str | None = None) -> Any:
        """Return message ``message_id`` of ``mailbox`` for staff ``actor``, or raise.

        Give the consent the user recorded (``consent_id``) or a grant (``grant_id``).
        """
        request_id = request_id or uuid.uuid4().hex
        mailbox = _mailbox(mailbox)
        resources = Resources(message_ids=frozenset({message_id}))
        actor, purpose, evidence = self._decide(
            actor, mailbox=mailbox, action="messages.get", resources=resources,
            consent_id=consent_id, grant_id=grant_id, request_id=request_id)
        message = self._mail.get_message(actor=actor, mailbox=mailbox, purpose=purpose,
                                         message_id=message_id, request_id=request_id,
                                         evidence=evidence)
        self._confirm(actor, mailbox=mailbox, action="messages.get", resources=resources,
                      consent_id=consent_id, grant_id=grant_id, request_id=request_id)
        return message

    def view_attachment(self, actor: Actor, *, mailbox: str, message_id: str,
                        attachment_id: str, part_id: str | None = None,
                        consent_id: str | None = None, grant_id: str | None = None,
                        request_id: str | None = None) -> AttachmentData:
        """Return one part (an inline image) of message ``message_id`` for staff ``actor``.

        Decided and recorded as a view of that message's part (``attachments.get``, the
        message and the part named) under the consent or grant, exactly as
        ``view_message``: a part of a message the evidence does not cover is refused.
        ``part_id`` finds the part when Gmail has since changed its attachment id.
        """
        request_id = request_id or uuid.uuid4().hex
        mailbox = _mailbox(mailbox)
        resources = Resources(message_ids=frozenset({message_id}),
                              attachment_ids=frozenset({attachment_id}))
        actor, purpose, evidence = self._decide(
            actor, mailbox=mailbox, action="attachments.get", resources=resources,
            consent_id=consent_id, grant_id=grant_id, request_id=request_id,
            extra_ids=(part_id,) if part_id is not None else ())
        data = self._mail.get_attachment(actor=actor, mailbox=mailbox, purpose=purpose,
                                         message_id=message_id, attachment_id=attachment_id,
                                         part_id=part_id, request_id=request_id,
                                         evidence=evidence)
        self._confirm(actor, mailbox=mailbox, action="attachments.get", resources=resources,
                      consent_id=consent_id, grant_id=grant_id, request_id=request_id)
        return data

    def view_thread(self, actor: Actor, *, mailbox: str, thread_id: str,
                    consent_id: str | None = None, grant_id: str | None = None,
                    request_id: str | None = None) -> Any:
        """Return thread ``thread_id`` of ``mailbox`` for staff ``actor``, or raise.

        With a grant, the whole thread. With a consent, a ``Thread`` holding only the
        consented messages of that thread (oldest first); ``ConsentRequired``
        (``consent.thread_not_covered``) when the consent names none of them.
        """
        request_id = request_id or uuid.uuid4().hex
        mailbox = _mailbox(mailbox)
        if consent_id is not None and grant_id is None:
            return self._consented_thread(actor, mailbox=mailbox, thread_id=thread_id,
                                          consent_id=consent_id, request_id=request_id)
        resources = Resources(thread_ids=frozenset({thread_id}))
        actor, purpose, evidence = self._decide(
            actor, mailbox=mailbox, action="threads.get", resources=resources,
            consent_id=consent_id, grant_id=grant_id, request_id=request_id)
        thread = self._mail.get_thread(actor=actor, mailbox=mailbox, purpose=purpose,
                                       thread_id=thread_id, request_id=request_id,
                                       evidence=evidence)
        self._confirm(actor, mailbox=mailbox, action="threads.get", resources=resources,
                      consent_id=consent_id, grant_id=grant_id, request_id=request_id)
        return thread

    def _consented_thread(self, actor: Actor, *, mailbox: str, thread_id: str,
                          consent_id: str, request_id: str) -> Thread:
        """Return the consented messages of ``thread_id`` as a thread, or raise."""
        consent = self._consents.evidence(consent_id)
        covered = consent.message_ids if consent is not None else frozenset()
        thread_ref = ref(ResourceKind.THREAD, thread_id)
        # Which consented messages are in the thread: their thread ids only, never shown.
        actor, purpose, evidence = self._decide(
            actor, mailbox=mailbox, action="messages.get",
            resources=Resources(message_ids=covered), consent_id=consent_id, grant_id=None,
            request_id=request_id, audit_action="threads.get",
            allowed_action=THREAD_IDS_ACTION, extra_refs=(thread_ref,), extra_ids=(thread_id,))
        assert isinstance(evidence, Consent)
        threads = self._mail.thread_ids_of(actor=actor, mailbox=mailbox, purpose=purpose,
                                           message_ids=sorted(evidence.message_ids),
                                           request_id=request_id, evidence=evidence)
        in_thread = frozenset(m for m, t in threads.items() if t == thread_id)
        kept: list[Message] = []
        if in_thread:
            # The view itself, decided on fresh evidence over exactly what will be shown.
            shown = Resources(message_ids=in_thread)
            actor, purpose, evidence = self._decide(
                actor, mailbox=mailbox, action="messages.get", resources=shown,
                consent_id=consent_id, grant_id=None, request_id=request_id,
                audit_action="threads.get", extra_refs=(thread_ref,))
            for index, message_id in enumerate(sorted(in_thread)):
                if index:
                    # Each further fetch on the consent as it stands now: withdrawn
                    # meanwhile, the view stops here, recorded.
                    evidence = self._confirm(
                        actor, mailbox=mailbox, action="messages.get", resources=shown,
                        consent_id=consent_id, grant_id=None, request_id=request_id,
                        audit_action="threads.get", extra_refs=(thread_ref,))
                try:
                    message = self._mail.get_message(
                        actor=actor, mailbox=mailbox, purpose=purpose, message_id=message_id,
                        request_id=request_id, evidence=evidence)
                except GmailNotFound:
                    continue  # deleted since its thread id was read
                kept.append(message)
            self._confirm(actor, mailbox=mailbox, action="messages.get", resources=shown,
                          consent_id=consent_id, grant_id=None, request_id=request_id,
                          audit_action="threads.get", extra_refs=(thread_ref,))
        if not kept:
            decision = Decision(False, "consent.thread_not_covered",
                                REASONS["consent.thread_not_covered"], purpose,
                                AccessBasis.CONSENT.value, self._policy.version)
            record_decision(self._audit, decision, actor=actor, action="threads.get",
                            mailbox=mailbox, basis_ref=consent_id,
                            resources=(thread_ref, ref(ResourceKind.CONSENT, consent_id)),
                            request_id=request_id, outcome="refused")
            raise ConsentRequired(decision)
        kept.sort(key=lambda m: (m.internal_date is None, m.internal_date or 0, m.id))
        labels = sorted({label for m in kept for label in m.label_ids})
        return Thread(id=thread_id, messages=tuple(kept), label_ids=tuple(labels))

    def _decide(self, actor: Actor, *, mailbox: str, action: str, resources: Resources,
                consent_id: str | None, grant_id: str | None, request_id: str,
                audit_action: str | None = None, allowed_action: str | None = None,
                extra_refs: tuple[ResourceRef, ...] = (), extra_ids: tuple[str, ...] = ()
                ) -> tuple[Actor, str, Consent | Grant]:
        """Decide and record the view; return the actor, purpose and evidence to fetch with.

        ``audit_action`` names the view in the log when the policy decides another action
        (a consented thread view is decided as reading the consented messages);
        ``allowed_action``, when given, names it instead if allowed (reading the consented
        messages' thread ids is no view, though refusing it refuses the view).
        """
        if consent_id is not None and grant_id is not None:
            raise ValueError("give either consent_id or grant_id, not both")
        actor = Actor(kind=actor.kind, id=actor.id.strip().lower(), role=actor.role)
        decision, purpose, evidence = self._evaluate(
            actor, mailbox=mailbox, action=action, resources=resources,
            consent_id=consent_id, grant_id=grant_id, extra_ids=extra_ids)
        if not decision.allowed:
            self._refuse(decision, actor, mailbox=mailbox, action=audit_action or action,
                         resources=resources, consent_id=consent_id, grant_id=grant_id,
                         request_id=request_id, extra_refs=extra_refs)
        logged, outcome = allowed_action or audit_action or action, "view"
        if allowed_action is not None:
            outcome = "no_content"
        record_decision(self._audit, decision, actor=actor, action=logged, mailbox=mailbox,
                        basis_ref=grant_id if grant_id is not None else consent_id,
                        resources=_view_refs(resources, extra_refs, consent_id, grant_id),
                        request_id=request_id, outcome=outcome)
        assert evidence is not None
        return actor, purpose, evidence

    def _confirm(self, actor: Actor, *, mailbox: str, action: str, resources: Resources,
                 consent_id: str | None, grant_id: str | None, request_id: str,
                 audit_action: str | None = None,
                 extra_refs: tuple[ResourceRef, ...] = ()) -> Consent | Grant:
        """Decide the view again on evidence read now; return that evidence, or refuse.

        Called before each further fetch of a view and once the fetching is done, so a
        consent or grant revoked (or a staff member removed) while Gmail was answering
        stops the view: the refusal is recorded and nothing is handed over. An allowing
        decision is not recorded again; the view's entry already says it.
        """
        decision, _purpose, evidence = self._evaluate(
            actor, mailbox=mailbox, action=action, resources=resources,
            consent_id=consent_id, grant_id=grant_id)
        if not decision.allowed:
            self._refuse(decision, actor, mailbox=mailbox, action=audit_action or action,
                         resources=resources, consent_id=consent_id, grant_id=grant_id,
                         request_id=request_id, extra_refs=extra_refs)
        assert evidence is not None
        return evidence

    def _evaluate(self, actor: Actor, *, mailbox: str, action: str, resources: Resources,
                  consent_id: str | None, grant_id: str | None,
                  extra_ids: tuple[str, ...] = ()
                  ) -> tuple[Decision, str, Consent | Grant | None]:
        """Load the evidence fresh, decide the view, and check the staff member is active.

        A view naming an identifier the log cannot hold as it is (``extra_ids``: the ones
        not among ``resources``) is refused as ``request.malformed``.
        """
        consent: Consent | None = None
        grant: Grant | None = None
        if grant_id is not None:
            grant = self._grants.evidence(grant_id)
            basis = grant.basis if grant is not None else self._investigation_basis(actor)
        else:
            basis = AccessBasis.CONSENT
            consent = self._consents.evidence(consent_id) if consent_id is not None else None
        purpose = STAFF_PURPOSES[basis]
        request = AccessRequest(actor=actor, action=action, mailbox=mailbox, purpose=purpose,
                                now=self._clock(), basis=basis, resources=resources,
                                consent=consent, grant=grant)
        decision = malformed_unless_recordable(
            check_access(self._policy, request),
            (actor.id, actor.role, mailbox, consent_id, grant_id, *extra_ids),
            (resources.message_ids, resources.thread_ids, resources.attachment_ids))
        if decision.allowed:
            try:
                self._staff.require_actor(actor)
            except (StaffError, UnknownStaff):
                decision = Decision(False, NOT_REGISTERED, REASONS[NOT_REGISTERED], purpose,
                                    basis.value, self._policy.version)
        return decision, purpose, consent if consent is not None else grant

    def _refuse(self, decision: Decision, actor: Actor, *, mailbox: str, action: str,
                resources: Resources, consent_id: str | None, grant_id: str | None,
                request_id: str, extra_refs: tuple[ResourceRef, ...]) -> NoReturn:
        """Record the refused view, then raise the error naming it."""
        record_decision(self._audit, decision, actor=actor, action=action, mailbox=mailbox,
                        basis_ref=grant_id if grant_id is not None else consent_id,
                        resources=_view_refs(resources, extra_refs, consent_id, grant_id),
                        request_id=request_id, outcome="refused")
        if decision.rule_id == NOT_REGISTERED:
            raise AccessDenied(decision)
        raise error_for(decision)

    def _investigation_basis(self, actor: Actor) -> AccessBasis:
        """Return the grant basis the actor's role may use (security before legal)."""
        role = self._policy.staff.roles.get(actor.role or "")
        bases = role.bases if role is not None else frozenset()
        return AccessBasis.LEGAL if AccessBasis.LEGAL in bases and \
            AccessBasis.SECURITY not in bases else AccessBasis.SECURITY


def _mailbox(address: str) -> str:
    """Return the mailbox as the policy compares it and the mail layer fetches it."""
    return address.strip().lower()


def _view_refs(resources: Resources, extra_refs: tuple[ResourceRef, ...],
               consent_id: str | None, grant_id: str | None) -> tuple[ResourceRef, ...]:
    """Return what a view's entry names: the messages and threads, then the evidence."""
    refs = (*(ref(ResourceKind.MESSAGE, i) for i in sorted(resources.message_ids)),
            *(ref(ResourceKind.THREAD, i) for i in sorted(resources.thread_ids)),
            *(ref(ResourceKind.ATTACHMENT, i) for i in sorted(resources.attachment_ids)),
            *extra_refs)
    if grant_id is not None:
        return (*refs, ref(ResourceKind.GRANT, grant_id))
    if consent_id is not None:
        return (*refs, ref(ResourceKind.CONSENT, consent_id))
    return refs
