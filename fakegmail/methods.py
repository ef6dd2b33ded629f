"""The gate every emulated Gmail method passes: faults, authentication, query parameters,
userId, scopes, quota, request counting — in the order Google applies them. An
``after_commit`` fault fires after the view has taken effect (a resumable upload carries it
to its last chunk)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app, g

from fakegmail.bearer import request_token
from fakegmail.binding import bind_query
from fakegmail.discovery import gmail_methods
from fakegmail.errors import GmailError
from fakegmail.faults import FaultRule, fire
from fakegmail.state import Account, EmulatorState
from fakegmail.tokens import TokenGrant

F = TypeVar("F", bound=Callable[..., Any])


def emulator_state() -> EmulatorState:
    """Return the state of the emulator serving the current request."""
    state: EmulatorState = current_app.extensions["fakegmail"]
    return state


#: What Google's 401 answers add: where to look, and which header was at fault.
_SEE_CONSOLE = "See https://developers.google.com/identity/sign-in/web/devconsole-project."
_IN_AUTHORIZATION_HEADER = {"location": "Authorization", "locationType": "header"}


def authenticate(state: EmulatorState) -> TokenGrant:
    """Return the grant behind the request's access token, or raise Gmail's 401."""
    token = request_token()
    if token is None:
        raise GmailError(
            401,
            "Request is missing required authentication credential. Expected OAuth 2 access "
            f"token, login cookie or other valid authentication credential. {_SEE_CONSOLE}",
            reason="required",
            headers={"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'},
            detail={"message": "Login Required.", **_IN_AUTHORIZATION_HEADER},
        )
    grant = state.tokens.lookup(token)
    if grant is None:
        raise GmailError(
            401,
            "Request had invalid authentication credentials. Expected OAuth 2 access token, "
            f"login cookie or other valid authentication credential. {_SEE_CONSOLE}",
            reason="authError",
            headers={"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/", '
                                         'error="invalid_token"'},
            detail={"message": "Invalid Credentials", **_IN_AUTHORIZATION_HEADER},
        )
    return grant


def gmail_method(method_id: str) -> Callable[[F], F]:
    """Mark a view as the Gmail method ``method_id`` (a discovery id).

    The view receives ``account`` (the mailbox owner) as its first argument instead of
    ``userId``; ``flask.g.grant`` holds the token's grant (for scope-dependent answers such
    as the metadata scope's restrictions) and ``g.method_id`` the method.
    """
    info = gmail_methods()[method_id]

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(userId: str, **kwargs: Any) -> Any:  # noqa: N803 - Gmail's name
            state = emulator_state()
            g.method_id = method_id
            state.stats.begin()
            try:
                return serve(state, userId, kwargs)
            finally:
                state.stats.end()

        def serve(state: EmulatorState, userId: str, kwargs: dict[str, Any]) -> Any:  # noqa: N803
            g.after_commit = state.faults.apply(method_id)
            grant = authenticate(state)
            bind_query(method_id)
            if userId != "me" and userId.lower() != grant.email:
                # Gmail names the caller's own address (the token's), never the mailbox
                # asked for, so nothing about another account is disclosed.
                raise GmailError(403, f"Delegation denied for {grant.email}",
                                 reason="forbidden")
            if not grant.covers(info.scopes):
                raise GmailError(403, "Request had insufficient authentication scopes.",
                                 reason="insufficientPermissions")
            account: Account | None = state.account(grant.email)
            if account is None:
                raise GmailError(400, "Mail service not enabled", reason="failedPrecondition")
            state.quota.charge(grant.email, method_id)
            g.grant = grant
            answer = view(account, **kwargs)
            lost: FaultRule | None = g.pop("after_commit", None)
            if lost is not None:  # the call took effect; its answer is lost
                fire(lost, method_id)
            return answer

        wrapper.gmail_method_id = method_id  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate
