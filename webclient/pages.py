"""Pages outside any mailbox: the front door and the language switch."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, request, url_for

from webclient.auth.views import safe_next
from webclient.i18n import LANGUAGE_COOKIE, LANGUAGES
from webclient.signed_in import accounts, user_id

blueprint = Blueprint("pages", __name__)


@blueprint.get("/")
def index() -> Any:
    """Open the first connected mailbox, or the sign-in page."""
    if user_id() is not None and accounts():
        return redirect(url_for("mail.home", account=0))
    return redirect(url_for("auth.signin"))


@blueprint.post("/language")
def language() -> Any:
    """Remember the chosen language for a year and go back to the page."""
    chosen = request.form.get("lang", "")
    response = redirect(safe_next(request.form.get("next")) or url_for("pages.index"))
    if chosen in LANGUAGES:
        response.set_cookie(LANGUAGE_COOKIE, chosen, max_age=365 * 24 * 3600,
                            secure=request.is_secure, httponly=True, samesite="Lax")
    return response


@blueprint.get("/healthz")
def health() -> Any:
    """Answer that the process is up (no Gmail, no database)."""
    return {"status": "ok"}
