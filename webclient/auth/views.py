"""Sign in with Google, connect more Gmail accounts, disconnect, sign out."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _

from guard.errors import GuardError
from webclient.auth import google_oauth
from webclient.auth.session_records import SessionKind, store
from webclient.guard_link import current_guard
from webclient.i18n import mail_date
from webclient.signed_in import (
    SESSION_ID_KEY,
    account_at,
    accounts,
    end_session,
    sign_in_required,
    start_session,
    user_id,
)

blueprint = Blueprint("auth", __name__, url_prefix="/auth")

PENDING_KEY = "oauth_pending"
NEXT_KEY = "after_signin"


def _redirect_uri() -> str:
    return url_for("auth.callback", _external=True)


def safe_next(target: str | None) -> str | None:
    """Return ``target`` when it is a path on this site, else None (no open redirects).

    Control characters are refused too: browsers drop tabs and line breaks from URLs, so
    ``/<TAB>/evil.example`` would be followed as ``//evil.example``, another site.
    """
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if any(ch < " " or ch == "\x7f" for ch in target):
        return None
    return target


@blueprint.get("/signin")
def signin() -> Any:
    """Show the sign-in page (or go to the mail of a signed-in user)."""
    if user_id() is not None and accounts():
        return redirect(url_for("mail.home", account=0))
    next_path = safe_next(request.args.get("next"))
    if next_path:
        session[NEXT_KEY] = next_path
    return render_template("auth/signin.html")


@blueprint.get("/start")
def start() -> Any:
    """Send the browser to Google to sign in or to connect one more Gmail account."""
    hint = session.pop("reconnect_hint", None)
    url, pending = google_oauth.start(current_app.config["OAUTH_CLIENT"], _redirect_uri(),
                                      login_hint=hint if isinstance(hint, str) else None)
    session[PENDING_KEY] = pending.to_session()
    return redirect(url)


@blueprint.get("/callback")
def callback() -> Any:
    """Finish Google's flow: check state and scopes, connect the account, open the inbox."""
    pending = google_oauth.PendingSignIn.from_session(session.pop(PENDING_KEY, None))
    if request.args.get("error"):
        return _problem(_("You cancelled the sign-in at Google, so no account was connected."))
    if pending is None:
        return _problem(_("This sign-in has expired or was started in another browser. "
                          "Start again."))
    try:
        signed = google_oauth.finish(
            current_app.config["OAUTH_CLIENT"], _redirect_uri(), pending,
            state=request.args.get("state", ""), code=request.args.get("code", ""))
    except google_oauth.SignInError as error:
        return _problem(_("Google's answer could not be accepted: %(reason)s",
                          reason=error.reason))
    missing = google_oauth.missing_scopes(signed.granted_scopes)
    if missing:
        return render_template("auth/missing_scopes.html", missing=[
            _scope_reason(scope) for scope in missing]), 403
    user = user_id() or signed.email
    try:
        current_guard().accounts.connect(user, email=signed.email,
                                         credentials=signed.credentials,
                                         granted_scopes=signed.granted_scopes)
    except GuardError:
        current_app.logger.exception("connecting a Gmail account failed")
        return _problem(_("The account could not be connected. Try again in a minute."), 503)
    next_path = safe_next(session.pop(NEXT_KEY, None))
    language = session.get("lang")
    # A new session id at every sign-in, connecting one more account included: the old
    # id is revoked, so a copy of the cookie taken before opens neither mailbox.
    end_session()
    session.clear()
    start_session(user)
    if language:
        session["lang"] = language
    session.permanent = True
    index = next((a.index for a in accounts() if a.email == signed.email), 0)
    flash(_("Gmail account connected."), "success")
    return redirect(next_path or url_for("mail.home", account=index))


def _scope_reason(scope: str) -> str:
    if scope == google_oauth.GMAIL_MODIFY:
        return _("Read, search, organise, draft and send your mail (Gmail: "
                 "\"Read, compose, and send emails from your Gmail account\")")
    return _("Know which Google account you signed in with (your email address)")


def _problem(message: str, status: int = 400) -> Any:
    return render_template("auth/problem.html", message=message), status


@blueprint.get("/accounts")
@sign_in_required
def manage() -> Any:
    """List the connected Gmail accounts, and the browsers signed in (OWASP ASVS V3.3.4)."""
    user = user_id()
    assert user is not None
    here = session.get(SESSION_ID_KEY)
    browsers = [(live, isinstance(here, str) and live.is_session(here))
                for live in store().live_sessions(SessionKind.MAIL, user)]
    return render_template("auth/accounts.html", connected=accounts(), browsers=browsers,
                           when=lambda moment: mail_date(moment, full=True))


@blueprint.post("/signout-everywhere")
@sign_in_required
def signout_everywhere() -> Any:
    """End every session of this user, on every browser (connected accounts stay)."""
    user = user_id()
    assert user is not None
    store().revoke_all(SessionKind.MAIL, user)
    end_session()
    session.clear()
    flash(_("You are signed out on every browser."), "success")
    return redirect(url_for("auth.signin"))


@blueprint.post("/accounts/<int:account>/disconnect")
@sign_in_required
def disconnect(account: int) -> Any:
    """Revoke MailGuard's access to one Gmail account and forget its tokens."""
    target = account_at(account)
    user = user_id()
    assert user is not None
    try:
        current_guard().accounts.disconnect(user, target.email)
    except GuardError:
        current_app.logger.exception("disconnecting a Gmail account failed")
        flash(_("The account could not be disconnected. Try again in a minute."), "error")
        return redirect(url_for("auth.manage"))
    flash(_("Gmail account disconnected; MailGuard can no longer read it."), "success")
    return redirect(url_for("auth.manage"))


@blueprint.get("/accounts/<int:account>/reconnect")
@sign_in_required
def reconnect(account: int) -> Any:
    """Start Google's flow again for an account whose access Google withdrew."""
    session["reconnect_hint"] = account_at(account).email
    return redirect(url_for("auth.start"))


@blueprint.post("/signout")
def signout() -> Any:
    """End the session everywhere its cookie went (connected accounts stay connected)."""
    end_session()
    session.clear()
    flash(_("You are signed out."), "success")
    return redirect(url_for("auth.signin"))
