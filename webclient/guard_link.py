"""Open the guard once per process and hand it to views; close it with the process."""

from __future__ import annotations

import atexit
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app

from guard.settings import GuardSettings, OAuthClient
from webclient.config import OAuthClientConfig

if TYPE_CHECKING:
    from guard.service import Guard

EXTENSION = "mailguard.guard"


def guard_settings(config: Mapping[str, Any]) -> GuardSettings:
    """Return the guard's settings for this app's configuration."""
    client: OAuthClientConfig = config["OAUTH_CLIENT"]
    oauth = OAuthClient(client_id=client.client_id, client_secret=client.client_secret,
                        auth_uri=client.auth_uri, token_uri=client.token_uri,
                        revoke_uri=client.revoke_uri)
    extra: dict[str, Any] = {}
    if config.get("POLICY_PATH"):
        extra["policy_path"] = config["POLICY_PATH"]
    if config.get("AUDIT_ORIGIN"):
        extra["audit_origin"] = config["AUDIT_ORIGIN"]
    if config.get("GUARD_CLOCK"):
        extra["clock"] = config["GUARD_CLOCK"]
    for key in ("GMAIL_CONNECT_TIMEOUT", "GMAIL_READ_TIMEOUT"):
        if config.get(key) is not None:
            extra[key.lower()] = config[key]
    if config.get("TRANSFER_ENDPOINTS"):
        extra["transfer_endpoints"] = dict(config["TRANSFER_ENDPOINTS"])
    return GuardSettings(
        database_url=str(config["DATABASE_URL"]),
        oauth_client=oauth,
        token_keys=tuple(config["TOKEN_KEYS"]),
        audit_hmac_key=bytes(config["AUDIT_HMAC_KEY"]),
        audit_signing_key_path=str(config["AUDIT_SIGNING_KEY_PATH"]),
        gmail_root_url=config.get("GMAIL_ROOT_URL") or None,
        **extra,
    )


def init_guard(app: Flask) -> None:
    """Open the guard for ``app`` (or take the one the test configuration hands over)."""
    guard = app.config.get("GUARD")
    if guard is None:
        from guard.service import Guard

        retrier = app.config.get("GUARD_RETRIER")
        guard = (Guard.open(guard_settings(app.config), retrier=retrier) if retrier
                 else Guard.open(guard_settings(app.config)))
        atexit.register(guard.close)
    app.extensions[EXTENSION] = guard


def current_guard() -> Guard:
    """Return the guard of the app serving this request."""
    guard: Guard = current_app.extensions[EXTENSION]
    return guard
