"""The base of mailbox access: its stores, and the decide-and-record step before Gmail.

``DecidedMailbox`` holds what every mailbox method needs (policy, audit log, accounts,
the Gmail call runner, the uploader, the metadata cache) and ``_authorize``, which builds
the ``AccessRequest`` with the exact resource ids, decides it, appends the decision to the
audit log and raises the named error when it is denied (``_authorize_all`` does the same
for several accesses in one audit commit). ``MailboxAccess`` adds the reading
methods and ``guard.mail_writing.MailWriting`` the sending, draft and organising ones.

Security caveat: ``AuditUnavailable`` propagates from ``_authorize`` before any Gmail call
(fail closed).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime

import requests

from audit import AuditLog, ResourceKind
from guard._gmail import GOOGLE_ROOT_URL
from guard.accounts import ConnectedAccounts
from guard.gmail_calls import GmailCalls
from guard.mail_cache import MailCache
from guard.policy import AccessBasis, AccessRequest, Actor, Consent, Grant, Policy, Resources
from guard.recording import decide_and_record, decide_and_record_many, ref
from guard.retry import Retrier
from guard.uploads import MessageUploader

Evidence = Consent | Grant | None

#: The audit action of reading only messages' thread ids (``messages.get`` with
#: ``format=minimal`` and ``fields=id,threadId``): no content, and no human sees them.
#: Named apart from ``messages.get`` so that no reader of the log counts it as a view.
THREAD_IDS_ACTION = "messages.thread_ids"


def _ids(values: Iterable[str]) -> frozenset[str]:
    return frozenset(v for v in values if v)


class DecidedMailbox:
    """Hold the mailbox stores and decide-and-record every access before Gmail is called."""

    def __init__(self, *, policy: Policy, audit: AuditLog, accounts: ConnectedAccounts,
                 root_url: str | None, session: requests.Session,
                 clock: Callable[[], datetime], retrier: Retrier | None = None,
                 cache: MailCache | None = None) -> None:
        self._policy = policy
        self._audit = audit
        self._accounts = accounts
        self._clock = clock
        self._retrier = retrier or Retrier()
        self._cache = cache
        self._calls = GmailCalls(accounts=accounts, root_url=root_url, session=session,
                                 retrier=self._retrier)
        self._uploader = MessageUploader(self._calls,
                                         upload_root=root_url or GOOGLE_ROOT_URL)

    def forget(self, mailbox: str) -> None:
        """Drop the cached client of ``mailbox`` (after connect, disconnect, auth failure)."""
        self._calls.forget(mailbox)

    def _request(self, *, actor: Actor, mailbox: str, purpose: str, action: str,
                 evidence: Evidence, message_ids: Iterable[str] = (),
                 thread_ids: Iterable[str] = (), label_ids: Iterable[str] = (),
                 attachment_ids: Iterable[str] = ()) -> AccessRequest:
        """Build the ``AccessRequest`` for one access with its exact resource ids."""
        basis: AccessBasis | None = None
        consent: Consent | None = None
        grant: Grant | None = None
        if isinstance(evidence, Consent):
            basis, consent = AccessBasis.CONSENT, evidence
        elif isinstance(evidence, Grant):
            basis, grant = evidence.basis, evidence
        return AccessRequest(
            actor=actor, action=action, mailbox=mailbox, purpose=purpose, now=self._clock(),
            basis=basis, consent=consent, grant=grant,
            resources=Resources(message_ids=_ids(message_ids), thread_ids=_ids(thread_ids),
                                label_ids=_ids(label_ids),
                                attachment_ids=_ids(attachment_ids)))

    def _authorize(self, *, actor: Actor, mailbox: str, purpose: str, action: str,
                   evidence: Evidence, request_id: str | None,
                   message_ids: Iterable[str] = (), thread_ids: Iterable[str] = (),
                   label_ids: Iterable[str] = (), attachment_ids: Iterable[str] = (),
                   draft_ids: Iterable[str] = (), audit_action: str | None = None,
                   client_ip: str | None = None) -> None:
        """Decide and record the access; raise the named error when it is denied.

        ``client_ip`` is the address the request came from (the web client passes the
        browser's); the audit log keeps it keyed-hashed so reviewers can search by it.
        """
        request = self._request(actor=actor, mailbox=mailbox, purpose=purpose, action=action,
                                evidence=evidence, message_ids=message_ids,
                                thread_ids=thread_ids, label_ids=label_ids,
                                attachment_ids=attachment_ids)
        drafts = sorted(_ids(draft_ids))
        decide_and_record(self._policy, self._audit, request, audit_action=audit_action,
                          extra_resources=[ref(ResourceKind.DRAFT, d) for d in drafts],
                          extra_ids=drafts, request_id=request_id,
                          client_ip=client_ip or "")

    def _authorize_all(self, *, actor: Actor, mailbox: str, purpose: str,
                       accesses: Sequence[tuple[str, Iterable[str]]], evidence: Evidence,
                       request_id: str | None, client_ip: str | None = None) -> None:
        """Decide several accesses, record them in one commit, then raise the first denial.

        ``accesses`` holds ``(action, label_ids)`` pairs; each is recorded exactly as
        ``_authorize`` records it alone, in order, and all before any is refused.
        """
        requests = [self._request(actor=actor, mailbox=mailbox, purpose=purpose,
                                  action=action, evidence=evidence, label_ids=label_ids)
                    for action, label_ids in accesses]
        decide_and_record_many(self._policy, self._audit, requests, request_id=request_id,
                               client_ip=client_ip or "")
