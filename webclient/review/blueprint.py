"""The security review's blueprint: audit pages for the security role, never cached."""

from __future__ import annotations

from flask import Blueprint
from werkzeug.wrappers import Response

blueprint = Blueprint("review", __name__, url_prefix="/staff/review", static_folder="static",
                      static_url_path="/static")


@blueprint.after_request
def _private(response: Response) -> Response:
    """Keep review pages out of every cache; they show who looked at whose mail."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response
