"""The mail blueprint; every route lives under ``/u/<account>/`` (the account's position)."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("mail", __name__, url_prefix="/u/<int:account>")
