"""The staff console's blueprint: every response is private and never cached."""

from __future__ import annotations

from flask import Blueprint
from werkzeug.wrappers import Response

blueprint = Blueprint("staff", __name__, url_prefix="/staff", static_folder="static",
                      static_url_path="/static")


def keep_private(response: Response) -> Response:
    """Keep a page out of every cache: staff pages show users' messages and who saw them.

    The security review's blueprint installs it too.
    """
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response


blueprint.after_request(keep_private)
