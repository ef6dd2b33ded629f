"""The security review's blueprint: audit pages for the security role, never cached."""

from __future__ import annotations

from flask import Blueprint

from webclient.staff.blueprint import keep_private

blueprint = Blueprint("review", __name__, url_prefix="/staff/review", static_folder="static",
                      static_url_path="/static")
blueprint.after_request(keep_private)
