"""OAuth state of one emulator app: registered clients, pending consents, codes, keys."""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

CODE_LIFETIME = 600
PENDING_LIFETIME = 1800
GOOGLE_ISSUER = "https://accounts.google.com"
GOOGLE_HOSTS = frozenset({"accounts.google.com", "oauth2.googleapis.com", "www.googleapis.com",
                          "openidconnect.googleapis.com", "gmail.googleapis.com"})
CONSUMER_DOMAINS = frozenset({"gmail.com", "googlemail.com"})
OPENID_SCOPES = frozenset({"openid", "email", "profile",
                           "https://www.googleapis.com/auth/userinfo.email",
                           "https://www.googleapis.com/auth/userinfo.profile"})
EMAIL_SCOPES = frozenset({"email", "https://www.googleapis.com/auth/userinfo.email"})
PROFILE_SCOPES = frozenset({"profile", "https://www.googleapis.com/auth/userinfo.profile"})
_LONG_NAMES = {"email": "https://www.googleapis.com/auth/userinfo.email",
               "profile": "https://www.googleapis.com/auth/userinfo.profile"}
PKCE_CHARS = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")
S256_CHALLENGE = re.compile(r"^[A-Za-z0-9\-_]{43}$")


class OAuthError(Exception):
    """An OAuth error answered as Google does: ``{"error", "error_description"}``."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status


@dataclass(frozen=True, slots=True)
class Client:
    """A registered OAuth client."""

    client_id: str
    client_secret: str
    redirect_uris: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        """Return the client as the control API shows it."""
        return {"client_id": self.client_id, "client_secret": self.client_secret,
                "redirect_uris": list(self.redirect_uris)}


@dataclass(frozen=True, slots=True)
class AuthRequest:
    """A validated authorization request waiting for the user's choice on the consent page."""

    client_id: str
    redirect_uri: str
    scopes: tuple[str, ...]
    state: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    login_hint: str | None
    nonce: str | None
    offline: bool
    include_granted_scopes: bool
    expires_at: float
    prompt: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class AuthCode:
    """An issued authorization code: single use, valid for ``CODE_LIFETIME`` seconds.

    ``with_refresh_token`` is True when the exchange brings a refresh token: as with Google,
    only for ``access_type=offline`` and only when the person consented (a first grant, new
    scopes, or ``prompt=consent``), not when earlier consent was reused.
    """

    request: AuthRequest
    email: str
    scopes: frozenset[str]
    expires_at: float
    with_refresh_token: bool = False


@dataclass
class OAuthRegistry:
    """OAuth state of one emulator app: clients, pending requests, codes, the signing key."""

    clients: dict[str, Client] = field(default_factory=dict)
    pending: dict[str, AuthRequest] = field(default_factory=dict)
    codes: dict[str, AuthCode] = field(default_factory=dict)
    narrowed: dict[str, frozenset[str]] = field(default_factory=dict)
    granted: dict[tuple[str, str], frozenset[str]] = field(default_factory=dict)
    refresh_owners: dict[str, tuple[str, str]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    certificates: dict[tuple[str, int], str] = field(default_factory=dict)
    """(key id, modulus) -> the PEM certificate served for that public key."""
    _key: rsa.RSAPrivateKey | None = None
    _kid: str = ""

    def register_client(self, redirect_uris: Iterable[str], client_id: str | None = None,
                        client_secret: str | None = None) -> Client:
        """Register a client (generating its id and secret unless given) and return it."""
        uris = tuple(redirect_uris)
        for uri in uris:
            problem = redirect_uri_problem(uri)
            if problem:
                raise ValueError(f"redirect_uris: {problem}")
        client = Client(
            client_id=client_id or f"{secrets.randbelow(10**12):012d}-"
                                   f"{secrets.token_hex(16)}.apps.googleusercontent.com",
            client_secret=client_secret or "GOCSPX-" + secrets.token_urlsafe(21),
            redirect_uris=uris,
        )
        with self.lock:
            self.clients[client.client_id] = client
        return client

    def narrow_scopes(self, email: str, scopes: Iterable[str] | None) -> None:
        """Make consent for ``email`` grant only ``scopes`` of those requested (None: all)."""
        with self.lock:
            if scopes is None:
                self.narrowed.pop(email, None)
            else:
                self.narrowed[email] = frozenset(scopes)

    def reset(self) -> None:
        """Forget clients, pending requests, codes and recorded consents (keep the key)."""
        with self.lock:
            self.clients.clear()
            self.pending.clear()
            self.codes.clear()
            self.narrowed.clear()
            self.granted.clear()
            self.refresh_owners.clear()

    def forget_consent(self, email: str, client_id: str) -> None:
        """Forget what ``email`` granted ``client_id``, as Google does when a token is revoked.

        The next authorization then counts as a first consent again (and, offline, brings a
        new refresh token).
        """
        with self.lock:
            self.granted.pop((email, client_id), None)
            for token, owner in list(self.refresh_owners.items()):
                if owner == (email, client_id):
                    del self.refresh_owners[token]

    def signing_key(self) -> tuple[rsa.RSAPrivateKey, str]:
        """Return this emulator's RSA signing key and its key id, generating them once."""
        with self.lock:
            if self._key is None:
                self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
                der_n = self._key.public_key().public_numbers().n.to_bytes(256, "big")
                self._kid = hashlib.sha256(der_n).hexdigest()[:40]
            return self._key, self._kid

    def jwks(self) -> dict[str, Any]:
        """Return the public signing key as a JSON Web Key Set."""
        key, kid = self.signing_key()
        return {"keys": [public_jwk(key.public_key(), kid)]}


def public_jwk(key: rsa.RSAPublicKey, kid: str) -> dict[str, Any]:
    """Return ``key`` as a JSON Web Key for RS256 signatures, named ``kid``."""
    jwk = RSAAlgorithm.to_jwk(key, as_dict=True)
    assert isinstance(jwk, dict)
    return {**jwk, "kid": kid, "alg": "RS256", "use": "sig"}


def redirect_uri_problem(uri: str) -> str | None:
    """Return why ``uri`` cannot be a redirect URI (https, or http on loopback), or None."""
    parts = urlsplit(uri)
    if parts.fragment or not parts.netloc:
        return "a redirect URI must be an absolute URL without a fragment"
    if parts.scheme == "https":
        return None
    if parts.scheme == "http" and parts.hostname in {"127.0.0.1", "::1", "localhost"}:
        return None
    return "a redirect URI must use https, or http on a loopback address (127.0.0.1, [::1])"


def redirect_allowed(client: Client, uri: str) -> bool:
    """Return True when ``uri`` is registered for ``client``.

    As Google does: an exact match, or, for a loopback URI registered without a port (how
    installed apps register ``http://127.0.0.1`` or ``http://localhost``), the same address
    and path on any port. A loopback URI registered with a port must be used with that port.
    """
    if uri in client.redirect_uris:
        return True
    asked = urlsplit(uri)
    if asked.scheme != "http":
        return False
    for registered in map(urlsplit, client.redirect_uris):
        if registered.port is None and (
                registered.scheme, registered.hostname, registered.path or "/") == (
                "http", asked.hostname, asked.path or "/"):
            return True
    return False


def subject_id(email: str) -> str:
    """Return the stable numeric Google account id (``sub``) for ``email``."""
    digest = hashlib.sha256(b"fakegmail-sub:" + email.encode()).digest()
    return "1" + str(int.from_bytes(digest[:9], "big")).zfill(20)[:20]


def granted_scope_names(scopes: Iterable[str]) -> list[str]:
    """Return scopes as Google writes them in token answers: ``email`` and ``profile``
    as their ``userinfo`` URLs (a client comparing with what it asked for sees them
    change, as with Google), in the given order, each once."""
    return list(dict.fromkeys(_LONG_NAMES.get(scope, scope) for scope in scopes))
