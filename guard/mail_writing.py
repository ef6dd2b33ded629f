"""Sending, drafts and organising: decided and recorded first, never sent twice.

``MailWriting`` adds to ``DecidedMailbox`` everything that changes a mailbox: sending
(multipart or resumable uploads, see ``guard.uploads``), drafts, labels, trash. Every
method decides and records the access before Gmail is called.

Security caveat: outgoing headers are built by ``guard.outgoing``, which refuses header
injection; message content never reaches logs or errors.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from audit.entry import MAX_RESOURCES
from guard import mail_parsing as parse
from guard.errors import GmailError, GmailNotFound, GmailTimeout, GmailUnavailable
from guard.gmail_calls import GmailClient
from guard.mail_decisions import DecidedMailbox, Evidence
from guard.mail_values import Draft, DraftPage, DraftRef, LabelInfo, OutgoingMessage, SentMessage
from guard.outgoing import build_message
from guard.policy import Actor
from guard.uploads import Answer, UploadTarget, deliver_once

#: Gmail's limit on ids in one messages.batchModify.
BATCH_MODIFY_LIMIT = 1000


@dataclass(frozen=True, slots=True)
class MessageLabels:
    """The labels of one message of a conversation."""

    message_id: str
    label_ids: frozenset[str]


@dataclass(frozen=True, slots=True)
class ThreadLabels:
    """The labels of one conversation's messages: those any message carries, those all do,
    and each message's own (what an exact undo of a partly labelled conversation needs)."""

    thread_id: str
    on_any: frozenset[str]
    on_all: frozenset[str]
    messages: tuple[MessageLabels, ...] = ()

    def messages_with(self, label: str) -> tuple[str, ...]:
        """Return the ids of the messages that carry ``label``."""
        return tuple(m.message_id for m in self.messages if label in m.label_ids)

    def messages_without(self, label: str) -> tuple[str, ...]:
        """Return the ids of the messages that do not carry ``label``."""
        return tuple(m.message_id for m in self.messages if label not in m.label_ids)


def _decision_chunk(labels: int = 0) -> int:
    """Return how many message or thread ids one recorded decision may name.

    An audit entry names at most ``MAX_RESOURCES`` resources (ids and labels together).
    """
    return max(1, min(BATCH_MODIFY_LIMIT, MAX_RESOURCES - labels))


class MailWriting(DecidedMailbox):
    """Send, keep drafts, label and trash; every call decided and recorded first."""

    def send(self, *, actor: Actor, mailbox: str, purpose: str, outgoing: OutgoingMessage,
             request_id: str | None = None, evidence: Evidence = None,
             client_ip: str | None = None) -> SentMessage:
        """Send ``outgoing`` through the upload endpoint; never twice after a lost answer.

        Before re-sending after a timeout or a 5xx, the guard looks in Sent for the
        Message-ID it gave the message (a lookup under this same recorded decision).
        """
        mailbox = mailbox.strip().lower()
        built = build_message(outgoing)
        thread_ids = [outgoing.thread_id] if outgoing.thread_id else []
        self._authorize(actor=actor, mailbox=mailbox, purpose=purpose, action="messages.send",
                        evidence=evidence, client_ip=client_ip,
                        request_id=request_id, thread_ids=thread_ids)
        metadata = {"threadId": outgoing.thread_id} if outgoing.thread_id else {}
        answer = self._uploader.upload(
            mailbox, UploadTarget("POST", "messages/send", metadata, "messages.send"), built,
            find_existing=lambda: self._find_sent(mailbox, built.message_id))
        return SentMessage(id=str(answer.get("id", "")),
                           thread_id=str(answer.get("threadId", "")),
                           label_ids=tuple(answer.get("labelIds") or ()),
                           message_id_header=built.message_id)

    def _find_sent(self, mailbox: str, message_id_header: str) -> dict[str, Any] | None:
        """Return the Sent message carrying this Message-ID header, if Gmail has it."""
        query = "rfc822msgid:" + message_id_header.strip().strip("<>")
        try:
            listing = self._calls.execute(mailbox, lambda s: s.users().messages().list(
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
                   request_id: str | None = None, evidence: Evidence = None,
                   client_ip: str | None = None) -> DraftRef:
        """Create a draft, or replace draft ``draft_id``, through the upload endpoint."""
        mailbox = mailbox.strip().lower()
        built = build_message(outgoing, draft=True)
        self._authorize(actor=actor, mailbox=mailbox, purpose=purpose,
                        action="drafts.update" if draft_id else "drafts.create",
                        evidence=evidence, client_ip=client_ip, request_id=request_id,
                        thread_ids=[outgoing.thread_id] if outgoing.thread_id else [],
                        draft_ids=[draft_id] if draft_id else [])
        message: dict[str, Any] = {"threadId": outgoing.thread_id} if outgoing.thread_id else {}
        if draft_id:
            target = UploadTarget("PUT", "drafts/" + quote(draft_id, safe=""),
                                  {"id": draft_id, "message": message}, "drafts.update")
        else:
            target = UploadTarget("POST", "drafts", {"message": message}, "drafts.create")
        answer = self._uploader.upload(mailbox, target, built, find_existing=None)
        return parse.draft_ref(answer)

    def list_drafts(self, *, actor: Actor, mailbox: str, purpose: str,
                    page_token: str | None = None, max_results: int = 50,
                    request_id: str | None = None, evidence: Evidence = None,
                    client_ip: str | None = None) -> DraftPage:
        """Return a page of draft references."""
        mailbox = mailbox.strip().lower()
        self._authorize(actor=actor, mailbox=mailbox, purpose=purpose, action="drafts.list",
                        evidence=evidence, client_ip=client_ip, request_id=request_id)
        kwargs: dict[str, Any] = {"userId": "me", "maxResults": max(1, min(max_results, 500))}
        if page_token:
            kwargs["pageToken"] = page_token
        answer = self._calls.execute(mailbox, lambda s: s.users().drafts().list(**kwargs),
                               what="drafts.list")
        return DraftPage(drafts=tuple(parse.draft_ref(d) for d in answer.get("drafts") or ()),
                         next_page_token=answer.get("nextPageToken"),
                         result_size_estimate=int(answer.get("resultSizeEstimate") or 0))

    def get_draft(self, *, actor: Actor, mailbox: str, purpose: str, draft_id: str,
                  request_id: str | None = None, evidence: Evidence = None,
                  client_ip: str | None = None) -> Draft:
        """Return a draft with its full message."""
        mailbox = mailbox.strip().lower()
        self._authorize(actor=actor, mailbox=mailbox, purpose=purpose, action="drafts.get",
                        evidence=evidence, client_ip=client_ip,
                        request_id=request_id, draft_ids=[draft_id])
        answer = self._calls.execute(mailbox, lambda s: s.users().drafts().get(
            userId="me", id=draft_id, format="full"), what="drafts.get")
        return Draft(id=str(answer.get("id", "")),
                     message=parse.message(answer.get("message") or {}))

    def delete_draft(self, *, actor: Actor, mailbox: str, purpose: str, draft_id: str,
                     request_id: str | None = None, evidence: Evidence = None,
                     client_ip: str | None = None) -> None:
        """Delete a draft for good."""
        mailbox = mailbox.strip().lower()
        self._authorize(actor=actor, mailbox=mailbox, purpose=purpose, action="drafts.delete",
                        evidence=evidence, client_ip=client_ip,
                        request_id=request_id, draft_ids=[draft_id])
        self._calls.execute(mailbox, lambda s: s.users().drafts().delete(userId="me", id=draft_id),
                      what="drafts.delete")

    def send_draft(self, *, actor: Actor, mailbox: str, purpose: str, draft_id: str,
                   request_id: str | None = None, evidence: Evidence = None,
                   client_ip: str | None = None) -> SentMessage:
        """Send a saved draft; never twice after a lost answer.

        Before sending, the guard reads the draft's Message-ID header; after a timeout or a
        5xx it looks in Sent for that header, and if the draft is gone from Drafts without
        showing up in Sent it refuses to send again (Gmail deletes a draft once it is sent).
        These lookups run under the same recorded ``drafts.send`` decision.
        """
        mailbox = mailbox.strip().lower()
        self._authorize(actor=actor, mailbox=mailbox, purpose=purpose, action="drafts.send",
                        evidence=evidence, client_ip=client_ip,
                        request_id=request_id, draft_ids=[draft_id])
        header = self._draft_message_id(mailbox, draft_id)

        def attempt() -> Answer:
            return self._calls.guarded(mailbox, lambda c: _draft_send_once(c, draft_id),
                                       what="drafts.send", retry=False)

        def find_existing() -> dict[str, Any] | None:
            found = self._find_sent(mailbox, header) if header else None
            if found is not None:
                return found
            try:
                self._calls.execute(mailbox, lambda s: s.users().drafts().get(
                    userId="me", id=draft_id, format="minimal", fields="id"),
                    what="drafts.get")
            except GmailNotFound:
                raise GmailError("the draft left Drafts but its answer was lost; look in "
                                 "Sent before sending it again") from None
            except (GmailTimeout, GmailUnavailable):
                return None
            return None

        answer = deliver_once(attempt, retrier=self._retrier, what="drafts.send",
                              find_existing=find_existing)
        return SentMessage(id=str(answer.get("id", "")),
                           thread_id=str(answer.get("threadId", "")),
                           label_ids=tuple(answer.get("labelIds") or ()),
                           message_id_header=header or "")

    def _draft_message_id(self, mailbox: str, draft_id: str) -> str | None:
        """Return the Message-ID header of a draft's message, or None when it has none."""
        answer = self._calls.execute(mailbox, lambda s: s.users().drafts().get(
            userId="me", id=draft_id, format="metadata",
            fields="id,message(payload(headers))"), what="drafts.get")
        headers = ((answer.get("message") or {}).get("payload") or {}).get("headers") or []
        found = next((str(h.get("value", "")) for h in headers
                      if str(h.get("name", "")).lower() == "message-id"), "")
        return found.strip() or None

    def modify(self, *, actor: Actor, mailbox: str, purpose: str, message_ids: Sequence[str],
               add: Sequence[str] = (), remove: Sequence[str] = (),
               request_id: str | None = None, evidence: Evidence = None,
               client_ip: str | None = None) -> None:
        """Add and remove labels on messages (one modify, or batchModify for several)."""
        mailbox = mailbox.strip().lower()
        ids = list(dict.fromkeys(_id_list(message_ids, "message_ids")))
        add, remove = _id_list(add, "add"), _id_list(remove, "remove")
        body = {"addLabelIds": list(add), "removeLabelIds": list(remove)}
        size = _decision_chunk(len(set(add) | set(remove)))
        for start in range(0, len(ids), size):
            chunk = ids[start:start + size]
            action = "messages.modify" if len(chunk) == 1 else "messages.batchModify"
            self._authorize(actor=actor, mailbox=mailbox, purpose=purpose, action=action,
                            evidence=evidence, client_ip=client_ip,
                            request_id=request_id, message_ids=chunk,
                            label_ids=[*add, *remove])
            if len(chunk) == 1:
                def modify_one(s: Any, mid: str = chunk[0]) -> Any:
                    return s.users().messages().modify(userId="me", id=mid, body=body,
                                                       fields="id")

                self._calls.execute(mailbox, modify_one, what=action)
            else:
                def modify_many(s: Any, c: list[str] = chunk) -> Any:
                    return s.users().messages().batchModify(userId="me",
                                                            body={"ids": c, **body})

                self._calls.execute(mailbox, modify_many, what=action)

    def modify_thread(self, *, actor: Actor, mailbox: str, purpose: str, thread_id: str,
                      add: Sequence[str] = (), remove: Sequence[str] = (),
                      request_id: str | None = None, evidence: Evidence = None,
                      client_ip: str | None = None) -> None:
        """Add and remove labels on every message of a thread."""
        mailbox = mailbox.strip().lower()
        self._authorize(actor=actor, mailbox=mailbox, purpose=purpose, action="threads.modify",
                        evidence=evidence, client_ip=client_ip,
                        request_id=request_id, thread_ids=[thread_id],
                        label_ids=[*add, *remove])
        self._calls.execute(mailbox, lambda s: s.users().threads().modify(
            userId="me", id=thread_id, body={"addLabelIds": list(add),
                                             "removeLabelIds": list(remove)}, fields="id"),
            what="threads.modify")

    def thread_labels(self, *, actor: Actor, mailbox: str, purpose: str,
                      thread_ids: Sequence[str], request_id: str | None = None,
                      evidence: Evidence = None, client_ip: str | None = None
                      ) -> dict[str, ThreadLabels]:
        """Return the labels of each of ``thread_ids`` that still exists; no content.

        What an undo needs to put conversations back where they were: read before the
        change, decided and recorded as ``threads.get`` naming each thread, fetched in
        one batch with ``format=minimal`` and ``fields=id,messages(id,labelIds)`` (Gmail
        sends neither headers nor bodies). A thread deleted meanwhile is left out.
        """
        mailbox = mailbox.strip().lower()
        ids = list(dict.fromkeys(_id_list(thread_ids, "thread_ids")))
        found: dict[str, ThreadLabels] = {}
        size = _decision_chunk()
        for start in range(0, len(ids), size):
            chunk = ids[start:start + size]
            self._authorize(actor=actor, mailbox=mailbox, purpose=purpose,
                            action="threads.get", evidence=evidence, client_ip=client_ip,
                            request_id=request_id, thread_ids=chunk)
            builders = {f"t{index}": (lambda s, tid=tid: s.users().threads().get(
                userId="me", id=tid, format="minimal", fields="id,messages(id,labelIds)"))
                for index, tid in enumerate(chunk)}
            answers = self._calls.batch(mailbox, builders, what="threads.get")
            for index, tid in enumerate(chunk):
                answer = answers.get(f"t{index}")
                if isinstance(answer, GmailNotFound):
                    continue
                if isinstance(answer, GmailError):
                    raise answer
                if isinstance(answer, dict):
                    messages = tuple(
                        MessageLabels(message_id=str(message.get("id", "")),
                                      label_ids=frozenset(str(label) for label
                                                          in message.get("labelIds") or ()))
                        for message in answer.get("messages") or ())
                    sets = [message.label_ids for message in messages]
                    found[tid] = ThreadLabels(
                        thread_id=tid, on_any=frozenset().union(*sets),
                        on_all=frozenset.intersection(*sets) if sets else frozenset(),
                        messages=messages)
        return found

    def _trash_or_untrash(self, verb: str, *, actor: Actor, mailbox: str, purpose: str,
                          message_ids: Sequence[str], thread_ids: Sequence[str],
                          request_id: str | None, evidence: Evidence,
                          client_ip: str | None) -> None:
        mailbox = mailbox.strip().lower()
        for kind, ids in (("messages", list(dict.fromkeys(_id_list(message_ids,
                                                                   "message_ids")))),
                          ("threads", list(dict.fromkeys(_id_list(thread_ids,
                                                                  "thread_ids"))))):
            size = _decision_chunk()
            for start in range(0, len(ids), size):
                self._trash_chunk(verb, kind, ids[start:start + size],
                                  actor=actor, mailbox=mailbox, purpose=purpose,
                                  request_id=request_id, evidence=evidence,
                                  client_ip=client_ip)

    def _trash_chunk(self, verb: str, kind: str, ids: Sequence[str], *, actor: Actor,
                     mailbox: str, purpose: str, request_id: str | None, evidence: Evidence,
                     client_ip: str | None) -> None:
        """Decide and record one chunk of a trash or untrash, then call Gmail per item."""
        action = f"{kind}.{verb}"
        self._authorize(actor=actor, mailbox=mailbox, purpose=purpose, action=action,
                        evidence=evidence, client_ip=client_ip, request_id=request_id,
                        message_ids=ids if kind == "messages" else (),
                        thread_ids=ids if kind == "threads" else ())
        for item in ids:
            def call(s: Any, k: str = kind, i: str = item) -> Any:
                return getattr(getattr(s.users(), k)(), verb)(userId="me", id=i, fields="id")

            self._calls.execute(mailbox, call, what=action)

    def trash(self, *, actor: Actor, mailbox: str, purpose: str,
              message_ids: Sequence[str] = (), thread_ids: Sequence[str] = (),
              request_id: str | None = None, evidence: Evidence = None,
              client_ip: str | None = None) -> None:
        """Move messages and/or whole threads to the trash."""
        self._trash_or_untrash("trash", actor=actor, mailbox=mailbox, purpose=purpose,
                               message_ids=message_ids, thread_ids=thread_ids,
                               request_id=request_id, evidence=evidence,
                               client_ip=client_ip)

    def untrash(self, *, actor: Actor, mailbox: str, purpose: str,
                message_ids: Sequence[str] = (), thread_ids: Sequence[str] = (),
                request_id: str | None = None, evidence: Evidence = None,
                client_ip: str | None = None) -> None:
        """Take messages and/or whole threads out of the trash."""
        self._trash_or_untrash("untrash", actor=actor, mailbox=mailbox, purpose=purpose,
                               message_ids=message_ids, thread_ids=thread_ids,
                               request_id=request_id, evidence=evidence,
                               client_ip=client_ip)

    def create_label(self, *, actor: Actor, mailbox: str, purpose: str, name: str,
                     request_id: str | None = None, evidence: Evidence = None,
                     client_ip: str | None = None) -> LabelInfo:
        """Create a user label named ``name``."""
        mailbox = mailbox.strip().lower()
        self._authorize(actor=actor, mailbox=mailbox, purpose=purpose, action="labels.create",
                        evidence=evidence, client_ip=client_ip, request_id=request_id)
        answer = self._calls.execute(mailbox, lambda s: s.users().labels().create(
            userId="me", body={"name": name, "labelListVisibility": "labelShow",
                               "messageListVisibility": "show"}), what="labels.create")
        return parse.label(answer)


def _id_list(values: Sequence[str], name: str) -> Sequence[str]:
    """Return ``values``; refuse one string, which would be read as one id per character."""
    if isinstance(values, str | bytes):
        raise TypeError(f"give {name} as a list of ids, not one string")
    return values


def _draft_send_once(client: GmailClient, draft_id: str) -> Answer:
    """POST drafts.send once through the transport and return Gmail's answer as is."""
    request = client.service.users().drafts().send(userId="me", body={"id": draft_id})
    response, content = client.transport.request(
        request.uri, method="POST", body=request.body,
        headers={**request.headers, "accept": "application/json"})
    return Answer(response.status, response, content)
