"""Staff sign-in with Google OpenID Connect, restricted to Qontak's Google Workspace domain.

The flow is the authorization-code flow with PKCE (S256), a ``state`` bound to the
browser and a ``nonce`` bound to the id_token. The id_token is verified against the
provider's published keys (``certs_uri``): signature, audience (our client id), issuer,
expiry, nonce; then the hosted-domain claim ``hd`` and the address's domain must both be
the configured staff domain and the address must be verified. The ``hd`` request
parameter only pre-selects accounts at Google; the claim is what is trusted.

Security caveat: the identity is only the start; the staff registry decides whether the
person is staff and which roles they hold.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

import google.auth.transport.requests
import requests
from google.oauth2 import id_token

from webclient.config import OAuthClientConfig

SCOPES = ("openid", "email", "profile")
GOOGLE_ISSUERS = frozenset({"accounts.google.com", "https://accounts.google.com"})
GOOGLE_HOST = "accounts.google.com"


class StaffSignInError(Exception):
    """Google's answer cannot be accepted as a staff sign-in; ``code`` names why."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


@dataclass(frozen=True, slots=True)
class PendingStaffSignIn:
    """What the callback needs to finish the flow, kept in the signed session cookie."""

    state: str
    nonce: str
    code_verifier: str

    def to_session(self) -> dict[str, str]:
        """Return the session form."""
        return {"state": self.state, "nonce": self.nonce, "code_verifier": self.code_verifier}

    @classmethod
    def from_session(cls, data: Any) -> PendingStaffSignIn | None:
        """Read the session form; None when absent or malformed."""
        if not isinstance(data, dict):
            return None
        values: list[Any] = [data.get(k) for k in ("state", "nonce", "code_verifier")]
        if not all(isinstance(v, str) and v for v in values):
            return None
        return cls(state=values[0], nonce=values[1], code_verifier=values[2])


@dataclass(frozen=True, slots=True)
class StaffIdentity:
    """Who signed in, as Google vouched for it."""

    email: str
    name: str
    hosted_domain: str


def expected_issuers(client: OAuthClientConfig) -> frozenset[str]:
    """Return the issuers accepted for ``client``: Google's, or the stand-in's origin."""
    parts = urlsplit(client.auth_uri)
    if parts.hostname == GOOGLE_HOST:
        return GOOGLE_ISSUERS
    return frozenset({f"{parts.scheme}://{parts.netloc}"})


def start(client: OAuthClientConfig, redirect_uri: str, *, domain: str
          ) -> tuple[str, PendingStaffSignIn]:
    """Return the provider's authorization URL and what to keep until the callback."""
    pending = PendingStaffSignIn(state=secrets.token_urlsafe(24),
                                 nonce=secrets.token_urlsafe(24),
                                 code_verifier=secrets.token_urlsafe(48))
    challenge = base64.urlsafe_b64encode(
        hashlib.sha256(pending.code_verifier.encode("ascii")).digest()).decode().rstrip("=")
    query = urlencode({
        "client_id": client.client_id, "redirect_uri": redirect_uri, "response_type": "code",
        "scope": " ".join(SCOPES), "state": pending.state, "nonce": pending.nonce,
        "code_challenge": challenge, "code_challenge_method": "S256", "hd": domain,
        "prompt": "select_account",
    })
    joiner = "&" if "?" in client.auth_uri else "?"
    return f"{client.auth_uri}{joiner}{query}", pending


def finish(client: OAuthClientConfig, redirect_uri: str, pending: PendingStaffSignIn, *,
           state: str, code: str, domain: str,
           session: requests.Session | None = None) -> StaffIdentity:
    """Exchange ``code``, verify the id_token and the staff domain; return the identity."""
    if not hmac.compare_digest(state.encode(), pending.state.encode()):
        raise StaffSignInError("state", "the answer does not match the sign-in you started")
    http = session or requests.Session()
    try:
        answer = http.post(client.token_uri, data={
            "grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
            "client_id": client.client_id, "client_secret": client.client_secret,
            "code_verifier": pending.code_verifier}, timeout=10)
        body = answer.json() if answer.ok else {}
    except (requests.RequestException, ValueError):
        body = {}
    token = body.get("id_token") if isinstance(body, dict) else None
    if not isinstance(token, str):
        raise StaffSignInError("exchange", "Google did not complete the sign-in")
    return verify(client, token, nonce=pending.nonce, domain=domain, session=http)


def verify(client: OAuthClientConfig, token: str, *, nonce: str, domain: str,
           session: requests.Session | None = None) -> StaffIdentity:
    """Verify an id_token's signature and claims for a staff sign-in to ``domain``."""
    request = google.auth.transport.requests.Request(session=session)
    try:
        claims = id_token.verify_token(token, request, audience=client.client_id,
                                       certs_url=client.certs_uri, clock_skew_in_seconds=60)
    except Exception:  # noqa: BLE001 - google.auth raises ValueError and transport errors
        raise StaffSignInError("token", "the identity token could not be verified") from None
    if claims.get("iss") not in expected_issuers(client):
        raise StaffSignInError("issuer", "the identity token was not issued by Google")
    if not hmac.compare_digest(str(claims.get("nonce", "")).encode(), nonce.encode()):
        raise StaffSignInError("nonce", "the identity token belongs to another sign-in")
    email = claims.get("email")
    wanted = domain.strip().lower()
    if not isinstance(email, str) or claims.get("email_verified") is not True:
        raise StaffSignInError("email", "Google did not give a verified email address")
    email = email.strip().lower()
    if str(claims.get("hd", "")).lower() != wanted or email.rpartition("@")[2] != wanted:
        raise StaffSignInError("domain", "the account is not in Qontak's Google Workspace")
    return StaffIdentity(email=email, name=str(claims.get("name") or ""),
                         hosted_domain=wanted)
