from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("oauth", __name__)
