"""users.settings.sendAs: list, get, create, update, patch, delete, verify.

The primary address (the account's own) is listed first and can be renamed or given a
signature, but never deleted (400), as in Gmail. Custom From aliases follow
:mod:`fakegmail.send_as`: verified at once in the account's own domain, pending elsewhere
until ``verify``; only verified aliases count as the account's own when it sends. As in
Gmail, only a service account with domain-wide authority may create, verify or delete an
alias or change one other than the primary address; a person's token gets Gmail's 403
(:func:`fakegmail.methods.require_domain_wide_authority`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Response

from fakegmail.gmail_settings import SETTINGS
from fakegmail.http_io import Routes, answer, json_body, no_content
from fakegmail.methods import emulator_state, gmail_method, require_domain_wide_authority
from fakegmail.send_as import (
    create_send_as,
    delete_send_as,
    list_send_as,
    send_as_json,
    update_send_as,
    verify_send_as,
)
from fakegmail.state import Account

routes = Routes()
SEND_AS = f"{SETTINGS}/sendAs"


@contextmanager
def _locked(account: Account) -> Iterator[None]:
    """Hold the state's lock (the control API sets aliases under it), then the settings'."""
    with emulator_state().lock, account.settings.lock:
        yield


def _require_authority_over(account: Account, address: str) -> None:
    """Let a person change their primary address (name, signature); any other needs a
    service account with domain-wide authority, as Gmail's reference says of update."""
    if address.strip().lower() != account.email:
        require_domain_wide_authority()


@routes.route(SEND_AS, methods=["GET"])
@gmail_method("gmail.users.settings.sendAs.list")
def list_aliases(account: Account) -> Response:
    """List the send-as addresses: the account's own, then its aliases."""
    with _locked(account):
        return answer({"sendAs": list_send_as(account)})


@routes.route(f"{SEND_AS}/<sendAsEmail>", methods=["GET"])
@gmail_method("gmail.users.settings.sendAs.get")
def get_alias(account: Account, sendAsEmail: str) -> Response:  # noqa: N803 - Gmail's name
    """Return one send-as address; 404 for an address the account cannot send as."""
    with _locked(account):
        return answer(send_as_json(account, sendAsEmail.strip().lower()))


@routes.route(SEND_AS, methods=["POST"])
@gmail_method("gmail.users.settings.sendAs.create")
def create_alias(account: Account) -> Response:
    """Add a custom From alias; 409 when the account can already send as it."""
    require_domain_wide_authority()
    body = json_body()
    with _locked(account):
        return answer(create_send_as(account, body))


@routes.route(f"{SEND_AS}/<sendAsEmail>", methods=["PUT"])
@gmail_method("gmail.users.settings.sendAs.update")
def update_alias(account: Account, sendAsEmail: str) -> Response:  # noqa: N803
    """Replace a send-as address's name, reply-to, signature, relay and default flag."""
    _require_authority_over(account, sendAsEmail)
    body = json_body()
    with _locked(account):
        return answer(update_send_as(account, sendAsEmail, body, replace=True))


@routes.route(f"{SEND_AS}/<sendAsEmail>", methods=["PATCH"])
@gmail_method("gmail.users.settings.sendAs.patch")
def patch_alias(account: Account, sendAsEmail: str) -> Response:  # noqa: N803
    """Change only the given fields of a send-as address."""
    _require_authority_over(account, sendAsEmail)
    body = json_body()
    with _locked(account):
        return answer(update_send_as(account, sendAsEmail, body, replace=False))


@routes.route(f"{SEND_AS}/<sendAsEmail>", methods=["DELETE"])
@gmail_method("gmail.users.settings.sendAs.delete")
def delete_alias(account: Account, sendAsEmail: str) -> Response:  # noqa: N803
    """Delete a custom From alias; 400 for the primary address, 404 for an unknown one."""
    require_domain_wide_authority()
    with _locked(account):
        delete_send_as(account, sendAsEmail)
    return no_content()


@routes.route(f"{SEND_AS}/<sendAsEmail>/verify", methods=["POST"])
@gmail_method("gmail.users.settings.sendAs.verify")
def verify_alias(account: Account, sendAsEmail: str) -> Response:  # noqa: N803
    """Verify a pending alias (the emulator mails nothing; see fakegmail.send_as)."""
    require_domain_wide_authority()
    with _locked(account):
        verify_send_as(account, sendAsEmail)
    return no_content()
