from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("control", __name__)
