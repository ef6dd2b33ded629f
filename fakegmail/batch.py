from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("batch", __name__)
