"""``mailguard serve``: the web client against real Google, under gunicorn (threads).

Settings come from the environment (see ``webclient.config``): ``MAILGUARD_SECRET_KEY``,
``MAILGUARD_DATABASE_URL``, ``MAILGUARD_TOKEN_KEYS``, ``MAILGUARD_AUDIT_HMAC_KEY``,
``MAILGUARD_AUDIT_SIGNING_KEY``, ``MAILGUARD_OAUTH_CLIENT_FILE`` and optionally
``MAILGUARD_GMAIL_ROOT_URL``, ``MAILGUARD_POLICY_PATH``, ``MAILGUARD_AUDIT_ORIGIN``,
``MAILGUARD_STAFF_DOMAIN``, ``MAILGUARD_BEHIND_PROXY`` (1/0, true/false, yes/no, on/off),
``MAILGUARD_TRUSTED_HOSTS``, ``MAILGUARD_GMAIL_CONNECT_TIMEOUT``,
``MAILGUARD_GMAIL_READ_TIMEOUT``,
``MAILGUARD_TRANSFER_ENDPOINTS`` (``recipient=https://...`` pairs, comma-separated) and the
review settings ``MAILGUARD_REVIEW_EXPORTED_CHECKPOINT``, ``MAILGUARD_REVIEW_ALERTS_PATH``,
``MAILGUARD_REVIEW_WINDOW_DAYS``, ``MAILGUARD_REVIEW_VERIFY_INLINE_MAX``. Each worker process
opens the guard once; its Gmail transport is shared by the worker's threads.

Unset, the database and the checkpoint key file are the ones every other ``mailguard``
command uses (``sqlite:///instance/mailguard.db`` and ``instance/audit-signing.key``, from
the folder it is started in), so ``mailguard db upgrade`` and ``mailguard serve`` started
side by side work on the same log. A setting that cannot be used stops the command with one
line naming it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import click
from gunicorn.app.base import BaseApplication

from mailguard.startup_errors import reason_not_started


class WebServer(BaseApplication):
    """gunicorn running ``webclient.create_app()`` with threaded workers."""

    def __init__(self, options: dict[str, Any], settings: Mapping[str, Any]) -> None:
        self.options = options
        self.settings = settings
        super().__init__()

    def load_config(self) -> None:
        """Hand our options to gunicorn."""
        for key, value in self.options.items():
            self.cfg.set(key, value)
        if "control_socket_disable" in self.cfg.settings:
            # gunicorn >= 24 opens one control socket per OS user; two servers on one host
            # (the emulator, a second site) would collide on it, and we do not use it.
            self.cfg.set("control_socket_disable", True)

    def load(self) -> Any:
        """Build the app in each worker (the guard is opened once per process)."""
        from webclient import create_app

        return create_app(self.settings)


def server_settings(environ: Mapping[str, str] = os.environ) -> dict[str, Any]:
    """Return the web client's settings from ``environ``, defaulted as the other commands."""
    from audit.cli import DEFAULT_DATABASE_URL
    from audit.key_settings import DEFAULT_SIGNING_KEY_FILE
    from webclient.config import from_environment

    settings: dict[str, Any] = {"DATABASE_URL": DEFAULT_DATABASE_URL,
                                "AUDIT_SIGNING_KEY_PATH": DEFAULT_SIGNING_KEY_FILE}
    settings.update(from_environment(environ))
    return settings


def check_settings(environ: Mapping[str, str] = os.environ) -> dict[str, Any]:
    """Build the app once in the parent to stop early, with a one-line reason, on bad settings.

    Return the settings the workers are built with.
    """
    from mailguard.migrations import MigrationError, current
    from webclient import create_app

    try:
        settings = server_settings(environ)
        # the database first: its URL's shape, kind, driver and reachability, in words that
        # never repeat the URL (it may hold a password)
        current(str(settings["DATABASE_URL"]))
        app = create_app(settings)
    except MigrationError as error:
        raise click.ClickException(f"MAILGUARD_DATABASE_URL: {error}") from None
    except Exception as error:  # noqa: BLE001 - every reason becomes one line, or re-raised
        reason = reason_not_started(error, environ=environ)
        if reason is None:
            raise
        raise click.ClickException(reason) from None
    app.extensions["mailguard.guard"].close()
    return settings


@click.command("serve")
@click.option("--bind", default="127.0.0.1:8000", show_default=True,
              help="Address and port to listen on (put TLS in front of it).")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes.")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 256),
              help="Threads per worker.")
@click.option("--timeout", default=60, show_default=True, type=click.IntRange(5, 3600),
              help="Seconds a request may take before its worker is restarted.")
def serve(bind: str, workers: int, threads: int, timeout: int) -> None:
    """Serve the web client for real Gmail accounts (settings from MAILGUARD_* variables)."""
    settings = check_settings()
    WebServer({"bind": [bind], "workers": workers, "worker_class": "gthread",
               "threads": threads, "timeout": timeout, "graceful_timeout": 10,
               "accesslog": None, "forwarded_allow_ips": "127.0.0.1"}, settings).run()
