"""Who is signed in, and which of their connected Gmail accounts a page is about."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import abort, g, redirect, request, session, url_for

from webclient.guard_link import current_guard

USER_KEY = "user_id"
F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True, slots=True)
class ConnectedAccount:
    """One connected Gmail account as pages show it: its position and its address."""

    index: int
    email: str
    needs_reconnect: bool = False


def user_id() -> str | None:
    """Return the signed-in Qontak user's id, or None."""
    value = session.get(USER_KEY)
    return value if isinstance(value, str) else None


def accounts() -> tuple[ConnectedAccount, ...]:
    """Return the signed-in user's connected accounts in the order they were connected."""
    cached: tuple[ConnectedAccount, ...] | None = g.get("_accounts")
    if cached is not None:
        return cached
    user = user_id()
    found: tuple[ConnectedAccount, ...] = ()
    if user is not None:
        rows = current_guard().accounts.list_for(user)
        found = tuple(ConnectedAccount(index=i, email=_email_of(row),
                                       needs_reconnect=bool(getattr(row, "needs_reconnect",
                                                                    False)))
                      for i, row in enumerate(rows))
    g._accounts = found
    return found


def _email_of(row: Any) -> str:
    return str(row if isinstance(row, str) else row.email)


def account_at(index: int) -> ConnectedAccount:
    """Return the account at ``index`` of the signed-in user; 404 when there is none."""
    for account in accounts():
        if account.index == index:
            return account
    abort(404)


def sign_in_required(view: F) -> F:
    """Send visitors who are not signed in to the sign-in page."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if user_id() is None:
            return redirect(url_for("auth.signin", next=request.full_path
                                    if request.method == "GET" else None))
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]
