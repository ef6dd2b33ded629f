"""Say in one line why the web server cannot start, naming the setting to fix.

``mailguard serve`` builds the app once before it starts its workers; whatever stops that
build (a setting the web client refuses, a database it cannot open, an audit log that
belongs to another key, a key file that is not one) is turned into the one-line reason the
README promises instead of a traceback.

Security caveat: a reason never repeats the database URL (it may hold a password) nor a
key; a file is named by its path only.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

#: The settings that name files the server opens at start, in the order they are checked.
FILE_SETTINGS = ("MAILGUARD_AUDIT_SIGNING_KEY", "MAILGUARD_AUDIT_SIGNING_KEY_FILE",
                 "MAILGUARD_POLICY_PATH", "MAILGUARD_POLICY", "MAILGUARD_OAUTH_CLIENT_FILE",
                 "MAILGUARD_REVIEW_EXPORTED_CHECKPOINT", "MAILGUARD_REVIEW_ALERTS_PATH")


def reason_not_started(error: BaseException, *, environ: Mapping[str, str]) -> str | None:
    """Return the one-line reason ``error`` stopped the server, or None for a bug."""
    from audit.errors import AuditError, SigningKeyMissing
    from guard.errors import GuardError
    from webclient.config import ConfigError

    if isinstance(error, ConfigError | GuardError):
        return str(error)
    if isinstance(error, SigningKeyMissing):
        named = _setting_naming(error.path, environ) or "MAILGUARD_AUDIT_SIGNING_KEY"
        return f"{named}: {error}"
    if isinstance(error, AuditError):
        return (f"the audit log cannot be opened with these settings: {error} "
                "(MAILGUARD_AUDIT_HMAC_KEY, MAILGUARD_AUDIT_SIGNING_KEY, "
                "MAILGUARD_AUDIT_ORIGIN)")
    if isinstance(error, SQLAlchemyError):
        original = getattr(error, "orig", None) or error
        return (f"MAILGUARD_DATABASE_URL: the database cannot be opened "
                f"({type(original).__name__}: {_first_line(original)}); check that it exists "
                "and that `mailguard db upgrade` has run on it")
    if isinstance(error, OSError):
        setting = _setting_naming(error.filename, environ)
        where = f"{setting}: " if setting else ""
        return f"{where}cannot use {error.filename}: {error.strerror or type(error).__name__}"
    return None


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


def _setting_naming(filename: object, environ: Mapping[str, str]) -> str | None:
    """Return the setting whose file is ``filename`` or lies inside it, if any."""
    if not isinstance(filename, str | bytes | os.PathLike):
        return None
    failed = Path(os.fsdecode(filename)).absolute()
    for name in FILE_SETTINGS:
        value = environ.get(name, "").strip()
        if value:
            named = Path(value).absolute()
            if failed == named or failed in named.parents:
                return name
    return None
