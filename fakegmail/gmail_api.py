from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("gmail_api", __name__)
