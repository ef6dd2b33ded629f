"""Run Gmail calls for a mailbox: one shared client per mailbox, retries, batches.

``GmailCalls`` keeps each mailbox's transport and service (shared by all threads), runs a
call with the retrier, writes refreshed tokens back to the vault, and flags a mailbox
whose Google grant died so the user is asked to reconnect. It never decides or records:
callers (``MailboxAccess``) do that first.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import requests

from guard._gmail import build_gmail_service
from guard.accounts import ConnectedAccounts
from guard.errors import GmailAuthError
from guard.retry import Retrier, http_failure, translate
from guard.transport import GmailTransport

T = TypeVar("T")

#: Gmail's limit on requests in one batch.
BATCH_LIMIT = 50


#: Gmail's sub-resources: ``users()``, ``users().messages()``... (never a request method).
_SUB_RESOURCES = frozenset({"users", "history", "labels", "messages", "threads", "drafts",
                            "attachments", "settings", "sendAs"})


class BuiltOnce:
    """A Gmail service whose sub-resources are built once and then shared.

    The client library builds a fresh resource object, with all its methods, on every
    ``users()`` or ``users().threads()``; that was a good part of a warm inbox's time in
    the client library. The resources hold no per-request state (each call makes a new
    request object), so they are shared by all threads like the service itself.
    Everything else is passed through unchanged.
    """

    __slots__ = ("_children", "_resource")

    def __init__(self, resource: Any) -> None:
        self._resource = resource
        self._children: dict[str, BuiltOnce] = {}

    def __getattr__(self, name: str) -> Any:
        if name in BuiltOnce.__slots__:  # not set yet (a copy made without __init__)
            raise AttributeError(name)
        attribute = getattr(self._resource, name)
        if name not in _SUB_RESOURCES:
            return attribute
        children = self._children

        def child() -> BuiltOnce:
            found = children.get(name)
            if found is None:
                found = children.setdefault(name, BuiltOnce(attribute()))
            return found

        return child


@dataclass(slots=True)
class GmailClient:
    """One mailbox's transport and service, shared by all threads."""

    transport: GmailTransport
    service: Any
    credentials: Any
    saved_refreshes: int = 0


class GmailCalls:
    """Run calls against one mailbox's Gmail client, with retries and token write-back."""

    def __init__(self, *, accounts: ConnectedAccounts, root_url: str | None,
                 session: requests.Session, retrier: Retrier) -> None:
        self._accounts = accounts
        self._root_url = root_url
        self._session = session
        self.retrier = retrier
        self._clients: dict[str, GmailClient] = {}
        self._lock = threading.Lock()

    def forget(self, mailbox: str) -> None:
        """Drop the cached client of ``mailbox`` (after connect, disconnect, auth failure)."""
        with self._lock:
            client = self._clients.pop(mailbox.strip().lower(), None)
        if client is not None:
            client.transport.close()

    def client(self, mailbox: str) -> GmailClient:
        """Return the mailbox's shared client, building it on first use."""
        with self._lock:
            client = self._clients.get(mailbox)
        if client is not None:
            return client
        credentials = self._accounts.credentials_for(mailbox)
        transport = GmailTransport(credentials, session=self._session)
        service = BuiltOnce(build_gmail_service(root_url=self._root_url, http=transport))
        client = GmailClient(transport=transport, service=service, credentials=credentials)
        with self._lock:
            return self._clients.setdefault(mailbox, client)

    def guarded(self, mailbox: str, call: Callable[[GmailClient], T], *, what: str,
                retry_timeouts: bool = True, retry: bool = True) -> T:
        """Run ``call`` with the mailbox's client; save refreshed tokens; flag dead grants."""
        client = self.client(mailbox)
        try:
            if not retry:
                return call(client)
            return self.retrier.call(lambda: call(client), what=what,
                                     retry_timeouts=retry_timeouts)
        except GmailAuthError:
            self.auth_failed(mailbox)
            raise
        finally:
            self._save_refresh(mailbox, client)

    def auth_failed(self, mailbox: str) -> None:
        """Mark the mailbox as needing a reconnect and drop its client."""
        self._accounts.mark_needs_reconnect(mailbox)
        self.forget(mailbox)

    def execute(self, mailbox: str, build: Callable[[Any], Any], *, what: str,
                retry_timeouts: bool = True) -> Any:
        """Build a request from the service with ``build`` and execute it with retries."""
        def run(client: GmailClient) -> Any:
            return build(client.service).execute(num_retries=0)

        return self.guarded(mailbox, run, what=what, retry_timeouts=retry_timeouts)

    def batch(self, mailbox: str, builders: Mapping[str, Callable[[Any], Any]], *,
              what: str) -> dict[str, Any]:
        """Run requests in batches of at most 50, retrying failed parts; map key → result.

        A part that finally fails maps to its ``GmailError`` instead of a result.
        """
        results: dict[str, Any] = {}
        pending = dict(builders)
        retrier = self.retrier
        for attempt in range(retrier.policy.max_attempts):
            failed: dict[str, Callable[[Any], Any]] = {}
            waits: list[float] = []
            keys = list(pending)
            for start in range(0, len(keys), BATCH_LIMIT):
                chunk = keys[start:start + BATCH_LIMIT]
                answers = self.guarded(mailbox, _batch_runner(chunk, pending), what=what)
                for key in chunk:
                    answer = answers.get(key)
                    failure = http_failure(answer) if isinstance(answer, BaseException) else None
                    if isinstance(answer, BaseException) and failure is None:
                        raise answer
                    if failure is None:
                        results[key] = answer
                    elif failure.retryable and attempt < retrier.policy.max_attempts - 1 \
                            and not retrier.too_long(failure.retry_after):
                        failed[key] = pending[key]
                        waits.append(retrier.delay(attempt, failure.retry_after))
                    else:
                        error = translate(failure, what)
                        if isinstance(error, GmailAuthError):
                            self.auth_failed(mailbox)
                            raise error
                        results[key] = error
            if not failed:
                break
            retrier.sleep(max(waits))
            pending = failed
        return results

    def _save_refresh(self, mailbox: str, client: GmailClient) -> None:
        refreshes = client.transport.refresh_count
        if refreshes != client.saved_refreshes:
            client.saved_refreshes = refreshes
            self._accounts.store_credentials(mailbox, client.credentials)


def _batch_runner(chunk: Sequence[str], todo: Mapping[str, Callable[[Any], Any]]
                  ) -> Callable[[GmailClient], dict[str, Any]]:
    """Return a call that sends ``chunk`` of ``todo`` as one batch and maps key → answer."""
    def run(client: GmailClient) -> dict[str, Any]:
        answers: dict[str, Any] = {}

        def callback(request_id: str, response: Any, exception: Any) -> None:
            answers[request_id] = exception if exception is not None else response

        batch = client.service.new_batch_http_request(callback=callback)
        for key in chunk:
            batch.add(todo[key](client.service), request_id=key)
        batch.execute()
        return answers

    return run
