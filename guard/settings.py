"""The guard's settings: where state lives, the policy, Gmail's root URL, OAuth and keys.

Keys come from configuration (environment or the settings object), never from the
database: a copy of the database alone must not open the tokens it holds.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from guard.errors import GuardError
from guard.policy import DEFAULT_POLICY_PATH

#: Environment variable holding the token vault keys, comma-separated, newest first.
TOKEN_KEYS_ENV = "MAILGUARD_TOKEN_KEYS"  # noqa: S105 - a variable name, not a key

#: Environment variable naming the database every command and the server share.
DATABASE_URL_ENV = "MAILGUARD_DATABASE_URL"

#: The database when ``MAILGUARD_DATABASE_URL`` is unset, relative to the folder a command
#: is started from, for ``serve`` as for every other command.
DEFAULT_DATABASE_URL = "sqlite:///instance/mailguard.db"

#: How a supported database URL looks, for error messages.
DATABASE_URL_FORMS = "give sqlite:///path/to/mailguard.db or postgresql+psycopg://user@host/db"

#: Environment variable holding transfer recipients' URLs: ``id=url`` pairs, comma-separated.
TRANSFER_ENDPOINTS_ENV = "MAILGUARD_TRANSFER_ENDPOINTS"

GOOGLE_AUTH_URI = "https://accounts.google.com/o/oauth2/auth"
GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"  # noqa: S105 - an endpoint
GOOGLE_REVOKE_URI = "https://oauth2.googleapis.com/revoke"


class SettingsError(GuardError):
    """The guard's settings are incomplete or malformed; fix them before starting."""


def utc_now() -> datetime:
    """Return the current time, timezone-aware UTC."""
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class OAuthClient:
    """The Google OAuth client MailGuard is registered as, and Google's endpoints."""

    client_id: str
    client_secret: str = field(repr=False)
    auth_uri: str = GOOGLE_AUTH_URI
    token_uri: str = GOOGLE_TOKEN_URI
    revoke_uri: str = GOOGLE_REVOKE_URI

    @classmethod
    def for_root(cls, root_url: str, *, client_id: str, client_secret: str) -> OAuthClient:
        """Return a client whose endpoints are those of a Google emulator at ``root_url``."""
        root = root_url.rstrip("/")
        return cls(client_id=client_id, client_secret=client_secret,
                   auth_uri=f"{root}/o/oauth2/auth", token_uri=f"{root}/token",
                   revoke_uri=f"{root}/revoke")


@dataclass(frozen=True, slots=True)
class GuardSettings:
    """Everything ``Guard.open`` needs.

    :param database_url: SQLAlchemy URL of the guard's tables (accounts, tokens, cache).
    :param token_keys: token vault keys, newest first (see ``guard.vault.generate_key``).
    :param audit_url: the audit log's URL; by default the same database as the guard's.
    :param audit_origin: the log's name in its checkpoints; None keeps the origin the log
        already has (``audit.log.DEFAULT_ORIGIN`` for a new log).
    :param gmail_root_url: None for Google; the emulator's URL in the demo and tests.
    :param gmail_connect_timeout: seconds to wait for a connection to the Gmail API.
    :param gmail_read_timeout: seconds to wait for the Gmail API's answer; past it the
        call fails as ``GmailTimeout`` (the user reads "Gmail is not answering").
    :param transfer_endpoints: where each listed transfer recipient receives data (recipient
        id → URL). A deployment setting, not policy: the policy file says *who* may receive
        what, this says *where*. A listed recipient without a URL is refused by the gate.
    """

    database_url: str
    oauth_client: OAuthClient
    token_keys: tuple[str, ...] = field(repr=False)
    audit_hmac_key: bytes = field(repr=False)
    audit_signing_key_path: str | None = None
    policy_path: str | Path = DEFAULT_POLICY_PATH
    gmail_root_url: str | None = None
    audit_url: str | None = None
    audit_origin: str | None = None
    clock: Callable[[], datetime] = utc_now
    pool_size: int = 16
    cache_enabled: bool = True
    gmail_connect_timeout: float = 5.0
    gmail_read_timeout: float = 60.0
    transfer_endpoints: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.token_keys:
            raise SettingsError(f"no token vault key configured; set {TOKEN_KEYS_ENV} to a key "
                                "from `mailguard keys generate` (newest first, comma-separated)")
        if not self.database_url:
            raise SettingsError("database_url is empty; give an SQLAlchemy URL such as "
                                "sqlite:///instance/mailguard.db")
        for name in ("gmail_connect_timeout", "gmail_read_timeout"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
                raise SettingsError(f"{name} must be a positive number of seconds")
        for recipient, url in self.transfer_endpoints.items():
            if not recipient or not isinstance(url, str) \
                    or not url.startswith(("https://", "http://")):
                raise SettingsError("each transfer endpoint maps a recipient id from the "
                                    "policy file to an https:// URL")
            problem = endpoint_url_problem(url)
            if problem is not None:
                raise SettingsError(f"transfer endpoint of {recipient}: {problem}")


def endpoint_url_problem(url: str) -> str | None:
    """Return what is wrong with a transfer endpoint ``url``, or None when it may be used.

    Transfers carry Gmail data, message content included: they leave over HTTPS, or over
    plain HTTP only to this machine's loopback (a test or demo recipient).
    """
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return None
    if parts.scheme == "http" and parts.hostname:
        host = parts.hostname
        if host == "localhost":
            return None
        try:
            if ipaddress.ip_address(host).is_loopback:
                return None
        except ValueError:
            pass
        return ("plain http:// is only for a recipient on this machine's loopback "
                "(127.0.0.1, ::1, localhost); give its https:// URL")
    return "give an https:// URL with a host name, e.g. https://crm.example.com/inbound"


POLICY_PATH_ENV = ("MAILGUARD_POLICY_PATH", "MAILGUARD_POLICY")
"""Where the policy file is named: the server's variable first, then the older name."""


@dataclass(frozen=True, slots=True)
class PolicyLocation:
    """The policy file a program loads and the variable that named it (None: shipped)."""

    path: str | Path
    variable: str | None = None

    def describe(self) -> str:
        """Return e.g. ``/etc/mailguard/policy.toml (MAILGUARD_POLICY_PATH)``."""
        named_by = self.variable or "the shipped policy"
        return f"{self.path} ({named_by})"


def policy_location_from_env(environ: Mapping[str, str] | None = None) -> PolicyLocation:
    """Return the policy file the environment names, or the shipped policy, and by whom."""
    env = os.environ if environ is None else environ
    for name in POLICY_PATH_ENV:
        if env.get(name, "").strip():
            return PolicyLocation(env[name].strip(), name)
    return PolicyLocation(DEFAULT_POLICY_PATH)


def policy_path_from_env(environ: Mapping[str, str] | None = None) -> str | Path:
    """Return the policy file the environment names, or the shipped policy.

    The server and the ``staff``, ``report`` and ``policy`` commands read it the same way,
    so they decide by the same policy.
    """
    return policy_location_from_env(environ).path


def require_database_url(url: str) -> URL:
    """Return ``url`` parsed; raise SettingsError unless MailGuard can keep its state there.

    Refused: a malformed URL (a port that is no number, no scheme), a database other than
    SQLite or PostgreSQL, and a driver that is not installed, each before anything connects.
    Security caveat: no message repeats the URL, which may hold a password.
    """
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):  # ValueError: e.g. a port that is no number
        raise SettingsError(f"the database URL is not valid; {DATABASE_URL_FORMS}") from None
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise SettingsError(f"MailGuard keeps its state in SQLite or PostgreSQL, not "
                            f"{backend}; {DATABASE_URL_FORMS}")
    try:
        parsed.get_dialect().import_dbapi()
    except (ArgumentError, ImportError):  # an unknown or uninstalled driver
        raise SettingsError(f"the URL's database driver is not installed; "
                            f"{DATABASE_URL_FORMS}") from None
    return parsed


def token_keys_from_env(environ: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """Return the vault keys from ``MAILGUARD_TOKEN_KEYS`` (comma-separated, newest first)."""
    env = os.environ if environ is None else environ
    raw = env.get(TOKEN_KEYS_ENV, "")
    keys = tuple(part.strip() for part in raw.split(",") if part.strip())
    if not keys:
        raise SettingsError(f"{TOKEN_KEYS_ENV} is not set or empty; generate a key with "
                            "`mailguard keys generate` and export it")
    return keys


def transfer_endpoints_from_env(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """Return recipient URLs from ``MAILGUARD_TRANSFER_ENDPOINTS`` (``id=url,id=url``)."""
    env = os.environ if environ is None else environ
    endpoints: dict[str, str] = {}
    for part in env.get(TRANSFER_ENDPOINTS_ENV, "").split(","):
        if not part.strip():
            continue
        recipient, eq, url = part.partition("=")
        if not eq or not recipient.strip() or not url.strip():
            raise SettingsError(f"{TRANSFER_ENDPOINTS_ENV} holds id=url pairs separated by "
                                "commas, e.g. qontak-crm=https://crm.example.com/inbound")
        endpoints[recipient.strip()] = url.strip()
    return endpoints
