"""Bind the guard's mail access to the signed-in user's chosen account for one request.

Views name a purpose for every call; the guard decides, records and fetches. Nothing here
decides anything: a refusal arrives as the guard's error and becomes an error page.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

from flask import g, request

from guard.policy import Actor
from webclient.guard_link import current_guard
from webclient.signed_in import ConnectedAccount, account_at, user_id

READ = "email.read"
SEARCH = "email.search"
COMPOSE = "email.compose"
SEND = "email.send"
ORGANIZE = "email.organize"


def request_id() -> str:
    """Return this request's id (shared by every audit entry the request causes)."""
    value = g.get("request_id")
    if value is None:
        value = g.request_id = uuid.uuid4().hex
    return str(value)


@dataclass(frozen=True, slots=True)
class BoundMailbox:
    """One connected account of the signed-in user, ready for the guard's mail calls."""

    account: ConnectedAccount
    actor: Actor

    @property
    def email(self) -> str:
        """Return the mailbox address."""
        return self.account.email

    def call(self, method: str, *, purpose: str, **arguments: Any) -> Any:
        """Call ``guard.mail.<method>`` for this mailbox with ``purpose``."""
        return self.prepare(method, purpose=purpose, **arguments)()

    def prepare(self, method: str, *, purpose: str, **arguments: Any) -> Callable[[], Any]:
        """Return the call ``guard.mail.<method>(...)``, ready to run on any thread.

        The request id and the browser's address are read here, in the request, so the
        audit entries of calls run on other threads still carry them.
        """
        operation = getattr(current_guard().mail, method)
        return functools.partial(operation, actor=self.actor, mailbox=self.account.email,
                                 purpose=purpose, request_id=request_id(),
                                 client_ip=request.remote_addr or None, **arguments)


_pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="mailguard-gmail")


def together(*calls: Callable[[], Any], settle: bool = False) -> list[Any]:
    """Run independent guard calls at the same time; return their results in order.

    The guard's transport is thread-safe, so a page that needs the thread list and the
    label counts waits for the slower of the two instead of both in turn. The first
    error (in argument order) is raised, or with ``settle`` returned in its place.

    Every call has finished before this returns or raises, so no Gmail call of a request
    is still running after its response (or into the next request or test).
    """
    futures = [_pool.submit(call) for call in calls]
    wait(futures)
    if not settle:
        return [future.result() for future in futures]
    return [future.exception() or future.result() for future in futures]


def bound_mailbox(index: int) -> BoundMailbox:
    """Return the signed-in user's account at ``index`` (404 if absent), as its actor."""
    account = account_at(index)
    user = user_id()
    assert user is not None, "sign_in_required runs first"
    actor = account.actor or current_guard().accounts.actor_for(user, account.email,
                                                                request_id=request_id())
    return BoundMailbox(account=account, actor=actor)
