"""The staff console's blueprint: every response is private and never cached."""

from __future__ import annotations

from flask import Blueprint
from werkzeug.wrappers import Response

blueprint = Blueprint("staff", __name__, url_prefix="/staff", static_folder="static",
                      static_url_path="/static")


@blueprint.after_request
def _private(response: Response) -> Response:
    """Keep staff pages out of every cache; they may show a user's messages."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response
