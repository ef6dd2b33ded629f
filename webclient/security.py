"""Session cookies, CSRF protection and the security headers every response carries."""

from __future__ import annotations

from flask import Flask, g, request
from flask_wtf.csrf import CSRFProtect
from werkzeug.wrappers import Response

from webclient.sanitize import FRAME_CSP, FRAME_CSP_REMOTE_IMAGES, FRAME_SANDBOX
from webclient.session_cookie import UncompressedSessionInterface

csrf = CSRFProtect()

#: The application pages' policy: nothing inline, nothing from elsewhere; the only frame
#: is the message frame, served by this origin.
PAGE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "font-src 'self'; connect-src 'self'; frame-src 'self'; object-src 'none'; "
            "base-uri 'none'; form-action 'self' {oauth}; frame-ancestors 'none'")

#: Views whose responses say ``Cache-Control: no-store`` (mail data, account data).
# Only static assets may be cached; every page can show Gmail data or account state, so
# no-store is the default and a new blueprint gets it without anyone remembering to.
CACHEABLE_ENDPOINTS = frozenset({"static"})


def message_frame_csp(*, allow_remote_images: bool) -> str:
    """Return the policy of the sandboxed message frame: no script, no forms, no plugins.

    Images come from this origin (``cid:`` parts through the inline-image route); remote
    ``https:`` images only after the reader asked for them. Only our pages may frame it,
    and the policy sandboxes the document even if it is opened on its own.
    """
    base = FRAME_CSP_REMOTE_IMAGES if allow_remote_images else FRAME_CSP
    return f"{base}; frame-ancestors 'self'; sandbox {FRAME_SANDBOX}"


def init_app(app: Flask) -> None:
    """Configure cookies, CSRF and the headers that every response carries."""
    secure = bool(app.config["SESSION_COOKIE_SECURE"])
    # __Host-: the browser keeps such a cookie only when it came over HTTPS from this very
    # host, with no Domain and Path=/. Without it a sibling subdomain (or a forged plain
    # HTTP answer) could plant a session of the attacker's, and a victim connecting their
    # Gmail account in it would connect it to the attacker's user. The prefix needs
    # Secure, so plain-HTTP development keeps the bare name.
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                      SESSION_COOKIE_NAME=("__Host-" if secure else "") + "mailguard_session",
                      SESSION_COOKIE_DOMAIN=None, SESSION_COOKIE_PATH="/",
                      WTF_CSRF_TIME_LIMIT=None, WTF_CSRF_SSL_STRICT=True)
    # signed as Flask signs it, never compressed: see webclient.session_cookie
    app.session_interface = UncompressedSessionInterface()
    csrf.init_app(app)
    oauth = app.config.get("OAUTH_CLIENT")
    oauth_origin = _origin(oauth.auth_uri) if oauth is not None else ""
    page_csp = PAGE_CSP.format(oauth=oauth_origin).replace(" ;", ";")

    @app.after_request
    def _headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", page_csp)
        headers["X-Content-Type-Options"] = "nosniff"
        # same-origin, not no-referrer: on HTTPS the CSRF check (WTF_CSRF_SSL_STRICT)
        # refuses a form post that carries no Referer of this site, and with no-referrer
        # the browser sent none, so every form (sign-out included) failed as expired.
        # Other sites still get no referrer, so mail URLs never leave.
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        if g.get("request_id"):
            # The id every audit entry of this request carries, so support and reviewers
            # can find a user's request in the log; random, it reveals nothing.
            headers["X-Request-Id"] = str(g.request_id)
        if request.endpoint not in CACHEABLE_ENDPOINTS:
            headers["Cache-Control"] = "no-store"
            headers["Pragma"] = "no-cache"
        if app.config["SESSION_COOKIE_SECURE"]:
            headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        return response


def _origin(url: str) -> str:
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}" if rest else ""
