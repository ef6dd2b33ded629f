"""Who is signed in, and which of their connected Gmail accounts a page is about."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import abort, g, redirect, request, session, url_for

from guard.policy import Actor, ActorKind
from guard.recording import record
from webclient.auth.session_records import SessionKind, store
from webclient.guard_link import current_guard

USER_KEY = "user_id"
#: The session key holding the id of the server-side session record.
SESSION_ID_KEY = "sid"
#: The rule an audit entry names when a page asks for an account index the user lacks.
RULE_NO_SUCH_ACCOUNT = "account.not_connected"
F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True, slots=True)
class ConnectedAccount:
    """One connected Gmail account as pages show it: its position and its address."""

    index: int
    email: str
    needs_reconnect: bool = False
    #: The user actor the guard gave for this account when listing it (None: ask again).
    actor: Actor | None = None


def user_id() -> str | None:
    """Return the signed-in Qontak user's id, or None.

    The signed cookie alone is not enough: its session record must exist and not be
    revoked, so a copy of the cookie taken before sign-out opens nothing.
    """
    if "_user_id" in g:
        cached: str | None = g._user_id
        return cached
    value = session.get(USER_KEY)
    sid = session.get(SESSION_ID_KEY)
    found: str | None = None
    if isinstance(value, str) and isinstance(sid, str) \
            and store().check(SessionKind.MAIL, value, sid) is not None:
        found = value
    g._user_id = found
    return found


def start_session(user: str) -> None:
    """Sign ``user`` in: record a new server-side session and put its id in the cookie.

    Every sign-in gets a new id, also one that connects one more account to a signed-in
    user (the caller ends the old session first), so a cookie planted or copied before
    it opens nothing afterwards.
    """
    session[USER_KEY] = user
    session[SESSION_ID_KEY] = store().issue(SessionKind.MAIL, user)
    g.pop("_user_id", None)
    g.pop("_accounts", None)


def end_session() -> None:
    """Revoke this browser's session record, so no copy of its cookie stays valid."""
    sid = session.get(SESSION_ID_KEY)
    if isinstance(sid, str):
        store().revoke(sid)
    g.pop("_user_id", None)
    g.pop("_accounts", None)


def accounts() -> tuple[ConnectedAccount, ...]:
    """Return the signed-in user's connected accounts in the order they were connected."""
    cached: tuple[ConnectedAccount, ...] | None = g.get("_accounts")
    if cached is not None:
        return cached
    user = user_id()
    found: tuple[ConnectedAccount, ...] = ()
    if user is not None:
        connected = current_guard().accounts
        found = tuple(ConnectedAccount(index=i, email=row.email,
                                       needs_reconnect=row.needs_reconnect,
                                       actor=connected.actor_of(row))
                      for i, row in enumerate(connected.list_for(user)))
    g._accounts = found
    return found


def account_at(index: int) -> ConnectedAccount:
    """Return the account at ``index`` of the signed-in user; 404 when there is none."""
    for account in accounts():
        if account.index == index:
            return account
    _record_missing_account()
    abort(404)


def _record_missing_account() -> None:
    """Record that the signed-in user asked for an account index they do not have."""
    user = user_id()
    if user is None:
        return
    if g.get("request_id") is None:
        g.request_id = uuid.uuid4().hex
    guard = current_guard()
    record(guard.audit, actor=Actor(kind=ActorKind.USER, id=user), action="account.open",
           purpose="", allowed=False, rule_id=RULE_NO_SUCH_ACCOUNT,
           policy_version=guard.policy.version, request_id=str(g.request_id),
           outcome="not_found", client_ip=request.remote_addr or "")


def sign_in_required(view: F) -> F:
    """Send visitors who are not signed in to the sign-in page."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if user_id() is None:
            return redirect(url_for("auth.signin", next=request.full_path
                                    if request.method == "GET" else None))
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]
