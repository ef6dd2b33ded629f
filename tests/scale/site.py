"""The web client as one gunicorn worker process of a multi-host deployment under test.

``gunicorn 'tests.scale.site:build()'`` reads the shared settings from the JSON file named
by ``MAILGUARD_SCALE_SITE``: every process gets the same secret key, database, token keys
and audit keys, as separate hosts of one deployment would.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from flask import Flask

from webclient import create_app
from webclient.config import emulator_oauth_client


def build() -> Flask:
    """Build the app from the shared settings file (http on loopback, staff domain set)."""
    shared = json.loads(Path(os.environ["MAILGUARD_SCALE_SITE"]).read_text())
    return create_app({
        "SECRET_KEY": shared["secret_key"],
        "DATABASE_URL": shared["database_url"],
        "TOKEN_KEYS": tuple(shared["token_keys"]),
        "AUDIT_HMAC_KEY": bytes.fromhex(shared["audit_hmac_key"]),
        "AUDIT_SIGNING_KEY_PATH": shared["audit_signing_key"],
        "OAUTH_CLIENT": emulator_oauth_client(shared["emulator"], shared["client_id"],
                                              shared["client_secret"]),
        "GMAIL_ROOT_URL": shared["emulator"],
        "STAFF_DOMAIN": shared["staff_domain"],
        "OAUTH_INSECURE_TRANSPORT": True,
        "SESSION_COOKIE_SECURE": False,
    })
