"""The MailGuard web email client: ``create_app(test_config=None)``."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from webclient import config as config_module
from webclient.errors import MailGuardFlask

#: Libraries that log whole token requests and responses (access and refresh tokens) at
#: DEBUG: requests-oauthlib in ``OAuth2Session.fetch_token``, oauthlib in its clients.
TOKEN_LOGGERS = ("requests_oauthlib", "oauthlib", "google_auth_oauthlib")


def quiet_token_loggers() -> None:
    """Raise the loggers that would record OAuth tokens to INFO at the least.

    A DEBUG log level on the root logger must never write tokens into a log file; a level
    set higher than INFO by the operator is kept.
    """
    for name in TOKEN_LOGGERS:
        logger = logging.getLogger(name)
        if logger.level < logging.INFO:
            logger.setLevel(logging.INFO)


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the web client: settings, the guard (opened once), blueprints, headers.

    Settings come from ``MAILGUARD_*`` environment variables unless ``test_config`` is
    given; a test configuration may also hand over an opened guard as ``GUARD``.
    """
    app = MailGuardFlask(__name__, instance_relative_config=True)
    app.config.from_mapping(
        DATABASE_URL=f"sqlite:///{Path(app.instance_path) / 'mailguard.db'}",
        POLICY_PATH=None,
        GMAIL_ROOT_URL=None,
        AUDIT_SIGNING_KEY_PATH=str(Path(app.instance_path) / "audit-signing.key"),
        MAX_CONTENT_LENGTH=36 * 1024 * 1024,
        MAIL_PAGE_SIZE=50,
        # Flask's own default is False, so without this a server started from the
        # environment (mailguard serve) sent its cookies without Secure and no HSTS.
        SESSION_COOKIE_SECURE=True,
        # the server ends a mail session 12 hours after sign-in (auth.session_records);
        # the cookie need not outlive it (MAIL_SESSION_HOURS sets both, below)
        PERMANENT_SESSION_LIFETIME=12 * 3600,
        # The cookie is written when the session changes (sign-in, a flash, undo), each
        # time with the full lifetime. The server's session record ends the session
        # (lifetime from sign-in, idle time), so signing the cookie again on every
        # response, which Flask does by default, extended nothing that counts.
        SESSION_REFRESH_EACH_REQUEST=False,
    )
    if test_config is None:
        app.config.update(config_module.from_environment(os.environ))
    else:
        app.config.update(test_config)
    if app.config.get("MAIL_SESSION_HOURS") and not (
            test_config and "PERMANENT_SESSION_LIFETIME" in test_config):
        app.config["PERMANENT_SESSION_LIFETIME"] = int(
            float(app.config["MAIL_SESSION_HOURS"]) * 3600)
    config_module.check_required(app.config)
    quiet_token_loggers()
    os.makedirs(app.instance_path, exist_ok=True)
    # We check the granted scopes ourselves and explain what is missing, so a narrower
    # grant must not abort the token exchange inside oauthlib.
    os.environ.setdefault("OAUTHLIB_RELAX_TOKEN_SCOPE", "1")
    if app.config.get("OAUTH_INSECURE_TRANSPORT"):
        # Only the demo and the tests, whose Google stand-in is the emulator on loopback.
        os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"

    from webclient import bidi_text, i18n, security
    from webclient.guard_link import init_guard

    security.init_app(app)
    i18n.init_app(app)
    bidi_text.init_app(app)
    init_guard(app)

    from webclient import errors, preferences
    from webclient.auth.views import blueprint as auth_blueprint
    from webclient.mail.views import blueprint as mail_blueprint
    from webclient.pages import blueprint as pages_blueprint
    from webclient.privacy import blueprint as privacy_blueprint
    from webclient.review import blueprint as review_blueprint
    from webclient.staff import blueprint as staff_blueprint

    preferences.init_app(app)
    app.register_blueprint(pages_blueprint)
    app.register_blueprint(auth_blueprint)
    app.register_blueprint(mail_blueprint)
    app.register_blueprint(privacy_blueprint)
    app.register_blueprint(staff_blueprint)
    app.register_blueprint(review_blueprint)
    errors.init_app(app)
    if app.config.get("BEHIND_PROXY"):
        # Behind one TLS-terminating proxy: trust its X-Forwarded-Proto/Host/For so that
        # the OAuth redirect URI is the public https one.
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]
    return app
