"""Service accounts: their RSA keys, the domain-wide delegation a Workspace admin gave
them, and the JSON key files Google's client libraries read.

A key is created here (its private half handed out once, in the key file, and never kept)
or registered from a public key the caller supplies. The token endpoint checks a JWT
assertion's signature against the public key its ``kid`` names (see
:mod:`fakegmail.oauth.jwt_bearer`). Delegation maps a domain to the scopes granted for it,
as the Admin console's "Domain-wide delegation" page does per client ID.
"""

from __future__ import annotations

import itertools
import re
import secrets
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

#: Google's key files name the token endpoint's universe; any other universe makes
#: google-auth refuse the token endpoint (self-signed JWTs only).
UNIVERSE_DOMAIN = "googleapis.com"
#: Delegation concerns Workspace domains; consumer accounts cannot be delegated.
CONSUMER_DOMAINS = frozenset({"gmail.com", "googlemail.com"})
MIN_KEY_BITS = 2048
_KEY_ID = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")
_PROJECT_ID = re.compile(r"^[a-z][a-z0-9\-]{4,28}[a-z0-9]$")
_DOMAIN = re.compile(r"^(?=.{1,253}$)[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?"
                     r"(?:\.[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?)+$")


@dataclass(slots=True)
class ServiceAccount:
    """A service account: its address, numeric client id, public keys and delegation."""

    client_email: str
    client_id: str
    project_id: str
    keys: dict[str, rsa.RSAPublicKey] = field(default_factory=dict)
    """Key id (the key file's ``private_key_id``, the assertion's ``kid``) -> public key."""
    delegation: dict[str, frozenset[str]] = field(default_factory=dict)
    """Domain -> the scopes the domain's admin delegated to this client."""

    def delegated_scopes(self, email: str) -> frozenset[str] | None:
        """Return the scopes delegated for ``email``'s domain, or None when not delegated."""
        return self.delegation.get(email.rsplit("@", 1)[-1].lower())

    def to_json(self) -> dict[str, Any]:
        """Return the account as the control API shows it (no key material)."""
        return {"client_email": self.client_email, "client_id": self.client_id,
                "project_id": self.project_id, "key_ids": sorted(self.keys),
                "domain_wide_delegation": delegation_json(self.delegation)}


@dataclass(frozen=True, slots=True)
class IssuedKey:
    """A key just added to a service account; ``private_pem`` only when generated here."""

    account: ServiceAccount
    key_id: str
    private_pem: str | None

    def key_file(self, base_url: str) -> dict[str, Any]:
        """Return the service-account JSON key file, its endpoints at ``base_url``.

        The fields and their order are those of a key file Google Cloud downloads.
        ``private_key`` is left out when the caller supplied the public key (and keeps the
        private one). The certificate addresses are the emulator's (see
        :mod:`fakegmail.oauth.certificates`).
        """
        base = base_url if base_url.endswith("/") else base_url + "/"
        body: dict[str, Any] = {
            "type": "service_account",
            "project_id": self.account.project_id,
            "private_key_id": self.key_id,
        }
        if self.private_pem is not None:
            body["private_key"] = self.private_pem
        body.update({
            "client_email": self.account.client_email,
            "client_id": self.account.client_id,
            "auth_uri": base + "o/oauth2/auth",
            "token_uri": base + "token",
            "auth_provider_x509_cert_url": base + "oauth2/v1/certs",
            "client_x509_cert_url": base + "robot/v1/metadata/x509/"
                                    + quote(self.account.client_email, safe=""),
            "universe_domain": UNIVERSE_DOMAIN,
        })
        return body


class ServiceAccounts:
    """The emulator's service accounts, by address; safe to share between threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._accounts: dict[str, ServiceAccount] = {}
        self._numbers = itertools.count(1)

    def get(self, client_email: str) -> ServiceAccount | None:
        """Return the service account ``client_email``, or None."""
        with self._lock:
            return self._accounts.get(client_email.strip().lower())

    def all(self) -> list[ServiceAccount]:
        """Return every service account, by address."""
        with self._lock:
            return sorted(self._accounts.values(), key=lambda a: a.client_email)

    def clear(self) -> None:
        """Forget every service account and key."""
        with self._lock:
            self._accounts.clear()

    def add_key(self, *, client_email: str | None = None, project_id: str | None = None,
                public_key_pem: str | None = None, key_id: str | None = None,
                delegation: Mapping[str, Iterable[str]] | None = None) -> IssuedKey:
        """Create the service account if needed and give it a new key.

        Without ``public_key_pem`` an RSA key pair is generated and its private half is
        returned once (in the key file) and not kept. ``delegation`` (domain -> scopes),
        when given, replaces the account's delegation. Raises ValueError on bad input,
        naming the field.
        """
        public_key = load_public_key(public_key_pem) if public_key_pem is not None else None
        if key_id is not None and not _KEY_ID.match(key_id):
            raise ValueError("'key_id' must be 1-64 letters, digits, '-' or '_'.")
        if project_id is not None and not _PROJECT_ID.match(project_id):
            raise ValueError("'project_id' must be 6-30 lowercase letters, digits or "
                             "hyphens, starting with a letter (as Google Cloud's).")
        checked = checked_delegation(delegation) if delegation is not None else None
        private_pem: str | None = None
        if public_key is None:
            private = rsa.generate_private_key(public_exponent=65537, key_size=MIN_KEY_BITS)
            public_key = private.public_key()
            private_pem = private.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption()).decode("ascii")
        with self._lock:
            number = next(self._numbers)
            project = project_id or "fakegmail-test"
            email = (client_email or f"robot-{number}@{project}.iam.gserviceaccount.com")
            email = email.strip().lower()
            account = self._accounts.get(email)
            if account is None:
                account = ServiceAccount(
                    client_email=email,
                    client_id=str(10**20 + secrets.randbelow(9 * 10**20)),
                    project_id=project,
                )
                self._accounts[email] = account
            new_id = key_id or secrets.token_hex(20)
            if new_id in account.keys:
                raise ValueError(f"'key_id' {new_id} is already one of this account's keys.")
            account.keys[new_id] = public_key
            if checked is not None:
                account.delegation = checked
        return IssuedKey(account=account, key_id=new_id, private_pem=private_pem)


def load_public_key(pem: str) -> rsa.RSAPublicKey:
    """Read an RSA public key (PEM ``PUBLIC KEY``) or an X.509 certificate holding one, as
    Google's "upload a public key" accepts; at least 2048 bits."""
    data = pem.encode("ascii", "replace")
    try:
        if b"BEGIN CERTIFICATE" in data:
            key: Any = x509.load_pem_x509_certificate(data).public_key()
        else:
            key = serialization.load_pem_public_key(data)
    except ValueError:
        raise ValueError("'public_key' must be a PEM RSA public key or X.509 "
                         "certificate.") from None
    if not isinstance(key, rsa.RSAPublicKey) or key.key_size < MIN_KEY_BITS:
        raise ValueError(f"'public_key' must be an RSA key of at least {MIN_KEY_BITS} bits "
                         "(service-account keys are RS256).")
    return key


def checked_delegation(delegation: Mapping[str, Iterable[str]]) -> dict[str, frozenset[str]]:
    """Return ``delegation`` with lowercased domains; ValueError when a domain or scope list
    is not one an admin could enter."""
    checked: dict[str, frozenset[str]] = {}
    for domain, scopes in delegation.items():
        name = domain.strip().lower() if isinstance(domain, str) else ""
        if not _DOMAIN.match(name):
            raise ValueError(f"'domain_wide_delegation': {domain!r} is not a domain name.")
        if name in CONSUMER_DOMAINS:
            raise ValueError(f"'domain_wide_delegation': {name} accounts are consumer "
                             "accounts; only a Workspace domain can delegate authority.")
        listed = list(scopes) if isinstance(scopes, (list, tuple)) else None
        if not listed or not all(isinstance(s, str) and s.strip() for s in listed):
            raise ValueError(f"'domain_wide_delegation': {name} needs a non-empty list of "
                             "scopes, e.g. [\"https://mail.google.com/\"].")
        checked[name] = frozenset(s.strip() for s in listed)
    return checked


def delegation_json(delegation: Mapping[str, frozenset[str]]) -> dict[str, list[str]]:
    """Return ``delegation`` as JSON: domain -> sorted scopes."""
    return {domain: sorted(scopes) for domain, scopes in sorted(delegation.items())}

