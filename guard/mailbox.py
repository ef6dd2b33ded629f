"""Mailbox access: decide, record, then call Gmail, returning frozen values.

Every method takes keyword-only ``actor``, ``mailbox``, ``purpose``, optional
``request_id`` and optional ``evidence`` (a ``Consent`` or ``Grant`` for staff). It builds
the ``AccessRequest`` with the exact resource ids, decides it with the policy, appends the
decision to the audit log, raises the named error when denied, and only then calls Gmail
through one shared, pooled transport with retries. Nothing here returns raw JSON or the
client.

Security caveats: ``AuditUnavailable`` from the audit log propagates before any Gmail
call (fail closed). Message content, subjects and addresses never reach logs or errors.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

import requests

from audit import AuditLog, ResourceKind, ResourceRef
from guard import mail_parsing as parse
from guard._gmail import GOOGLE_ROOT_URL, build_gmail_service
from guard.accounts import ConnectedAccounts
from guard.errors import GmailAuthError, GmailError, GmailTimeout, GmailUnavailable
from guard.mail_cache import MailCache
from guard.mail_values import (
    AttachmentData,
    Draft,
    DraftPage,
    DraftRef,
    HistoryPage,
    LabelInfo,
    Message,
    OutgoingMessage,
    Profile,
    SendAsAlias,
    SentMessage,
    Thread,
    ThreadPage,
    ThreadSummary,
)
from guard.outgoing import BuiltMessage, build_message, multipart_related
from guard.policy import AccessBasis, AccessRequest, Actor, Consent, Grant, Policy, Resources
from guard.recording import decide_and_record
from guard.retry import (
    GmailNotFound,
    HistoryExpired,
    Retrier,
    failure_of,
    http_failure,
    translate,
)

Evidence = Consent | Grant | None
BATCH_LIMIT = 50
BATCH_MODIFY_LIMIT = 1000
INBOX = "INBOX"


@dataclass(slots=True)
class _Client:
    """One mailbox's transport and service, shared by all threads."""

    transport: Any
    service: Any
    credentials: Any
    saved_refreshes: int = 0


def _ids(values: Iterable[str]) -> frozenset[str]:
    return frozenset(v for v in values if v)


class MailboxAccess:
    """The only road from the web client (and the staff broker) to Gmail data."""

    def __init__(self, *, policy: Policy, audit: AuditLog, accounts: ConnectedAccounts,
                 root_url: str | None, session: requests.Session,
                 clock: Callable[[], datetime], retrier: Retrier | None = None,
                 cache: MailCache | None = None) -> None:
        self._policy = policy
        self._audit = audit
        self._accounts = accounts
        self._root_url = root_url
        self._upload_root = (root_url or GOOGLE_ROOT_URL).rstrip("/") + "/"
        self._session = session
        self._clock = clock
        self._retrier = retrier or Retrier()
        self._cache = cache
        self._clients: dict[str, _Client] = {}
        self._lock = threading.Lock()

    # -- plumbing -----------------------------------------------------------------------

    def forget(self, mailbox: str) -> None:
        """Drop the cached client of ``mailbox`` (after connect, disconnect, auth failure)."""
        with self._lock:
            client = self._clients.pop(mailbox.strip().lower(), None)
        if client is not None:
            client.transport.close()

    def _client(self, mailbox: str) -> _Client:
        with self._lock:
            client = self._clients.get(mailbox)
        if client is not None:
            return client
        from guard.transport import GmailTransport

        credentials = self._accounts.credentials_for(mailbox)
        transport = GmailTransport(credentials, session=self._session)
        service = build_gmail_service(root_url=self._root_url, http=transport)
        client = _Client(transport=transport, service=service, credentials=credentials)
        with self._lock:
            return self._clients.setdefault(mailbox, client)

    def _authorize(self, *, actor: Actor, mailbox: str, purpose: str, action: str,
                   evidence: Evidence, request_id: str | None,
                   message_ids: Iterable[str] = (), thread_ids: Iterable[str] = (),
                   label_ids: Iterable[str] = (), attachment_ids: Iterable[str] = (),
                   draft_ids: Iterable[str] = (), audit_action: str | None = None) -> None:
        """Decide and record the access; raise the named error when it is denied."""
        basis: AccessBasis | None = None
        consent: Consent | None = None
        grant: Grant | None = None
        if isinstance(evidence, Consent):
            basis, consent = AccessBasis.CONSENT, evidence
        elif isinstance(evidence, Grant):
            basis, grant = evidence.basis, evidence
        request = AccessRequest(
            actor=actor, action=action, mailbox=mailbox, purpose=purpose, now=self._clock(),
            basis=basis, consent=consent, grant=grant,
            resources=Resources(message_ids=_ids(message_ids), thread_ids=_ids(thread_ids),
                                label_ids=_ids(label_ids),
                                attachment_ids=_ids(attachment_ids)))
        decide_and_record(self._policy, self._audit, request, audit_action=audit_action,
                          extra_resources=[ResourceRef(ResourceKind.DRAFT, d)
                                           for d in sorted(_ids(draft_ids))],
                          request_id=request_id)

    def _guarded_call(self, mailbox: str, call: Callable[[_Client], Any], *, what: str,
                      retry_timeouts: bool = True, retry: bool = True) -> Any:
        """Run ``call`` with the mailbox's client; save refreshed tokens; flag dead grants."""
        client = self._client(mailbox)
        try:
            if not retry:
                return call(client)
            return self._retrier.call(lambda: call(client), what=what,
                                      retry_timeouts=retry_timeouts)
        except GmailAuthError:
            self._accounts.mark_needs_reconnect(mailbox)
            self.forget(mailbox)
            raise
        finally:
            self._save_refresh(mailbox, client)

    def _save_refresh(self, mailbox: str, client: _Client) -> None:
        refreshes = client.transport.refresh_count
        if refreshes != client.saved_refreshes:
            client.saved_refreshes = refreshes
            self._accounts.store_credentials(mailbox, client.credentials)

    def _execute(self, mailbox: str, build: Callable[[Any], Any], *, what: str,
                 retry_timeouts: bool = True) -> Any:
        return self._guarded_call(mailbox, lambda c: build(c.service).execute(num_retries=0),
                                  what=what, retry_timeouts=retry_timeouts)

    def _batch(self, mailbox: str, builders: Mapping[str, Callable[[Any], Any]], *,
               what: str) -> dict[str, Any]:
        """Run requests in batches of at most 50, retrying failed parts; map key → result.

        A part that finally fails maps to its ``GmailError`` instead of a result.
        """
        results: dict[str, Any] = {}
        pending = dict(builders)
        retrier = self._retrier
        for attempt in range(retrier.policy.max_attempts):
            failed: dict[str, Callable[[Any], Any]] = {}
            waits: list[float] = []
            keys = list(pending)
            for start in range(0, len(keys), BATCH_LIMIT):
                chunk = keys[start:start + BATCH_LIMIT]

                def run(client: _Client, chunk: Sequence[str] = chunk,
                        todo: Mapping[str, Callable[[Any], Any]] = pending) -> dict[str, Any]:
                    answers: dict[str, Any] = {}

                    def callback(request_id: str, response: Any, exception: Any) -> None:
                        answers[request_id] = exception if exception is not None else response

                    batch = client.service.new_batch_http_request(callback=callback)
                    for key in chunk:
                        batch.add(todo[key](client.service), request_id=key)
                    batch.execute()
                    return answers

                answers = self._guarded_call(mailbox, run, what=what)
                for key in chunk:
                    answer = answers.get(key)
                    failure = http_failure(answer) if isinstance(answer, BaseException) else None
                    if isinstance(answer, BaseException) and failure is None:
                        raise answer
                    if failure is None:
                        results[key] = answer
                    elif failure.retryable and attempt < retrier.policy.max_attempts - 1:
                        failed[key] = pending[key]
                        waits.append(retrier.delay(attempt, failure.retry_after))
                    else:
                        error = translate(failure, what)
                        if isinstance(error, GmailAuthError):
                            self._accounts.mark_needs_reconnect(mailbox)
                            self.forget(mailbox)
                            raise error
                        results[key] = error
            if not failed:
                break
            retrier.sleep(max(waits))
            pending = failed
        return results

    def _upload(self, mailbox: str, method: str, path: str, metadata: Mapping[str, Any],
                built: BuiltMessage) -> tuple[int, Any, bytes]:
        """POST/PUT ``built`` with ``metadata`` to the upload endpoint; one attempt."""
        body, content_type = multipart_related(metadata, built.raw)
        url = f"{self._upload_root}upload/gmail/v1/users/me/{path}?uploadType=multipart"

        def call(client: _Client) -> tuple[int, Any, bytes]:
            response, content = client.transport.request(
                url, method=method, body=body,
                headers={"content-type": content_type, "accept": "application/json"})
            return response.status, response, content

        result: tuple[int, Any, bytes] = self._guarded_call(mailbox, call, what="upload",
                                                            retry=False)
        return result

    def _send_upload(self, mailbox: str, method: str, path: str,
                     metadata: Mapping[str, Any], built: BuiltMessage, *, what: str,
                     find_existing: Callable[[], dict[str, Any] | None] | None
                     ) -> dict[str, Any]:
        """Upload with retries; before re-sending after a lost answer, look for the message."""
        retrier = self._retrier
        attempts = retrier.policy.max_attempts
        for attempt in range(attempts):
            last = attempt == attempts - 1
            try:
                status, headers, content = self._upload(mailbox, method, path, metadata, built)
            except (GmailTimeout, GmailUnavailable):
                found = find_existing() if find_existing is not None else None
                if found is not None:
                    return found
                if last:
                    raise
                retrier.sleep(retrier.delay(attempt, None))
                continue
            if status < 300:
                answer: dict[str, Any] = json.loads(content.decode("utf-8") or "{}")
                return answer
            failure = failure_of(status, headers, content)
            if not failure.retryable or last:
                raise translate(failure, what)
            if status >= 500 and find_existing is not None:
                found = find_existing()
                if found is not None:
                    return found
            retrier.sleep(retrier.delay(attempt, failure.retry_after))
        raise AssertionError("unreachable")  # pragma: no cover

    # -- reading ------------------------------------------------------------------------

    def list_threads(self, *, actor: Actor, mailbox: str, purpose: str,
                     label_ids: Sequence[str] = (), query: str | None = None,
                     page_token: str | None = None, max_results: int = 50,
                     request_id: str | None = None, evidence: Evidence = None) -> ThreadPage:
        """Return a page of thread summaries (cold: threads.list + one batch of gets)."""
        mailbox = mailbox.strip().lower()
        max_results = max(1, min(int(max_results), 500))
        self._authorize(actor=actor, mailbox=mailbox, purpose=purpose, action="threads.list",
                        evidence=evidence, request_id=request_id, label_ids=label_ids)
        inbox_first_page = (tuple(label_ids) == (INBOX,) and not query and not page_token
                            and self._cache is not None)
        if inbox_first_page:
            warm = self._warm_inbox(actor=actor, mailbox=mailbox, purpose=purpose,
                                    max_results=max_results, request_id=request_id,
                                    evidence=evidence)
            if warm is not None:
                return warm
        kwargs: dict[str, Any] = {"userId": "me", "maxResults": max_results,
                                  "fields": "threads(id),nextPageToken,resultSizeEstimate"}
        if label_ids:
            kwargs["labelIds"] = list(label_ids)
        if query:
            kwargs["q"] = query
        if page_token:
            kwargs["pageToken"] = page_token
        listing = self._execute(mailbox, lambda s: s.users().threads().list(**kwargs),
                                what="threads.list")
        ids = [str(t["id"]) for t in listing.get("threads") or ()]
        fetched = self._fetch_summaries(mailbox, ids)
        summaries = tuple(parse.thread_summary(fetched[i]) for i in ids
                          if isinstance(fetched.get(i), dict))
        page = ThreadPage(threads=summaries, next_page_token=listing.get("nextPageToken"),
                          result_size_estimate=int(listing.get("resultSizeEstimate") or 0))
        if inbox_first_page and self._cache is not None:
            history_ids = [int(fetched[i].get("historyId") or 0) for i in ids
                           if isinstance(fetched.get(i), dict)]
            if history_ids:
                self._cache.replace_inbox(mailbox, page, history_id=str(max(history_ids)),
                                          page_size=max_results)
        return page

    def _fetch_summaries(self, mailbox: str, thread_ids: Sequence[str]) -> dict[str, Any]:
        builders = {
            tid: (lambda s, tid=tid: s.users().threads().get(
                userId="me", id=tid, format="metadata",
                metadataHeaders=list(parse.SUMMARY_HEADERS), fields=parse.SUMMARY_FIELDS))
            for tid in thread_ids}
        return self._batch(mailbox, builders, what="threads.get") if builders else {}

    def _warm_inbox(self, *, actor: Actor, mailbox: str, purpose: str, max_results: int,
                    request_id: str | None, evidence: Evidence) -> ThreadPage | None:
        """Serve the inbox's first page from the cache after one history call, or None."""
        assert self._cache is not None
        state = self._cache.state(mailbox)
        if state is None or max_results > state.page_size:
            return None
        try:
            history = self.history(actor=actor, mailbox=mailbox, purpose=purpose,
                                   start_history_id=state.history_id, request_id=request_id,
                                   evidence=evidence)
        except HistoryExpired:
            self._cache.clear(mailbox)
            return None
        changed = sorted({c.thread_id for c in history.changes if c.thread_id})
        upserts: list[ThreadSummary] = []
        removed: list[str] = []
        if changed:
            self._authorize(actor=actor, mailbox=mailbox, purpose=purpose,
                            action="threads.get", evidence=evidence, request_id=request_id,
                            thread_ids=changed)
            fetched = self._fetch_summaries(mailbox, changed)
            for tid in changed:
                answer = fetched.get(tid)
                if isinstance(answer, GmailNotFound):
                    removed.append(tid)
                elif isinstance(answer, GmailError):
                    raise answer
                elif isinstance(answer, dict):
                    summary = parse.thread_summary(answer)
                    (upserts.append(summary) if INBOX in summary.label_ids
                     else removed.append(tid))
        self._cache.apply(mailbox, upserts=upserts, removed=removed,
                          history_id=history.history_id or state.history_id)
        return self._cache.page(mailbox, max_results)

    def get_thread(self, *, actor: Actor, mailbox: str, purpose: str, thread_id: str,
                   request_id: str | None = None, evidence: Evidence = None) -> Thread:
        """Return a whole thread with its messages' bodies."""
        mailbox = mailbox.strip().lower()
        self._authorize(actor=actor, mailbox=mailbox, purpose=purpose, action="threads.get",
                        evidence=evidence, request_id=request_id, thread_ids=[thread_id])
        answer = self._execute(mailbox, lambda s: s.users().threads().get(
            userId="me", id=thread_id, format="full"), what="threads.get")
        return parse.thread(answer)

    def get_message(self, *, actor: Actor, mailbox: str, purpose: str, message_id: str,
                    request_id: str | None = None, evidence: Evidence = None) -> Message:
        """Return one message with its bodies (HTML unsanitised) and attachment list."""
        mailbox = mailbox.strip().lower()
        self._authorize(actor=actor, mailbox=mailbox, purpose=purpose, action="messages.get",
                        evidence=evidence, request_id=request_id, message_ids=[message_id])
        answer = self._execute(mailbox, lambda s: s.users().messages().get(
            userId="me", id=message_id, format="full"), what="messages.get")
        return parse.message(answer)

    def get_attachment(self, *, actor: Actor, mailbox: str, purpose: str, message_id: str,
                       attachment_id: str, part_id: str | None = None,
                       request_id: str | None = None,
                       evidence: Evidence = None) -> AttachmentData:
        """Return an attachment's bytes, name and type.

        Gmail may hand out a different attachment id on each fetch; ``part_id`` (from
        ``AttachmentInfo``) finds the part when the id has changed.
        """
        mailbox = mailbox.strip().lower()
        self._authorize(actor=actor, mailbox=mailbox, purpose=purpose,
                        action="attachments.get", evidence=evidence, request_id=request_id,
                        message_ids=[message_id], attachment_ids=[attachment_id])
        resource = self._execute(mailbox, lambda s: s.users().messages().get(
            userId="me", id=message_id, format="full", fields="id,payload"),
            what="messages.get")
        info = next((a for a in parse.message(resource).attachments
                     if a.attachment_id == attachment_id), None)
        if info is None and part_id is not None:
            info = next((a for a in parse.message(resource).attachments
                         if a.part_id == part_id), None)
        if info is None:
            raise GmailNotFound("the message has no such attachment; reload the message")
        answer = self._execute(mailbox, lambda s: s.users().messages().attachments().get(
            userId="me", messageId=message_id, id=info.attachment_id), what="attachments.get")
        return AttachmentData(filename=info.filename, mime_type=info.mime_type,
                              data=parse.b64url(str(answer.get("data", ""))))

    def history(self, *, actor: Actor, mailbox: str, purpose: str, start_history_id: str,
                page_token: str | None = None, max_results: int = 500,
                request_id: str | None = None, evidence: Evidence = None) -> HistoryPage:
        """Return changes since ``start_history_id``; raise ``HistoryExpired`` when too old."""
        mailbox = mailbox.strip().lower()
        self._authorize(actor=actor, mailbox=mailbox, purpose=purpose, action="history.list",
                        evidence=evidence, request_id=request_id)
        kwargs: dict[str, Any] = {"userId": "me", "startHistoryId": start_history_id,
                                  "maxResults": max(1, min(int(max_results), 500))}
        if page_token:
            kwargs["pageToken"] = page_token
        try:
            answer = self._execute(mailbox, lambda s: s.users().history().list(**kwargs),
                                   what="history.list")
        except GmailNotFound:
            raise HistoryExpired("the history id is too old for Gmail; do a full resync "
                                 "and continue from the profile's history id") from None
        return HistoryPage(changes=parse.history_changes(answer.get("history") or ()),
                           history_id=str(answer.get("historyId", "")),
                           next_page_token=answer.get("nextPageToken"))

    def list_labels(self, *, actor: Actor, mailbox: str, purpose: str,
                    request_id: str | None = None,
                    evidence: Evidence = None) -> tuple[LabelInfo, ...]:
        """Return every label with its counters (labels.list + one batch of labels.get)."""
        mailbox = mailbox.strip().lower()
        self._authorize(actor=actor, mailbox=mailbox, purpose=purpose, action="labels.list",
                        evidence=evidence, request_id=request_id)
        listing = self._execute(mailbox, lambda s: s.users().labels().list(userId="me"),
                                what="labels.list")
        ids = [str(label["id"]) for label in listing.get("labels") or ()]
        builders = {lid: (lambda s, lid=lid: s.users().labels().get(userId="me", id=lid))
                    for lid in ids}
        details = self._batch(mailbox, builders, what="labels.get") if builders else {}
        by_id = {str(label["id"]): label for label in listing.get("labels") or ()}
        return tuple(parse.label(details[i] if isinstance(details.get(i), dict) else by_id[i])
                     for i in ids)

    def profile(self, *, actor: Actor, mailbox: str, purpose: str,
                request_id: str | None = None, evidence: Evidence = None) -> Profile:
        """Return the mailbox's address, totals and history id."""
        mailbox = mailbox.strip().lower()
        self._authorize(actor=actor, mailbox=mailbox, purpose=purpose, action="profile.get",
                        evidence=evidence, request_id=request_id)
        return parse.profile(self._execute(
            mailbox, lambda s: s.users().getProfile(userId="me"), what="profile.get"))

    def send_as(self, *, actor: Actor, mailbox: str, purpose: str,
                request_id: str | None = None,
                evidence: Evidence = None) -> tuple[SendAsAlias, ...]:
        """Return the addresses the mailbox may send as (its From choices)."""
        mailbox = mailbox.strip().lower()
        self._authorize(actor=actor, mailbox=mailbox, purpose=purpose,
                        action="settings.sendAs.list", evidence=evidence,
                        request_id=request_id)
        answer = self._execute(mailbox, lambda s: s.users().settings().sendAs().list(
            userId="me"), what="settings.sendAs.list")
        return tuple(parse.send_as(a) for a in answer.get("sendAs") or ())

    # -- sending and drafts ---------------------------------------------------------------

    def send(self, *, actor: Actor, mailbox: str, purpose: str, outgoing: OutgoingMessage,
             request_id: str | None = None, evidence: Evidence = None) -> SentMessage:
        """Send ``outgoing`` through the upload endpoint; never twice after a lost answer.

        Before re-sending after a timeout or a 5xx, the guard looks in Sent for the
        Message-ID it gave the message (a lookup under this same recorded decision).
        """
        mailbox = mailbox.strip().lower()
        built = build_message(outgoing)
        thread_ids = [outgoing.thread_id] if outgoing.thread_id else []
        self._authorize(actor=actor, mailbox=mailbox, purpose=purpose, action="messages.send",
                        evidence=evidence, request_id=request_id, thread_ids=thread_ids)
        metadata = {"threadId": outgoing.thread_id} if outgoing.thread_id else {}
        answer = self._send_upload(mailbox, "POST", "messages/send", metadata, built,
                                   what="messages.send",
                                   find_existing=lambda: self._find_sent(mailbox, built))
        return SentMessage(id=str(answer.get("id", "")),
                           thread_id=str(answer.get("threadId", "")),
                           label_ids=tuple(answer.get("labelIds") or ()),
                           message_id_header=built.message_id)

    def _find_sent(self, mailbox: str, built: BuiltMessage) -> dict[str, Any] | None:
        """Return the Sent message carrying ``built``'s Message-ID, if Gmail has it."""
        query = "rfc822msgid:" + built.message_id.strip("<>")
        try:
            listing = self._execute(mailbox, lambda s: s.users().messages().list(
                userId="me", q=query, labelIds=["SENT"], includeSpamTrash=False,
                fields="messages(id,threadId)"), what="messages.list")
        except (GmailTimeout, GmailUnavailable):
            return None
        found = listing.get("messages") or []
        if not found:
            return None
        first: dict[str, Any] = found[0]
        return {"id": first.get("id"), "threadId": first.get("threadId"),
                "labelIds": ["SENT"]}

    def save_draft(self, *, actor: Actor, mailbox: str, purpose: str,
                   outgoing: OutgoingMessage, draft_id: str | None = None,
                   request_id: str | None = None, evidence: Evidence = None) -> DraftRef:
        """Create a draft, or replace draft ``draft_id``, through the upload endpoint."""
        mailbox = mailbox.strip().lower()
        built = build_message(outgoing)
        self._authorize(actor=actor, mailbox=mailbox, purpose=purpose,
                        action="drafts.update" if draft_id else "drafts.create",
                        evidence=evidence, request_id=request_id,
                        thread_ids=[outgoing.thread_id] if outgoing.thread_id else [],
                        draft_ids=[draft_id] if draft_id else [])
        message: dict[str, Any] = {"threadId": outgoing.thread_id} if outgoing.thread_id else {}
        if draft_id:
            answer = self._send_upload(mailbox, "PUT", "drafts/" + quote(draft_id, safe=""),
                                       {"id": draft_id, "message": message}, built,
                                       what="drafts.update", find_existing=None)
        else:
            answer = self._send_upload(mailbox, "POST", "drafts", {"message": message}, built,
                                       what="drafts.create", find_existing=None)
        return parse.draft_ref(answer)

    def list_drafts(self, *, actor: Actor, mailbox: str, purpose: str,
                    page_token: str | None = None, max_results: int = 50,
                    request_id: str | None = None, evidence: Evidence = None) -> DraftPage:
        """Return a page of draft references."""
        mailbox = mailbox.strip().lower()
        self._authorize(actor=actor, mailbox=mailbox, purpose=purpose, action="drafts.list",
                        evidence=evidence, request_id=request_id)
        kwargs: dict[str, Any] = {"userId": "me", "maxResults": max(1, min(max_results, 500))}
        if page_token:
            kwargs["pageToken"] = page_token
        answer = self._execute(mailbox, lambda s: s.users().drafts().list(**kwargs),
                               what="drafts.list")
        return DraftPage(drafts=tuple(parse.draft_ref(d) for d in answer.get("drafts") or ()),
                         next_page_token=answer.get("nextPageToken"),
                         result_size_estimate=int(answer.get("resultSizeEstimate") or 0))

    def get_draft(self, *, actor: Actor, mailbox: str, purpose: str, draft_id: str,
                  request_id: str | None = None, evidence: Evidence = None) -> Draft:
        """Return a draft with its full message."""
        mailbox = mailbox.strip().lower()
        self._authorize(actor=actor, mailbox=mailbox, purpose=purpose, action="drafts.get",
                        evidence=evidence, request_id=request_id, draft_ids=[draft_id])
        answer = self._execute(mailbox, lambda s: s.users().drafts().get(
            userId="me", id=draft_id, format="full"), what="drafts.get")
        return Draft(id=str(answer.get("id", "")),
                     message=parse.message(answer.get("message") or {}))

    def delete_draft(self, *, actor: Actor, mailbox: str, purpose: str, draft_id: str,
                     request_id: str | None = None, evidence: Evidence = None) -> None:
        """Delete a draft for good."""
        mailbox = mailbox.strip().lower()
        self._authorize(actor=actor, mailbox=mailbox, purpose=purpose, action="drafts.delete",
                        evidence=evidence, request_id=request_id, draft_ids=[draft_id])
        self._execute(mailbox, lambda s: s.users().drafts().delete(userId="me", id=draft_id),
                      what="drafts.delete")

    def send_draft(self, *, actor: Actor, mailbox: str, purpose: str, draft_id: str,
                   request_id: str | None = None, evidence: Evidence = None) -> SentMessage:
        """Send a saved draft (not retried after a lost answer: check Sent first)."""
        mailbox = mailbox.strip().lower()
        self._authorize(actor=actor, mailbox=mailbox, purpose=purpose, action="drafts.send",
                        evidence=evidence, request_id=request_id, draft_ids=[draft_id])
        answer = self._execute(mailbox, lambda s: s.users().drafts().send(
            userId="me", body={"id": draft_id}), what="drafts.send", retry_timeouts=False)
        return SentMessage(id=str(answer.get("id", "")),
                           thread_id=str(answer.get("threadId", "")),
                           label_ids=tuple(answer.get("labelIds") or ()), message_id_header="")

    # -- organising -----------------------------------------------------------------------

    def modify(self, *, actor: Actor, mailbox: str, purpose: str, message_ids: Sequence[str],
               add: Sequence[str] = (), remove: Sequence[str] = (),
               request_id: str | None = None, evidence: Evidence = None) -> None:
        """Add and remove labels on messages (one modify, or batchModify for several)."""
        mailbox = mailbox.strip().lower()
        ids = list(dict.fromkeys(message_ids))
        body = {"addLabelIds": list(add), "removeLabelIds": list(remove)}
        for start in range(0, len(ids), BATCH_MODIFY_LIMIT):
            chunk = ids[start:start + BATCH_MODIFY_LIMIT]
            action = "messages.modify" if len(chunk) == 1 else "messages.batchModify"
            self._authorize(actor=actor, mailbox=mailbox, purpose=purpose, action=action,
                            evidence=evidence, request_id=request_id, message_ids=chunk,
                            label_ids=[*add, *remove])
            if len(chunk) == 1:
                def modify_one(s: Any, mid: str = chunk[0]) -> Any:
                    return s.users().messages().modify(userId="me", id=mid, body=body,
                                                       fields="id")

                self._execute(mailbox, modify_one, what=action)
            else:
                def modify_many(s: Any, c: list[str] = chunk) -> Any:
                    return s.users().messages().batchModify(userId="me",
                                                            body={"ids": c, **body})

                self._execute(mailbox, modify_many, what=action)

    def modify_thread(self, *, actor: Actor, mailbox: str, purpose: str, thread_id: str,
                      add: Sequence[str] = (), remove: Sequence[str] = (),
                      request_id: str | None = None, evidence: Evidence = None) -> None:
        """Add and remove labels on every message of a thread."""
        mailbox = mailbox.strip().lower()
        self._authorize(actor=actor, mailbox=mailbox, purpose=purpose, action="threads.modify",
                        evidence=evidence, request_id=request_id, thread_ids=[thread_id],
                        label_ids=[*add, *remove])
        self._execute(mailbox, lambda s: s.users().threads().modify(
            userId="me", id=thread_id, body={"addLabelIds": list(add),
                                             "removeLabelIds": list(remove)}, fields="id"),
            what="threads.modify")

    def _trash_or_untrash(self, verb: str, *, actor: Actor, mailbox: str, purpose: str,
                          message_ids: Sequence[str], thread_ids: Sequence[str],
                          request_id: str | None, evidence: Evidence) -> None:
        mailbox = mailbox.strip().lower()
        for kind, ids in (("messages", list(dict.fromkeys(message_ids))),
                          ("threads", list(dict.fromkeys(thread_ids)))):
            if not ids:
                continue
            action = f"{kind}.{verb}"
            self._authorize(actor=actor, mailbox=mailbox, purpose=purpose, action=action,
                            evidence=evidence, request_id=request_id,
                            message_ids=ids if kind == "messages" else (),
                            thread_ids=ids if kind == "threads" else ())
            for item in ids:
                def call(s: Any, k: str = kind, i: str = item) -> Any:
                    return getattr(getattr(s.users(), k)(), verb)(userId="me", id=i,
                                                                  fields="id")

                self._execute(mailbox, call, what=action)

    def trash(self, *, actor: Actor, mailbox: str, purpose: str,
              message_ids: Sequence[str] = (), thread_ids: Sequence[str] = (),
              request_id: str | None = None, evidence: Evidence = None) -> None:
        """Move messages and/or whole threads to the trash."""
        self._trash_or_untrash("trash", actor=actor, mailbox=mailbox, purpose=purpose,
                               message_ids=message_ids, thread_ids=thread_ids,
                               request_id=request_id, evidence=evidence)

    def untrash(self, *, actor: Actor, mailbox: str, purpose: str,
                message_ids: Sequence[str] = (), thread_ids: Sequence[str] = (),
                request_id: str | None = None, evidence: Evidence = None) -> None:
        """Take messages and/or whole threads out of the trash."""
        self._trash_or_untrash("untrash", actor=actor, mailbox=mailbox, purpose=purpose,
                               message_ids=message_ids, thread_ids=thread_ids,
                               request_id=request_id, evidence=evidence)

    def create_label(self, *, actor: Actor, mailbox: str, purpose: str, name: str,
                     request_id: str | None = None, evidence: Evidence = None) -> LabelInfo:
        """Create a user label named ``name``."""
        mailbox = mailbox.strip().lower()
        self._authorize(actor=actor, mailbox=mailbox, purpose=purpose, action="labels.create",
                        evidence=evidence, request_id=request_id)
        answer = self._execute(mailbox, lambda s: s.users().labels().create(
            userId="me", body={"name": name, "labelListVisibility": "labelShow",
                               "messageListVisibility": "show"}), what="labels.create")
        return parse.label(answer)
