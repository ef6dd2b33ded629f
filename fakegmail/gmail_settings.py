"""users.settings: get and update the vacation responder, display language, IMAP, POP and
auto-forwarding settings.

A new account reports what Gmail reports for one: no auto-reply, English, IMAP on, POP
off, no forwarding. Updates replace the whole resource, as a PUT does; an enum left at
its ``...Unspecified`` value keeps the current choice. The vacation responder and
auto-forwarding act on mail delivered to the account (:mod:`fakegmail.delivery`).
"""

from __future__ import annotations

from flask import Response

from fakegmail.gmail_messages import USERS
from fakegmail.http_io import Routes, answer, json_body
from fakegmail.methods import gmail_method, require_domain_wide_authority
from fakegmail.state import Account

routes = Routes()
SETTINGS = f"{USERS}/settings"


@routes.route(f"{SETTINGS}/vacation", methods=["GET"])
@gmail_method("gmail.users.settings.getVacation")
def get_vacation(account: Account) -> Response:
    """Return the vacation responder settings."""
    return answer(account.settings.vacation())


@routes.route(f"{SETTINGS}/vacation", methods=["PUT"])
@gmail_method("gmail.users.settings.updateVacation")
def update_vacation(account: Account) -> Response:
    """Replace the vacation responder; 400 for times out of order or an empty auto-reply."""
    return answer(account.settings.update_vacation(json_body()))


@routes.route(f"{SETTINGS}/language", methods=["GET"])
@gmail_method("gmail.users.settings.getLanguage")
def get_language(account: Account) -> Response:
    """Return the display language."""
    return answer(account.settings.language())


@routes.route(f"{SETTINGS}/language", methods=["PUT"])
@gmail_method("gmail.users.settings.updateLanguage")
def update_language(account: Account) -> Response:
    """Save the display language Gmail offers closest to the one asked for."""
    return answer(account.settings.update_language(json_body()))


@routes.route(f"{SETTINGS}/imap", methods=["GET"])
@gmail_method("gmail.users.settings.getImap")
def get_imap(account: Account) -> Response:
    """Return the IMAP settings."""
    return answer(account.settings.imap())


@routes.route(f"{SETTINGS}/imap", methods=["PUT"])
@gmail_method("gmail.users.settings.updateImap")
def update_imap(account: Account) -> Response:
    """Replace the IMAP settings; 400 for a folder size Gmail does not offer."""
    return answer(account.settings.update_imap(json_body()))


@routes.route(f"{SETTINGS}/pop", methods=["GET"])
@gmail_method("gmail.users.settings.getPop")
def get_pop(account: Account) -> Response:
    """Return the POP settings."""
    return answer(account.settings.pop())


@routes.route(f"{SETTINGS}/pop", methods=["PUT"])
@gmail_method("gmail.users.settings.updatePop")
def update_pop(account: Account) -> Response:
    """Replace the POP settings."""
    return answer(account.settings.update_pop(json_body()))


@routes.route(f"{SETTINGS}/autoForwarding", methods=["GET"])
@gmail_method("gmail.users.settings.getAutoForwarding")
def get_auto_forwarding(account: Account) -> Response:
    """Return the auto-forwarding setting."""
    return answer(account.settings.auto_forwarding())


@routes.route(f"{SETTINGS}/autoForwarding", methods=["PUT"])
@gmail_method("gmail.users.settings.updateAutoForwarding")
def update_auto_forwarding(account: Account) -> Response:
    """Replace auto-forwarding; 400 when enabled without a verified forwarding address.

    Only a service account with domain-wide authority may, as in Gmail."""
    require_domain_wide_authority()
    return answer(account.settings.update_auto_forwarding(json_body()))
