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

from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from guard import mail_parsing as parse
from guard.errors import GmailError, GmailNotFound, HistoryExpired
from guard.gmail_calls import BATCH_LIMIT
from guard.mail_cache import CacheState
from guard.mail_decisions import THREAD_IDS_ACTION, Evidence
from guard.mail_values import (
    AttachmentData,
    HistoryChange,
    HistoryPage,
    InboxListing,
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
from guard.shared_runs import SharedRuns

__all__ = ["BATCH_LIMIT", "BATCH_MODIFY_LIMIT", "INBOX", "LABELS_MAX_AGE", "Evidence",
           "MailboxAccess"]

INBOX = "INBOX"

#: A cached label list older than this is fetched whole again: a label renamed in another
#: Gmail client leaves no trace in history, so this bounds how long an old name can show.
LABELS_MAX_AGE = timedelta(hours=1)


#: Runs the second of two independent Gmail calls of one method (the shared transport is
#: thread-safe); the method waits for it before returning.
_side_calls = ThreadPoolExecutor(max_workers=4, thread_name_prefix="mailguard-guard")


@dataclass(frozen=True, slots=True)
class _Synced:
    """What one history sync of a mailbox's cache left behind."""

    #: The history id the cache now stands at, or None when another writer moved it.
    history_id: str | None
    #: The current labels with their counters, or None when they are not cached.
    labels: tuple[LabelInfo, ...] | None


def _in_inbox(summary: ThreadSummary) -> bool:
    """Return True when an inbox listing shows the thread (it leaves no trash or spam out)."""
    labels = set(summary.label_ids)
    return INBOX in labels and not labels & {"TRASH", "SPAM"}


def _touched_labels(changes: Iterable[HistoryChange]) -> list[str]:
    """Return the labels whose counters ``changes`` may have moved.

    A change moves the counters of the labels it added or removed and, since a message
    read, added or deleted counts under each of its labels, of every label the message
    carries.
    """
    touched: set[str] = set()
    for change in changes:
        touched.update(change.label_ids)
        touched.update(change.message_label_ids)
    return sorted(touched)


def cache_serves(state: CacheState, max_results: int) -> bool:
    """Say whether the cached first page can answer a first page of ``max_results``.

    Only a page of the size cached: a smaller one would carry the cached page's token (none
    when the cached page held every thread) and hide the older page; a larger one needs
    threads the cache does not hold.
    """
    return max_results == state.page_size


class MailboxAccess(MailWriting):
    """The only road from the web client (and the staff broker) to Gmail data."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        #: Warm inbox pages of one mailbox asked for at once share a history sync.
        self._inbox_syncs: SharedRuns[_Synced | None] = SharedRuns()

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
        builders = self._summary_builders(thread_ids)
        fetched = self._calls.batch(mailbox, builders, what="threads.get") if builders else {}
        return {key.removeprefix("t"): answer for key, answer in fetched.items()}

    def _warm_inbox(self, *, actor: Actor, mailbox: str, purpose: str, max_results: int,
                    request_id: str | None, evidence: Evidence,
                    client_ip: str | None) -> ThreadPage | None:
        """Serve the inbox's first page from the cache after one history call, or None."""
        assert self._cache is not None
        state = self._cache.state(mailbox)
        if state is None or not cache_serves(state, max_results):
            return None
        synced = self._sync(actor=actor, mailbox=mailbox, purpose=purpose, state=state,
                            with_labels=False, request_id=request_id, evidence=evidence,
                            client_ip=client_ip)
        if synced is None:
            return None
        return self._cache.page(mailbox, max_results, state=state)

    def _sync(self, *, actor: Actor, mailbox: str, purpose: str, state: CacheState,
              with_labels: bool, request_id: str | None, evidence: Evidence,
              client_ip: str | None, history_recorded: bool = False) -> _Synced | None:
        """Bring the mailbox's cache up to date with one history call; None if it was dropped.

        Changed threads and (``with_labels``: the caller has recorded a labels access) the
        counters of touched labels are refetched in one batch, threads first. Without
        ``with_labels`` a touched label list is dropped instead, to be fetched whole next
        time. History that has expired or runs past one page empties the cache (a full
        resync is cheaper than paging through it). ``history_recorded``: the caller has
        already decided and recorded the history.list access (allowed) for this request.
        """
        assert self._cache is not None
        try:
            if history_recorded:
                history = self._fetch_history(mailbox, start_history_id=state.history_id)
            else:
                history = self.history(actor=actor, mailbox=mailbox, purpose=purpose,
                                       start_history_id=state.history_id,
                                       request_id=request_id, evidence=evidence,
                                       client_ip=client_ip)
        except HistoryExpired:
            self._cache.clear(mailbox)
            return None
        if history.next_page_token:
            self._cache.clear(mailbox)
            return None
        changed = sorted({c.thread_id for c in history.changes if c.thread_id})
        labels = state.labels
        touched = _touched_labels(history.changes) if labels is not None else []
        drop_labels = bool(touched) and not with_labels
        refetch = [] if drop_labels else touched
        if changed:
            self._authorize(actor=actor, mailbox=mailbox, purpose=purpose,
                            action="threads.get", evidence=evidence, client_ip=client_ip,
                            request_id=request_id, thread_ids=changed)
        builders = dict(self._summary_builders(changed))
        builders.update(("l" + lid, lambda s, lid=lid: s.users().labels().get(
            userId="me", id=lid)) for lid in refetch)
        fetched = (self._calls.batch(mailbox, builders,
                                     what="threads.get" if changed else "labels.get")
                   if builders else {})
        upserts: list[ThreadSummary] = []
        removed: list[str] = []
        for tid in changed:
            answer = fetched.get("t" + tid)
            if isinstance(answer, GmailNotFound):
                removed.append(tid)
            elif isinstance(answer, GmailError):
                raise answer
            elif isinstance(answer, dict):
                summary = parse.thread_summary(answer)
                (upserts.append(summary) if _in_inbox(summary) else removed.append(tid))
        new_labels: tuple[LabelInfo, ...] | None = None
        if refetch and labels is not None:
            by_id = {label.id: label for label in labels}
            for lid in refetch:
                answer = fetched.get("l" + lid)
                if isinstance(answer, GmailNotFound):
                    by_id.pop(lid, None)  # deleted meanwhile
                elif isinstance(answer, GmailError):
                    raise answer
                elif isinstance(answer, dict):
                    by_id[lid] = parse.label(answer)
            new_labels = tuple(by_id.values())
        history_id = history.history_id or state.history_id
        if not (changed or new_labels is not None or history_id != state.history_id):
            return _Synced(history_id=history_id, labels=labels)
        applied = self._cache.apply(mailbox, upserts=upserts, removed=removed,
                                    history_id=history_id,
                                    expected_history_id=state.history_id, labels=new_labels,
                                    labels_fetched_at=state.labels_fetched_at)
        if drop_labels:
            self._cache.forget_labels(mailbox)
        return _Synced(history_id=history_id if applied else None,
                       labels=None if drop_labels else (new_labels or labels))

    def _summary_builders(self, thread_ids: Iterable[str]
                          ) -> dict[str, Any]:
        """Return batch parts (keyed ``t<id>``) fetching each thread's summary.

        Keys are short (``t<id>``, ``l<id>`` for labels) because the client library folds
        a long Content-ID header, which not every batch endpoint unfolds.
        """
        return {
            "t" + tid: (lambda s, tid=tid: s.users().threads().get(
                userId="me", id=tid, format="metadata",
                metadataHeaders=list(parse.SUMMARY_HEADERS), fields=parse.SUMMARY_FIELDS))
            for tid in thread_ids}

    def _labels_fresh(self, state: CacheState) -> bool:
        """Return True when the cached label list may be kept up to date through history."""
        return (state.labels is not None and state.labels_fetched_at is not None
                and self._clock() - state.labels_fetched_at < LABELS_MAX_AGE)

    def list_inbox(self, *, actor: Actor, mailbox: str, purpose: str, max_results: int = 50,
                   request_id: str | None = None, evidence: Evidence = None,
                   client_ip: str | None = None) -> InboxListing:
        """Return the inbox's first page and every label with its counters.

        Warm (cached, no changes): one Gmail round trip, the history call; changed threads
        and the counters of touched labels then come in one batch. Cold: threads.list,
        labels.list and the profile's history id side by side, then the thread and the
        label gets side by side (a batch each), which fills the cache. Records the
        threads.list and labels.list accesses like ``list_threads`` and ``list_labels``
        do, whether the answer comes from the cache or from Gmail (and profile.get when
        the profile is read).

        The accesses the request is sure to make (threads.list, labels.list, and
        history.list when warm or profile.get when cold) are decided together and
        recorded in one audit commit, before any Gmail call; a denial among them is
        recorded with the others and then raised.
        """
        mailbox = mailbox.strip().lower()
        max_results = max(1, min(int(max_results), 500))
        state = self._cache.state(mailbox) if self._cache is not None else None
        warm = state is not None and cache_serves(state, max_results)
        self._authorize_all(actor=actor, mailbox=mailbox, purpose=purpose,
                            accesses=(("threads.list", (INBOX,)), ("labels.list", ()),
                                      ("history.list" if warm else "profile.get", ())),
                            evidence=evidence, request_id=request_id, client_ip=client_ip)
        if warm:
            assert self._cache is not None and state is not None
            with_labels = self._labels_fresh(state)
            cache = self._cache

            def sync(waited: bool) -> _Synced | None:
                # After waiting for another page's sync, start from where it left the cache.
                now = cache.state(mailbox) if waited else state
                if now is None:
                    return None
                return self._sync(actor=actor, mailbox=mailbox, purpose=purpose, state=now,
                                  with_labels=with_labels, request_id=request_id,
                                  evidence=evidence, client_ip=client_ip,
                                  history_recorded=True)

            # Pages of this mailbox asked for meanwhile share one history call (module
            # guard.shared_runs): each is still as fresh as if it had made its own.
            synced = self._inbox_syncs.run((mailbox, with_labels), sync)
            if synced is not None:
                labels = synced.labels if with_labels else None
                if labels is None:
                    labels = self._fetch_labels(mailbox)
                    if synced.history_id is not None:
                        self._cache.store_labels(mailbox, labels,
                                                 history_id=synced.history_id)
                page = self._cache.page(mailbox, max_results, state=state)
                if page is not None:
                    return InboxListing(page=page, labels=labels)
            # The cache was dropped: fall back to the cold path, which reads the profile.
            self._authorize(actor=actor, mailbox=mailbox, purpose=purpose,
                            action="profile.get", evidence=evidence, client_ip=client_ip,
                            request_id=request_id)
        return self._cold_inbox(mailbox, max_results)

    def _cold_inbox(self, mailbox: str, max_results: int) -> InboxListing:
        """List the inbox and the labels from Gmail, two round trips deep; fill the cache."""
        # The listings and the profile run side by side: one wait, not three. The
        # profile's history id, read before anything is fetched, is where the cache
        # stands: what was fetched holds every change up to it, later ones come through
        # history (refetching is idempotent).
        labels_listed = _side_calls.submit(
            self._calls.execute, mailbox, lambda s: s.users().labels().list(userId="me"),
            what="labels.list")
        profiled = _side_calls.submit(
            self._calls.execute, mailbox, lambda s: s.users().getProfile(
                userId="me", fields="historyId"), what="profile.get")
        try:
            listing = self._calls.execute(mailbox, lambda s: s.users().threads().list(
                userId="me", labelIds=[INBOX], maxResults=max_results,
                fields="threads(id),nextPageToken,resultSizeEstimate"), what="threads.list")
        finally:
            wait([labels_listed, profiled])  # no Gmail call outlives the method
        label_listing = labels_listed.result()
        history_id = str(profiled.result().get("historyId") or "")
        ids = [str(t["id"]) for t in listing.get("threads") or ()]
        label_resources = {str(label["id"]): label for label in label_listing.get("labels")
                           or ()}
        # The thread gets and the label gets go as two batches side by side: together
        # they pass Gmail's 50 requests a batch, and one after the other they would wait
        # twice.
        label_builders = {lid: (lambda s, lid=lid: s.users().labels().get(userId="me", id=lid))
                          for lid in label_resources}
        labels_fetched = (_side_calls.submit(self._calls.batch, mailbox, label_builders,
                                             what="labels.get") if label_builders else None)
        try:
            fetched = self._fetch_summaries(mailbox, ids)
        finally:
            if labels_fetched is not None:
                wait([labels_fetched])  # no Gmail call outlives the method
        details = labels_fetched.result() if labels_fetched is not None else {}
        threads = [fetched.get(i) for i in ids]
        page = ThreadPage(threads=tuple(parse.thread_summary(t) for t in threads
                                        if isinstance(t, dict)),
                          next_page_token=listing.get("nextPageToken"),
                          result_size_estimate=int(listing.get("resultSizeEstimate") or 0))
        labels = tuple(parse.label(detail if isinstance(detail := details.get(lid), dict)
                                   else resource)
                       for lid, resource in label_resources.items())
        if history_id and self._cache is not None:
            self._cache.replace_inbox(mailbox, page, history_id=history_id,
                                      page_size=max_results, labels=labels)
        return InboxListing(page=page, labels=labels)

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

    def thread_ids_of(self, *, actor: Actor, mailbox: str, purpose: str,
                      message_ids: Iterable[str], request_id: str | None = None,
                      evidence: Evidence = None, client_ip: str | None = None
                      ) -> dict[str, str]:
        """Return the thread id of each of ``message_ids`` that still exists; no content.

        Decided as reading the messages and recorded as ``THREAD_IDS_ACTION`` naming
        each id, then fetched with ``format=minimal`` and ``fields=id,threadId`` (in
        batches): Gmail sends neither headers nor bodies. A message deleted meanwhile is
        left out.
        """
        mailbox = mailbox.strip().lower()
        ids = sorted(set(message_ids))
        self._authorize(actor=actor, mailbox=mailbox, purpose=purpose, action="messages.get",
                        audit_action=THREAD_IDS_ACTION, evidence=evidence,
                        client_ip=client_ip, request_id=request_id, message_ids=ids)
        builders = {f"m{index}": (lambda s, mid=mid: s.users().messages().get(
            userId="me", id=mid, format="minimal", fields="id,threadId"))
            for index, mid in enumerate(ids)}
        answers = self._calls.batch(mailbox, builders, what="messages.get") if ids else {}
        found: dict[str, str] = {}
        for index, mid in enumerate(ids):
            answer = answers.get(f"m{index}")
            if isinstance(answer, GmailNotFound):
                continue
            if isinstance(answer, GmailError):
                raise answer
            if isinstance(answer, dict):
                found[mid] = str(answer.get("threadId", ""))
        return found

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
        return self._fetch_history(mailbox, start_history_id=start_history_id,
                                   page_token=page_token, max_results=max_results)

    def _fetch_history(self, mailbox: str, *, start_history_id: str,
                       page_token: str | None = None, max_results: int = 500) -> HistoryPage:
        """Call history.list; the caller has recorded the (allowed) history.list access."""
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
        """Return every label with its counters.

        From the cache after one history call when the labels are cached (the call also
        refreshes the cached inbox); otherwise labels.list and one batch of labels.get,
        kept in the cache when it holds the mailbox.
        """
        mailbox = mailbox.strip().lower()
        self._authorize(actor=actor, mailbox=mailbox, purpose=purpose, action="labels.list",
                        evidence=evidence, client_ip=client_ip, request_id=request_id)
        cursor: str | None = None
        if self._cache is not None:
            state = self._cache.state(mailbox)
            if state is not None:
                cursor = state.history_id
                if self._labels_fresh(state):
                    synced = self._sync(actor=actor, mailbox=mailbox, purpose=purpose,
                                        state=state, with_labels=True,
                                        request_id=request_id, evidence=evidence,
                                        client_ip=client_ip)
                    if synced is not None and synced.labels is not None:
                        return synced.labels
                    cursor = synced.history_id if synced is not None else None
        labels = self._fetch_labels(mailbox)
        if cursor is not None and self._cache is not None:
            self._cache.store_labels(mailbox, labels, history_id=cursor)
        return labels

    def _fetch_labels(self, mailbox: str) -> tuple[LabelInfo, ...]:
        """Fetch every label with its counters: labels.list, then one batch of labels.get."""
        listing = self._calls.execute(mailbox, lambda s: s.users().labels().list(userId="me"),
                                      what="labels.list")
        ids = [str(label["id"]) for label in listing.get("labels") or ()]
        builders = {lid: (lambda s, lid=lid: s.users().labels().get(userId="me", id=lid))
                    for lid in ids}
        details = self._calls.batch(mailbox, builders, what="labels.get") if builders else {}
        by_id = {str(label["id"]): label for label in listing.get("labels") or ()}
        return tuple(parse.label(details[i] if isinstance(details.get(i), dict) else by_id[i])
                     for i in ids)

    def create_label(self, *, actor: Actor, mailbox: str, purpose: str, name: str,
                     request_id: str | None = None, evidence: Evidence = None,
                     client_ip: str | None = None) -> LabelInfo:
        """Create a user label named ``name``; the cached label list is fetched anew."""
        created = super().create_label(actor=actor, mailbox=mailbox, purpose=purpose,
                                       name=name, request_id=request_id, evidence=evidence,
                                       client_ip=client_ip)
        if self._cache is not None:
            self._cache.forget_labels(mailbox.strip().lower())
        return created

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
