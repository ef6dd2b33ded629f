"""Read the log's keys from settings the same way in every program that opens the log.

The web server, ``mailguard audit``, ``mailguard staff`` and ``mailguard report`` all take
the identifier-hashing key from ``MAILGUARD_AUDIT_HMAC_KEY`` and the checkpoint key file
from ``MAILGUARD_AUDIT_SIGNING_KEY``. They must turn the same text into the same bytes: the
log records the hashing key's fingerprint when it is created and refuses any other key, so
a program reading the text differently could not open (or search) a log the others wrote.

Hex is tried first (``secrets.token_hex(32)``), then base64 in either alphabet
(``secrets.token_urlsafe(32)``, a ``mailguard keys generate`` key). Security caveat: error
messages name the variable, never its value.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping

from audit.entry import MIN_HMAC_KEY_BYTES
from audit.errors import AuditError

HMAC_KEY_ENV = "MAILGUARD_AUDIT_HMAC_KEY"
SIGNING_KEY_ENV = ("MAILGUARD_AUDIT_SIGNING_KEY", "MAILGUARD_AUDIT_SIGNING_KEY_FILE")
"""Where the checkpoint key file is named: the server's variable first, then the older name."""
DEFAULT_SIGNING_KEY_FILE = "instance/audit-signing.key"
"""The web server's default (its instance folder), so both find the same key from there."""


class InvalidKeyText(AuditError, ValueError):
    """Raise when a key's text is not hex or base64 of at least the minimum length."""


def hmac_key_from_text(text: str, *, name: str = HMAC_KEY_ENV) -> bytes:
    """Return the key bytes that ``text`` (hex or base64) stands for; raise InvalidKeyText."""
    value = text.strip()
    try:
        key = bytes.fromhex(value)
    except ValueError:
        urlsafe = "-" in value or "_" in value
        try:
            key = base64.b64decode(value + "=" * (-len(value) % 4),
                                   altchars=b"-_" if urlsafe else None, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidKeyText(
                f"{name} must be hex or base64 (e.g. the output of "
                "`python -c 'import secrets; print(secrets.token_hex(32))'`)") from None
    if len(key) < MIN_HMAC_KEY_BYTES:
        raise InvalidKeyText(f"{name} must be hex or base64 of at least {MIN_HMAC_KEY_BYTES} "
                             f"bytes (it decodes to {len(key)})")
    return key


def signing_key_file(environ: Mapping[str, str]) -> str:
    """Return the checkpoint key file the environment names (the server's setting first)."""
    for name in SIGNING_KEY_ENV:
        if environ.get(name, "").strip():
            return environ[name].strip()
    return DEFAULT_SIGNING_KEY_FILE
