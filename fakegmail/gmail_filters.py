"""users.settings.filters: list, get, create, delete.

Filters are stored and answered as Gmail answers them, and run on mail as it arrives
(:mod:`fakegmail.delivery`).
"""

from __future__ import annotations

from typing import Any

from flask import Response

from fakegmail.gmail_settings import SETTINGS
from fakegmail.http_io import Routes, answer, json_body, no_content
from fakegmail.methods import gmail_method
from fakegmail.state import Account

routes = Routes()


@routes.route(f"{SETTINGS}/filters", methods=["GET"])
@gmail_method("gmail.users.settings.filters.list")
def list_filters(account: Account) -> Response:
    """List the filters; ``filter`` is left out when there are none, as Gmail leaves it."""
    with account.settings.lock:
        found = account.settings.filters.all()
    out: dict[str, Any] = {"filter": found} if found else {}
    return answer(out)


@routes.route(f"{SETTINGS}/filters/<id>", methods=["GET"])
@gmail_method("gmail.users.settings.filters.get")
def get_filter(account: Account, id: str) -> Response:  # noqa: A002 - Gmail's name
    """Return one filter; 404 for an unknown id."""
    with account.settings.lock:
        return answer(account.settings.filters.get(id))


@routes.route(f"{SETTINGS}/filters", methods=["POST"])
@gmail_method("gmail.users.settings.filters.create")
def create_filter(account: Account) -> Response:
    """Create a filter; 400 for a filter without criteria or action, or a duplicate."""
    body = json_body()
    label_ids = {label["id"] for label in account.mailbox.list_labels()}
    settings = account.settings
    with settings.lock:
        created = settings.filters.create(body, owner=account.email, label_ids=label_ids,
                                          forwarding=settings.verified_forwarding())
    return answer(created)


@routes.route(f"{SETTINGS}/filters/<id>", methods=["DELETE"])
@gmail_method("gmail.users.settings.filters.delete")
def delete_filter(account: Account, id: str) -> Response:  # noqa: A002
    """Delete a filter; 404 for an unknown id."""
    with account.settings.lock:
        account.settings.filters.delete(id)
    return no_content()
