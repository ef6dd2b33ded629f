"""Mailbox access: decide, record, then call Gmail, returning frozen values.

Every method takes keyword-only ``actor``, ``mailbox``, ``purpose``, optional
``request_id``, optional ``evidence`` (a ``Consent`` or ``Grant`` for staff) and optional
``client_ip`` (where the request came from; recorded keyed-hashed). It builds
the ``AccessRequest`` with the exact resource ids, decides it with the policy, appends the
decision to the audit log, raises the named error when denied, and only then calls Gmail
through one shared, pooled transport with retries. Nothing here returns raw JSON or the
client. This module holds the reading methods; ``guard.mail_writing`` the sending, draft
and organising ones, ``guard.mail_decisions`` the decide-and-record step.

Security caveats: ``AuditUnavailable`` from the audit log propagates before any Gmail
call (fail closed). Message content, subjects and addresses never reach logs or errors.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from guard import mail_parsing as parse
from guard.errors import GmailError, GmailNotFound, HistoryExpired
from guard.gmail_calls import BATCH_LIMIT
from guard.mail_decisions import Evidence
from guard.mail_values import (
    AttachmentData,
    HistoryPage,
    LabelInfo,
    Message,
    Profile,
    SendAsAlias,
    Thread,
    ThreadPage,
    ThreadSummary,
)
from guard.mail_writing import BATCH_MODIFY_LIMIT, MailWriting
from guard.policy import Actor

__all__ = ["BATCH_LIMIT", "BATCH_MODIFY_LIMIT", "INBOX", "Evidence", "MailboxAccess"]

INBOX = "INBOX"


class MailboxAccess(MailWriting):
    """The only road from the web client (and the staff broker) to Gmail data."""

    def list_threads(self, *, actor: Actor, mailbox: str, purpose: str,
                     label_ids: Sequence[str] = (), query: str | None = None,
                     page_token: str | None = None, max_results: int = 50,
                     request_id: str | None = None, evidence: Evidence = None,
                     client_ip: str | None = None) -> ThreadPage:
        """Return a page of thread summaries (cold: threads.list + one batch of gets)."""
        mailbox = mailbox.strip().lower()
        max_results = max(1, min(int(max_results), 500))
        self._authorize(actor=actor, mailbox=mailbox, purpose=purpose, action="threads.list",
                        evidence=evidence, client_ip=client_ip,
                        request_id=request_id, label_ids=label_ids)
        inbox_first_page = (tuple(label_ids) == (INBOX,) and not query and not page_token
                            and self._cache is not None)
        if inbox_first_page:
            warm = self._warm_inbox(actor=actor, mailbox=mailbox, purpose=purpose,
                                    max_results=max_results, request_id=request_id,
                                    evidence=evidence, client_ip=client_ip)
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
        listing = self._calls.execute(mailbox, lambda s: s.users().threads().list(**kwargs),
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
        return self._calls.batch(mailbox, builders, what="threads.get") if builders else {}

    def _warm_inbox(self, *, actor: Actor, mailbox: str, purpose: str, max_results: int,
                    request_id: str | None, evidence: Evidence,
                    client_ip: str | None) -> ThreadPage | None:
        """Serve the inbox's first page from the cache after one history call, or None."""
        assert self._cache is not None
        state = self._cache.state(mailbox)
        if state is None or max_results > state.page_size:
            return None
        try:
            history = self.history(actor=actor, mailbox=mailbox, purpose=purpose,
                                   start_history_id=state.history_id, request_id=request_id,
                                   evidence=evidence, client_ip=client_ip)
        except HistoryExpired:
            self._cache.clear(mailbox)
            return None
        changed = sorted({c.thread_id for c in history.changes if c.thread_id})
        upserts: list[ThreadSummary] = []
        removed: list[str] = []
        if changed:
            self._authorize(actor=actor, mailbox=mailbox, purpose=purpose,
                            action="threads.get", evidence=evidence, client_ip=client_ip,
                            request_id=request_id, thread_ids=changed)
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
                   request_id: str | None = None, evidence: Evidence = None,
                   client_ip: str | None = None) -> Thread:
        """Return a whole thread with its messages' bodies."""
        mailbox = mailbox.strip().lower()
        self._authorize(actor=actor, mailbox=mailbox, purpose=purpose, action="threads.get",
                        evidence=evidence, client_ip=client_ip,
                        request_id=request_id, thread_ids=[thread_id])
        answer = self._calls.execute(mailbox, lambda s: s.users().threads().get(
            userId="me", id=thread_id, format="full"), what="threads.get")
        return parse.thread(answer)

    def get_message(self, *, actor: Actor, mailbox: str, purpose: str, message_id: str,
                    request_id: str | None = None, evidence: Evidence = None,
                    client_ip: str | None = None) -> Message:
        """Return one message with its bodies (HTML unsanitised) and attachment list."""
        mailbox = mailbox.strip().lower()
        self._authorize(actor=actor, mailbox=mailbox, purpose=purpose, action="messages.get",
                        evidence=evidence, client_ip=client_ip,
                        request_id=request_id, message_ids=[message_id])
        answer = self._calls.execute(mailbox, lambda s: s.users().messages().get(
            userId="me", id=message_id, format="full"), what="messages.get")
        return parse.message(answer)

    def get_attachment(self, *, actor: Actor, mailbox: str, purpose: str, message_id: str,
                       attachment_id: str, part_id: str | None = None,
                       request_id: str | None = None,
                       evidence: Evidence = None, client_ip: str | None = None) -> AttachmentData:
        """Return an attachment's bytes, name and type.

        Gmail may hand out a different attachment id on each fetch; ``part_id`` (from
        ``AttachmentInfo``) finds the part when the id has changed.
        """
        mailbox = mailbox.strip().lower()
        self._authorize(actor=actor, mailbox=mailbox, purpose=purpose,
                        action="attachments.get", evidence=evidence, client_ip=client_ip,
                        request_id=request_id,
                        message_ids=[message_id], attachment_ids=[attachment_id])
        resource = self._calls.execute(mailbox, lambda s: s.users().messages().get(
            userId="me", id=message_id, format="full", fields="id,payload"),
            what="messages.get")
        info = next((a for a in parse.message(resource).attachments
                     if a.attachment_id == attachment_id), None)
        if info is None and part_id is not None:
            info = next((a for a in parse.message(resource).attachments
                         if a.part_id == part_id), None)
        if info is None:
            raise GmailNotFound("the message has no such attachment; reload the message")
        answer = self._calls.execute(mailbox, lambda s: s.users().messages().attachments().get(
            userId="me", messageId=message_id, id=info.attachment_id), what="attachments.get")
        return AttachmentData(filename=info.filename, mime_type=info.mime_type,
                              data=parse.b64url(str(answer.get("data", ""))))

    def history(self, *, actor: Actor, mailbox: str, purpose: str, start_history_id: str,
                page_token: str | None = None, max_results: int = 500,
                request_id: str | None = None, evidence: Evidence = None,
                client_ip: str | None = None) -> HistoryPage:
        """Return changes since ``start_history_id``; raise ``HistoryExpired`` when too old."""
        mailbox = mailbox.strip().lower()
        self._authorize(actor=actor, mailbox=mailbox, purpose=purpose, action="history.list",
                        evidence=evidence, client_ip=client_ip, request_id=request_id)
        kwargs: dict[str, Any] = {"userId": "me", "startHistoryId": start_history_id,
                                  "maxResults": max(1, min(int(max_results), 500))}
        if page_token:
            kwargs["pageToken"] = page_token
        try:
            answer = self._calls.execute(mailbox, lambda s: s.users().history().list(**kwargs),
                                   what="history.list")
        except GmailNotFound:
            raise HistoryExpired("the history id is too old for Gmail; do a full resync "
                                 "and continue from the profile's history id") from None
        return HistoryPage(changes=parse.history_changes(answer.get("history") or ()),
                           history_id=str(answer.get("historyId", "")),
                           next_page_token=answer.get("nextPageToken"))

    def list_labels(self, *, actor: Actor, mailbox: str, purpose: str,
                    request_id: str | None = None,
                    evidence: Evidence = None,
                    client_ip: str | None = None) -> tuple[LabelInfo, ...]:
        """Return every label with its counters (labels.list + one batch of labels.get)."""
        mailbox = mailbox.strip().lower()
        self._authorize(actor=actor, mailbox=mailbox, purpose=purpose, action="labels.list",
                        evidence=evidence, client_ip=client_ip, request_id=request_id)
        listing = self._calls.execute(mailbox, lambda s: s.users().labels().list(userId="me"),
                                what="labels.list")
        ids = [str(label["id"]) for label in listing.get("labels") or ()]
        builders = {lid: (lambda s, lid=lid: s.users().labels().get(userId="me", id=lid))
                    for lid in ids}
        details = self._calls.batch(mailbox, builders, what="labels.get") if builders else {}
        by_id = {str(label["id"]): label for label in listing.get("labels") or ()}
        return tuple(parse.label(details[i] if isinstance(details.get(i), dict) else by_id[i])
                     for i in ids)

    def profile(self, *, actor: Actor, mailbox: str, purpose: str,
                request_id: str | None = None, evidence: Evidence = None,
                client_ip: str | None = None) -> Profile:
        """Return the mailbox's address, totals and history id."""
        mailbox = mailbox.strip().lower()
        self._authorize(actor=actor, mailbox=mailbox, purpose=purpose, action="profile.get",
                        evidence=evidence, client_ip=client_ip, request_id=request_id)
        return parse.profile(self._calls.execute(
            mailbox, lambda s: s.users().getProfile(userId="me"), what="profile.get"))

    def send_as(self, *, actor: Actor, mailbox: str, purpose: str,
                request_id: str | None = None,
                evidence: Evidence = None, client_ip: str | None = None) -> tuple[SendAsAlias, ...]:
        """Return the addresses the mailbox may send as (its From choices)."""
        mailbox = mailbox.strip().lower()
        self._authorize(actor=actor, mailbox=mailbox, purpose=purpose,
                        action="settings.sendAs.list", evidence=evidence, client_ip=client_ip,
                        request_id=request_id)
        answer = self._calls.execute(mailbox, lambda s: s.users().settings().sendAs().list(
            userId="me"), what="settings.sendAs.list")
        return tuple(parse.send_as(a) for a in answer.get("sendAs") or ())
