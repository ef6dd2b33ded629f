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


def backend_method(method_id: str) -> str:
    """Return the name Google's errors give ``method_id``'s backend method.

    ``gmail.users.messages.list`` is ``caribou.api.proto.MailboxService.ListMessages``:
    the verb, then the resource, plural for list and the batch methods.
    """
    *resources, verb = method_id.split(".")[2:]
    if not resources:  # users.getProfile, users.watch
        return f"{_BACKEND}.{verb[0].upper()}{verb[1:]}"
    noun = resources[-1][0].upper() + resources[-1][1:]
    plural = verb == "list" or verb.startswith("batch")
    if not plural and noun.endswith("s") and noun not in _SINGULAR_AS_IS:
        noun = noun[:-1]
    return f"{_BACKEND}.{verb[0].upper()}{verb[1:]}{noun}"


_BACKEND = "caribou.api.proto.MailboxService"
_SINGULAR_AS_IS = frozenset({"SendAs", "History"})


def error_info(reason: str, method_id: str) -> list[dict[str, Any]]:
    """Return the ``details`` list of a front-end refusal: one ``google.rpc.ErrorInfo``."""
    return [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": reason,
             "domain": "googleapis.com",
             "metadata": {"method": backend_method(method_id),
                          "service": "gmail.googleapis.com"}}]


def insufficient_scope(method_id: str, scopes: frozenset[str]) -> GmailError:
    """Return Gmail's 403 for a token without any of ``scopes``, the method's scopes."""
    return GmailError(
        403, "Request had insufficient authentication scopes.",
        reason="insufficientPermissions",
        detail={"message": "Insufficient Permission"},
        headers={"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/", '
                                     'error="insufficient_scope", '
                                     f'scope="{" ".join(sorted(scopes))}"'},
        details=error_info("ACCESS_TOKEN_SCOPE_INSUFFICIENT", method_id),
    )


DOMAIN_WIDE_ONLY = ("Access restricted to service accounts that have been delegated "
                    "domain-wide authority")


def require_domain_wide_authority() -> None:
    """Raise Gmail's 403 unless the request's token is a service account's with
    domain-wide authority.

    Gmail's reference keeps some settings methods to such clients ("This method is only
    available to service account clients that have been delegated domain-wide
    authority"): creating, verifying and deleting send-as aliases and changing any but the
    primary one, creating and deleting forwarding addresses, and changing auto-forwarding.
    A person's OAuth token, whatever its scopes, is refused after the scope check.
    """
    grant: TokenGrant = g.grant
    if not grant.delegated:
        raise GmailError(403, DOMAIN_WIDE_ONLY, reason="forbidden")


def service_account_refused() -> GmailError:
    """Return Gmail's answer to a service account's own token (no ``sub``, no delegation).

    A service account has no mailbox. Gmail's reference does not document this answer
    (its error guide lists no service-account case), so the emulator answers as Gmail is
    seen to answer it in Google's client-library issue threads (e.g.
    googleworkspace/python-samples#336, google-api-nodejs-client#2322): 400
    ``failedPrecondition`` "Precondition check failed." with status
    ``FAILED_PRECONDITION``, after the scope check.
    """
    return GmailError(400, "Precondition check failed.", reason="failedPrecondition",
                      status="FAILED_PRECONDITION")


def authenticate(state: EmulatorState, method_id: str) -> TokenGrant:
    """Return the grant behind the request's access token, or raise Gmail's 401.

    Only the missing credential names the method (an ErrorInfo detail), as Google's does;
    an invalid one carries no detail.
    """
    token = request_token()
    if token is None:
        raise GmailError(
            401,
            "Request is missing required authentication credential. Expected OAuth 2 access "
            f"token, login cookie or other valid authentication credential. {_SEE_CONSOLE}",
            reason="required",
            headers={"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'},
            detail={"message": "Login Required.", **_IN_AUTHORIZATION_HEADER},
            details=error_info("CREDENTIALS_MISSING", method_id),
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
            grant = authenticate(state, method_id)
            bind_query(method_id)
            if userId != "me" and userId.lower() != grant.email:
                # Gmail names the caller's own address (the token's), never the mailbox
                # asked for, so nothing about another account is disclosed.
                raise GmailError(403, f"Delegation denied for {grant.email}",
                                 reason="forbidden")
            if not grant.covers(info.scopes):
                raise insufficient_scope(method_id, info.scopes)
            if grant.service_account:
                raise service_account_refused()
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
