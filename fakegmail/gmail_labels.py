"""users.labels.*: list, get, create, update, patch, delete."""

from __future__ import annotations

from flask import Response

from fakegmail.errors import invalid_argument
from fakegmail.gmail_messages import USERS
from fakegmail.http_io import Routes, answer, json_body, no_content
from fakegmail.methods import gmail_method
from fakegmail.state import Account

routes = Routes()


@routes.route(f"{USERS}/labels", methods=["GET"])
@gmail_method("gmail.users.labels.list")
def list_labels(account: Account) -> Response:
    """List every system and user label."""
    return answer({"labels": account.mailbox.list_labels()})


@routes.route(f"{USERS}/labels/<id>", methods=["GET"])
@gmail_method("gmail.users.labels.get")
def get_label(account: Account, id: str) -> Response:  # noqa: A002 - Gmail's name
    """Return one label with its message and thread counts."""
    return answer(account.mailbox.get_label(id))


@routes.route(f"{USERS}/labels", methods=["POST"])
@gmail_method("gmail.users.labels.create")
def create_label(account: Account) -> Response:
    """Create a user label; 409 when the name exists."""
    body = json_body()
    name = body.pop("name", None)
    if not isinstance(name, str):
        raise invalid_argument("Invalid label name")
    return answer(account.mailbox.create_label(name, **body))


@routes.route(f"{USERS}/labels/<id>", methods=["PUT"])
@gmail_method("gmail.users.labels.update")
def update_label(account: Account, id: str) -> Response:  # noqa: A002
    """Replace a user label's name, visibility and colour."""
    return answer(account.mailbox.update_label(id, json_body(), replace_all=True))


@routes.route(f"{USERS}/labels/<id>", methods=["PATCH"])
@gmail_method("gmail.users.labels.patch")
def patch_label(account: Account, id: str) -> Response:  # noqa: A002
    """Change only the given fields of a user label."""
    return answer(account.mailbox.update_label(id, json_body(), replace_all=False))


@routes.route(f"{USERS}/labels/<id>", methods=["DELETE"])
@gmail_method("gmail.users.labels.delete")
def delete_label(account: Account, id: str) -> Response:  # noqa: A002
    """Delete a user label and remove it from every message."""
    account.mailbox.delete_label(id)
    return no_content()
