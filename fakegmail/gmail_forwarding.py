"""users.settings.forwardingAddresses: list, get, create, delete.

``create`` answers ``verificationStatus: accepted`` at once and sends no verification mail
(see :mod:`fakegmail.mail_settings`). As in Gmail, only a service account with domain-wide
authority may create or delete one; a person's token gets Gmail's 403.
"""

from __future__ import annotations

from typing import Any

from flask import Response

from fakegmail.gmail_settings import SETTINGS
from fakegmail.http_io import Routes, answer, json_body, no_content
from fakegmail.methods import gmail_method, require_domain_wide_authority
from fakegmail.state import Account

routes = Routes()
FORWARDING = f"{SETTINGS}/forwardingAddresses"


@routes.route(FORWARDING, methods=["GET"])
@gmail_method("gmail.users.settings.forwardingAddresses.list")
def list_forwarding_addresses(account: Account) -> Response:
    """List the forwarding addresses (the list is left out when there are none)."""
    found = account.settings.forwarding_addresses()
    out: dict[str, Any] = {"forwardingAddresses": found} if found else {}
    return answer(out)


@routes.route(f"{FORWARDING}/<forwardingEmail>", methods=["GET"])
@gmail_method("gmail.users.settings.forwardingAddresses.get")
def get_forwarding_address(account: Account, forwardingEmail: str) -> Response:  # noqa: N803
    """Return one forwarding address; 404 when the account has none such."""
    return answer(account.settings.forwarding_address(forwardingEmail))


@routes.route(FORWARDING, methods=["POST"])
@gmail_method("gmail.users.settings.forwardingAddresses.create")
def create_forwarding_address(account: Account) -> Response:
    """Add a forwarding address, verified at once; 409 when it exists."""
    require_domain_wide_authority()
    return answer(account.settings.add_forwarding_address(json_body(), owner=account.email))


@routes.route(f"{FORWARDING}/<forwardingEmail>", methods=["DELETE"])
@gmail_method("gmail.users.settings.forwardingAddresses.delete")
def delete_forwarding_address(account: Account, forwardingEmail: str) -> Response:  # noqa: N803
    """Remove a forwarding address (auto-forwarding to it stops); 404 when unknown."""
    require_domain_wide_authority()
    account.settings.delete_forwarding_address(forwardingEmail)
    return no_content()
