"""Upload messages to Gmail (multipart below 5 MB, resumable above) without duplicates.

Gmail accepts messages of up to 36,700,160 bytes through its upload endpoint. Small ones
go in one ``multipart/related`` request; larger ones use the resumable protocol: a start
request that carries the JSON metadata and announces the size, then the bytes in chunks
(multiples of 256 KiB) to the session URL, resuming from the offset Gmail confirms after
a dropped connection or a 5xx.

``deliver_once`` wraps any one-shot delivery (an upload or ``drafts.send``): it retries
rate limits and server errors with backoff, and after an answer was lost (a dropped
connection, a 5xx) it first asks ``find_existing`` whether the message already went out,
so a send is never made twice. After a timeout it never sends again (the timed-out
request may still complete at Gmail); it only keeps looking for the delivered message.

Security caveat: the session URL authorises the upload by itself; it never leaves this
module and never reaches logs or errors.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from guard.errors import GmailError, GmailTimeout, GmailUnavailable, SendUnconfirmed
from guard.gmail_calls import GmailCalls, GmailClient
from guard.outgoing import BuiltMessage, multipart_related
from guard.retry import Retrier, failure_of, translate

#: Messages up to this size go in one multipart request; larger ones are resumable.
SIMPLE_UPLOAD_LIMIT = 5 * 1024 * 1024
#: Bytes per resumable chunk (8 MiB); Google requires a multiple of 256 KiB.
CHUNK_SIZE = 32 * 256 * 1024
_RANGE = re.compile(r"bytes=(\d+)-(\d+)")

Found = dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class Answer:
    """One HTTP answer from Gmail: status, headers and body."""

    status: int
    headers: Mapping[str, str]
    content: bytes

    def json(self) -> dict[str, Any]:
        """Return the body as a JSON object (empty when there is none)."""
        value: dict[str, Any] = json.loads(self.content.decode("utf-8") or "{}")
        return value


@dataclass(frozen=True, slots=True)
class UploadTarget:
    """Where an upload goes: HTTP method, path under ``users/me/``, and its metadata."""

    method: str
    path: str
    metadata: Mapping[str, Any]
    what: str


def deliver_once(attempt: Callable[[], Answer], *, retrier: Retrier, what: str,
                 find_existing: Callable[[], Found] | None) -> dict[str, Any]:
    """Return the answer of ``attempt()``; retry without ever delivering twice.

    Before each retry that follows a lost answer, ``find_existing`` (when given) looks for
    the delivered result; when it finds one, that is returned instead of delivering again.
    After a timeout, a delivery with ``find_existing`` is never attempted again (see
    ``_await_timed_out``); one without it (a draft saved in place) is retried.
    """
    attempts = retrier.policy.max_attempts
    for number in range(attempts):
        last = number == attempts - 1
        try:
            answer = attempt()
        except GmailTimeout:
            if find_existing is None:
                if last:
                    raise
                retrier.sleep(retrier.delay(number, None))
                continue
            return _await_timed_out(find_existing, retrier=retrier, after=number, what=what)
        except GmailUnavailable:
            found = find_existing() if find_existing is not None else None
            if found is not None:
                return found
            if last:
                raise
            retrier.sleep(retrier.delay(number, None))
            continue
        if answer.status < 300:
            return answer.json()
        failure = failure_of(answer.status, answer.headers, answer.content)
        if not failure.retryable or last or retrier.too_long(failure.retry_after):
            raise translate(failure, what)
        if answer.status >= 500 and find_existing is not None:
            found = find_existing()
            if found is not None:
                return found
        retrier.sleep(retrier.delay(number, failure.retry_after))
    raise AssertionError("unreachable")  # pragma: no cover


def _await_timed_out(find_existing: Callable[[], Found], *, retrier: Retrier, after: int,
                     what: str) -> dict[str, Any]:
    """Look for a delivery whose answer timed out, for the remaining attempts; never resend.

    A request that timed out may still be running at Gmail and complete later: sending
    again could deliver the message twice. So the guard only looks (with the retrier's
    backoff between looks, giving Gmail time to finish) and, when the message never shows
    up, raises ``SendUnconfirmed`` (a ``GmailTimeout``) saying it may still be delivered.
    """
    for number in range(after, retrier.policy.max_attempts):
        found = find_existing()
        if found is not None:
            return found
        if number < retrier.policy.max_attempts - 1:
            retrier.sleep(retrier.delay(number, None))
    raise SendUnconfirmed(f"Gmail did not confirm {what} in time and it was not sent again: it "
                       "may still be delivered; look in Sent before sending it again")


class MessageUploader:
    """Send RFC 5322 bytes with metadata to an upload endpoint of one mailbox."""

    def __init__(self, calls: GmailCalls, *, upload_root: str,
                 simple_limit: int = SIMPLE_UPLOAD_LIMIT, chunk_size: int = CHUNK_SIZE) -> None:
        if chunk_size <= 0 or chunk_size % (256 * 1024):
            raise ValueError("chunk_size must be a positive multiple of 256 KiB")
        self._calls = calls
        self._root = upload_root.rstrip("/") + "/"
        self.simple_limit = simple_limit
        self.chunk_size = chunk_size

    def upload(self, mailbox: str, target: UploadTarget, built: BuiltMessage, *,
               find_existing: Callable[[], Found] | None) -> dict[str, Any]:
        """Upload ``built`` to ``target`` with retries; return Gmail's JSON answer."""
        def attempt() -> Answer:
            return self._calls.guarded(mailbox, lambda c: self._once(c, target, built),
                                       what="upload", retry=False)

        return deliver_once(attempt, retrier=self._calls.retrier, what=target.what,
                            find_existing=find_existing)

    def _once(self, client: GmailClient, target: UploadTarget, built: BuiltMessage) -> Answer:
        if len(built.raw) <= self.simple_limit:
            return self._multipart(client, target, built)
        return self._resumable(client, target, built)

    def _url(self, target: UploadTarget, upload_type: str) -> str:
        return f"{self._root}upload/gmail/v1/users/me/{target.path}?uploadType={upload_type}"

    def _multipart(self, client: GmailClient, target: UploadTarget,
                   built: BuiltMessage) -> Answer:
        body, content_type = multipart_related(target.metadata, built.raw)
        return _request(client, self._url(target, "multipart"), target.method, body,
                        {"content-type": content_type, "accept": "application/json"})

    def _resumable(self, client: GmailClient, target: UploadTarget,
                   built: BuiltMessage) -> Answer:
        """Start a session, send the bytes in chunks, resume from Gmail's confirmed offset."""
        total = len(built.raw)
        start = _request(client, self._url(target, "resumable"), target.method,
                         json.dumps(dict(target.metadata)).encode("utf-8"),
                         {"content-type": "application/json; charset=UTF-8",
                          "x-upload-content-type": "message/rfc822",
                          "x-upload-content-length": str(total)})
        if start.status >= 300:
            return start
        session_url = start.headers.get("location")
        if not session_url:
            raise GmailError("Gmail started a resumable upload without a session URL; "
                             "send the message again")
        offset = 0
        stalls = 0
        retrier = self._calls.retrier
        while True:
            end = min(offset + self.chunk_size, total)
            try:
                answer = _request(client, session_url, "PUT", built.raw[offset:end],
                                  {"content-type": "message/rfc822",
                                   "content-range": f"bytes {offset}-{end - 1}/{total}"})
            except (GmailTimeout, GmailUnavailable):
                answer = Answer(503, {}, b"")
            if answer.status == 308:
                confirmed = _confirmed(answer.headers)
                stalls = 0 if confirmed > offset else stalls + 1
                offset = confirmed
            elif answer.status == 429 or answer.status >= 500:
                stalls += 1
                if stalls >= retrier.policy.max_attempts:
                    return answer
                retrier.sleep(retrier.delay(stalls - 1, None))
                status = _request(client, session_url, "PUT", b"",
                                  {"content-range": f"bytes */{total}"})
                if status.status == 404:
                    raise GmailUnavailable("the upload session ended before its answer "
                                           "arrived; the message may have been delivered")
                if status.status != 308:
                    return status
                offset = _confirmed(status.headers)
            else:
                return answer
            if stalls >= retrier.policy.max_attempts:
                raise GmailUnavailable("Gmail stopped taking the upload's bytes; send the "
                                       "message again later")


def _confirmed(headers: Mapping[str, str]) -> int:
    """Return how many bytes Gmail confirmed (the ``Range`` of a 308), 0 when none."""
    match = _RANGE.search(headers.get("range", ""))
    return int(match.group(2)) + 1 if match else 0


def _request(client: GmailClient, url: str, method: str, body: bytes,
             headers: dict[str, str]) -> Answer:
    response, content = client.transport.request(url, method=method, body=body,
                                                 headers=headers)
    return Answer(response.status, response, content)
