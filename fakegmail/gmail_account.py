"""users.getProfile and users.history.list."""

from __future__ import annotations

from typing import Any

from flask import Response, request

from fakegmail.errors import invalid_argument
from fakegmail.gmail_messages import USERS
from fakegmail.history import HistoryType
from fakegmail.http_io import Routes, answer
from fakegmail.methods import gmail_method
from fakegmail.paging import page_size, paginate
from fakegmail.resources import history_json
from fakegmail.state import Account

routes = Routes()


@routes.route(f"{USERS}/profile", methods=["GET"])
@gmail_method("gmail.users.getProfile")
def get_profile(account: Account) -> Response:
    """Return the address, message and thread totals and the current historyId."""
    return answer(account.mailbox.profile())


@routes.route(f"{USERS}/history", methods=["GET"])
@gmail_method("gmail.users.history.list")
def list_history(account: Account) -> Response:
    """List changes after startHistoryId; 404 when it is too old to answer."""
    args = request.args
    start = args.get("startHistoryId")
    if not start:  # Gmail's words; use the historyId of a previous answer or of getProfile
        raise invalid_argument("Missing/invalid parameter: startHistoryId")
    start_id = int(start)  # bound as a uint64 before the view runs
    types = []
    for value in args.getlist("historyTypes"):
        try:
            types.append(HistoryType(value))
        except ValueError:
            allowed = ", ".join(t.value for t in HistoryType)
            raise invalid_argument(f"Invalid historyTypes: use {allowed}") from None
    found = account.mailbox.history(start_id, types=types, label_id=args.get("labelId"))
    page = paginate(found.records, kind="history", token=args.get("pageToken"),
                    size=page_size(args.get("maxResults")), key=lambda r: str(r.id))
    out: dict[str, Any] = {}
    if page.items:
        out["history"] = history_json(page.items)
    if page.next_page_token:
        out["nextPageToken"] = page.next_page_token
    out["historyId"] = str(found.history_id)
    return answer(out)
