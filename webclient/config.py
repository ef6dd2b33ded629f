"""Read the web client's settings from the environment or a test configuration, once."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from audit.key_settings import (
    HMAC_KEY_ENV,
    SIGNING_KEY_ENV,
    InvalidKeyText,
    hmac_key_from_text,
    signing_key_file,
)
from guard.settings import (
    GOOGLE_AUTH_URI,
    GOOGLE_REVOKE_URI,
    GOOGLE_TOKEN_URI,
    POLICY_PATH_ENV,
    endpoint_url_problem,
    policy_path_from_env,
)

GOOGLE_CERTS_URI = "https://www.googleapis.com/oauth2/v3/certs"

#: The shortest session secret accepted from ``MAILGUARD_SECRET_KEY``: whoever can guess it
#: can forge a session cookie.
MIN_SECRET_KEY_LENGTH = 32

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


class ConfigError(Exception):
    """The web client's configuration is missing or invalid; fix it before starting."""


@dataclass(frozen=True, slots=True)
class OAuthClientConfig:
    """The Google OAuth client the web client signs users in with."""

    client_id: str
    client_secret: str
    auth_uri: str = GOOGLE_AUTH_URI
    token_uri: str = GOOGLE_TOKEN_URI
    revoke_uri: str = GOOGLE_REVOKE_URI
    certs_uri: str = GOOGLE_CERTS_URI

    @classmethod
    def from_json(cls, data: Mapping[str, Any], *, source: str) -> OAuthClientConfig:
        """Build the client from Google's client-secret JSON (the ``web`` section).

        A Desktop client's JSON (an ``installed`` section) is refused as such: Google sends
        its users back only to a loopback address, never to this server's
        ``https://<host>/auth/callback``, so sign-in could not complete.
        """
        if "web" not in data and "installed" in data:
            raise ConfigError(
                f"{source}: this is the OAuth client of a Desktop app (\"installed\"); "
                "MailGuard needs an OAuth client of type \"Web application\", because only "
                "that type lets Google send users back to the server's redirect URIs "
                "(https://<host>/auth/callback and https://<host>/staff/callback); create "
                "one on the Cloud console's Credentials page and set MAILGUARD_OAUTH_CLIENT_FILE "
                "to its downloaded JSON")
        section = data.get("web", data)
        if not isinstance(section, Mapping):
            raise ConfigError(f"{source}: expected Google's OAuth client JSON with a 'web' "
                              f"section (download it from the Cloud console's Credentials page)")
        missing = [k for k in ("client_id", "client_secret") if not section.get(k)]
        if missing:
            raise ConfigError(f"{source}: the OAuth client has no {', '.join(missing)}; "
                              f"download the client JSON again")
        return cls(
            client_id=str(section["client_id"]),
            client_secret=str(section["client_secret"]),
            auth_uri=str(section.get("auth_uri") or GOOGLE_AUTH_URI),
            token_uri=str(section.get("token_uri") or GOOGLE_TOKEN_URI),
            revoke_uri=str(section.get("revoke_uri") or GOOGLE_REVOKE_URI),
            certs_uri=str(section.get("certs_uri") or GOOGLE_CERTS_URI),
        )

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> OAuthClientConfig:
        """Read Google's client-secret JSON file."""
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise ConfigError(f"{path}: cannot read the OAuth client JSON "
                              f"({type(error).__name__}); set MAILGUARD_OAUTH_CLIENT_FILE "
                              f"to the file downloaded from the Cloud console") from None
        if not isinstance(data, Mapping):
            raise ConfigError(f"{path}: expected a JSON object")
        return cls.from_json(data, source=str(path))

    def flow_config(self, redirect_uri: str) -> dict[str, Any]:
        """Return the client config in the shape google-auth-oauthlib's Flow reads."""
        return {"web": {"client_id": self.client_id, "client_secret": self.client_secret,
                        "auth_uri": self.auth_uri, "token_uri": self.token_uri,
                        "redirect_uris": [redirect_uri]}}


def emulator_oauth_client(root_url: str, client_id: str,
                          client_secret: str) -> OAuthClientConfig:
    """Return an OAuth client whose endpoints are the Gmail emulator's."""
    root = root_url.rstrip("/") + "/"
    return OAuthClientConfig(client_id=client_id, client_secret=client_secret,
                             auth_uri=root + "o/oauth2/v2/auth", token_uri=root + "token",
                             revoke_uri=root + "revoke", certs_uri=root + "oauth2/v3/certs")


def _keys(text: str, name: str) -> tuple[str, ...]:
    keys = tuple(k.strip() for k in text.split(",") if k.strip())
    if not keys:
        raise ConfigError(f"{name} is empty; give one or more keys, newest first, "
                          f"separated by commas")
    return keys


def _transfer_endpoints(text: str) -> dict[str, str]:
    endpoints: dict[str, str] = {}
    for part in text.split(","):
        if not part.strip():
            continue
        recipient, eq, url = (piece.strip() for piece in part.partition("="))
        if not eq or not recipient or not url.startswith(("https://", "http://")):
            raise ConfigError("MAILGUARD_TRANSFER_ENDPOINTS holds recipient=URL pairs "
                              "separated by commas, each URL starting with https://, e.g. "
                              "qontak-crm=https://crm.example.com/inbound")
        problem = endpoint_url_problem(url)
        if problem is not None:
            raise ConfigError(f"MAILGUARD_TRANSFER_ENDPOINTS, {recipient}: {problem}")
        endpoints[recipient] = url
    return endpoints


def _secret_key(environ: Mapping[str, str]) -> str:
    value = environ["MAILGUARD_SECRET_KEY"]
    if len(value) < MIN_SECRET_KEY_LENGTH:  # the value itself is never repeated
        raise ConfigError(
            f"MAILGUARD_SECRET_KEY must be at least {MIN_SECRET_KEY_LENGTH} random characters "
            "(it signs the session cookies); make one with `python3 -c 'import secrets; "
            "print(secrets.token_urlsafe(48))'`")
    return value


def _flag(environ: Mapping[str, str], name: str) -> bool:
    value = environ[name].strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigError(f"{name} must be 1, true, yes or on (or 0, false, no or off to leave "
                      "it off)")


def _whole_number(environ: Mapping[str, str], name: str) -> int:
    try:
        value = int(environ[name])
    except ValueError:
        value = 0
    if value < 1:
        raise ConfigError(f"{name} must be a whole number of at least 1")
    return value


def _seconds(environ: Mapping[str, str], name: str) -> float:
    try:
        value = float(environ[name])
    except ValueError:
        value = 0.0
    if not 0 < value <= 600:
        raise ConfigError(f"{name} must be a number of seconds above 0 and at most 600")
    return value


def from_environment(environ: Mapping[str, str] = os.environ) -> dict[str, Any]:
    """Return the app settings named by ``MAILGUARD_*`` variables; raise ConfigError."""
    settings: dict[str, Any] = {}
    if environ.get("MAILGUARD_SECRET_KEY"):  # empty: reported as missing, with the others
        settings["SECRET_KEY"] = _secret_key(environ)
    if "MAILGUARD_DATABASE_URL" in environ:
        settings["DATABASE_URL"] = environ["MAILGUARD_DATABASE_URL"]
    if "MAILGUARD_TOKEN_KEYS" in environ:
        settings["TOKEN_KEYS"] = _keys(environ["MAILGUARD_TOKEN_KEYS"], "MAILGUARD_TOKEN_KEYS")
    if environ.get(HMAC_KEY_ENV, "").strip():
        # read as the audit, staff and report commands read it (hex or base64), so all of
        # them hash identifiers with the same key and can open the same log
        try:
            settings["AUDIT_HMAC_KEY"] = hmac_key_from_text(environ[HMAC_KEY_ENV])
        except InvalidKeyText as error:
            raise ConfigError(str(error)) from None
    if any(environ.get(name, "").strip() for name in SIGNING_KEY_ENV):
        settings["AUDIT_SIGNING_KEY_PATH"] = signing_key_file(environ)
    if environ.get("MAILGUARD_AUDIT_ORIGIN", "").strip():
        settings["AUDIT_ORIGIN"] = environ["MAILGUARD_AUDIT_ORIGIN"].strip()
    if any(environ.get(name, "").strip() for name in POLICY_PATH_ENV):
        settings["POLICY_PATH"] = str(policy_path_from_env(environ))
    if environ.get("MAILGUARD_GMAIL_ROOT_URL"):
        settings["GMAIL_ROOT_URL"] = environ["MAILGUARD_GMAIL_ROOT_URL"]
    if environ.get("MAILGUARD_OAUTH_CLIENT_FILE"):
        settings["OAUTH_CLIENT"] = OAuthClientConfig.from_file(
            environ["MAILGUARD_OAUTH_CLIENT_FILE"])
    if environ.get("MAILGUARD_BEHIND_PROXY", "").strip():
        settings["BEHIND_PROXY"] = _flag(environ, "MAILGUARD_BEHIND_PROXY")
    if environ.get("MAILGUARD_TRUSTED_HOSTS", "").strip():
        # Flask answers 400 to a request whose Host is not one of these, so no link or
        # OAuth redirect URI the app builds can name a host an attacker chose.
        settings["TRUSTED_HOSTS"] = [h.strip().lower() for h in
                                     environ["MAILGUARD_TRUSTED_HOSTS"].split(",")
                                     if h.strip()]
    if environ.get("MAILGUARD_STAFF_DOMAIN", "").strip():
        settings["STAFF_DOMAIN"] = environ["MAILGUARD_STAFF_DOMAIN"].strip().lower()
    if environ.get("MAILGUARD_TRANSFER_ENDPOINTS", "").strip():
        settings["TRANSFER_ENDPOINTS"] = _transfer_endpoints(
            environ["MAILGUARD_TRANSFER_ENDPOINTS"])
    if environ.get("MAILGUARD_REVIEW_EXPORTED_CHECKPOINT"):
        settings["REVIEW_EXPORTED_CHECKPOINT"] = environ["MAILGUARD_REVIEW_EXPORTED_CHECKPOINT"]
    if environ.get("MAILGUARD_REVIEW_ALERTS_PATH"):
        settings["REVIEW_ALERTS_PATH"] = environ["MAILGUARD_REVIEW_ALERTS_PATH"]
    for name in ("GMAIL_CONNECT_TIMEOUT", "GMAIL_READ_TIMEOUT"):
        if environ.get(f"MAILGUARD_{name}"):
            settings[name] = _seconds(environ, f"MAILGUARD_{name}")
    for name in ("REVIEW_WINDOW_DAYS", "REVIEW_VERIFY_INLINE_MAX", "MAIL_SESSION_HOURS",
                 "STAFF_SESSION_HOURS"):
        if environ.get(f"MAILGUARD_{name}"):
            settings[name] = _whole_number(environ, f"MAILGUARD_{name}")
    for name in ("MAIL_SESSION_IDLE_MINUTES", "STAFF_SESSION_IDLE_MINUTES"):
        if environ.get(f"MAILGUARD_{name}"):
            settings[name] = _idle_minutes(environ, f"MAILGUARD_{name}")
    return settings


def _idle_minutes(environ: Mapping[str, str], name: str) -> int:
    """Return a session's idle limit in minutes: longer than the interval at which a
    session's last use is written (``webclient.auth.session_records.TOUCH_INTERVAL``)."""
    minutes = _whole_number(environ, name)
    if minutes <= 5:
        raise ConfigError(f"{name} must be more than 5 minutes: a session's last use is "
                          "written at most every 5 minutes")
    return minutes


REQUIRED = ("SECRET_KEY", "DATABASE_URL", "TOKEN_KEYS", "AUDIT_HMAC_KEY", "OAUTH_CLIENT")
_WHERE = {
    "SECRET_KEY": "MAILGUARD_SECRET_KEY (at least 32 random characters)",
    "DATABASE_URL": "MAILGUARD_DATABASE_URL (e.g. sqlite:///instance/mailguard.db)",
    "TOKEN_KEYS": "MAILGUARD_TOKEN_KEYS (token vault keys, newest first)",
    "AUDIT_HMAC_KEY": "MAILGUARD_AUDIT_HMAC_KEY (the audit log's identifier-hashing key, "
                      "hex or base64 of at least 16 bytes)",
    "OAUTH_CLIENT": "MAILGUARD_OAUTH_CLIENT_FILE (Google's OAuth client JSON)",
}


def check_required(config: Mapping[str, Any]) -> None:
    """Raise ConfigError naming every required setting that is missing."""
    missing = [_WHERE[key] for key in REQUIRED if not config.get(key)]
    if missing:
        raise ConfigError("MailGuard cannot start; set " + "; ".join(missing))
