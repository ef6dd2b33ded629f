"""Google's OAuth web-server flow with PKCE, and what the granted scopes allow.

Scopes: ``gmail.modify`` is the least scope that covers every feature of the client —
reading, searching, labelling, archiving, trashing (not permanent deletion), drafts,
sending and listing send-as aliases. ``gmail.send`` or ``gmail.compose`` alone would not
let the client read; ``gmail.readonly`` would not let it send or organise; the full
``https://mail.google.com/`` scope would add permanent deletion, which the client never
does. ``openid email profile`` identify who signed in.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import google.auth.transport.requests
import requests
from google.oauth2 import id_token
from google.oauth2.credentials import Credentials
from google_auth_oauthlib.flow import Flow

from webclient.config import OAuthClientConfig

GMAIL_MODIFY = "https://www.googleapis.com/auth/gmail.modify"
USERINFO_EMAIL = "https://www.googleapis.com/auth/userinfo.email"
USERINFO_PROFILE = "https://www.googleapis.com/auth/userinfo.profile"
SCOPES: tuple[str, ...] = ("openid", "email", "profile", GMAIL_MODIFY)
#: Scopes the client cannot work without, and what each one is for (shown when missing).
REQUIRED_SCOPES: dict[str, str] = {
    GMAIL_MODIFY: "read, search, organise, draft and send your mail",
    "email": "know which Google account you signed in with",
}
_ALIASES = {USERINFO_EMAIL: "email", USERINFO_PROFILE: "profile"}


class SignInError(Exception):
    """Google's answer could not be accepted; ``reason`` says what the user should do."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class PendingSignIn:
    """What the callback needs to finish the flow, kept in the signed session cookie."""

    state: str
    code_verifier: str

    def to_session(self) -> dict[str, str]:
        """Return the session form."""
        return {"state": self.state, "code_verifier": self.code_verifier}

    @classmethod
    def from_session(cls, data: Any) -> PendingSignIn | None:
        """Read the session form; None when absent or malformed."""
        if not isinstance(data, dict):
            return None
        state, verifier = data.get("state"), data.get("code_verifier")
        if not isinstance(state, str) or not isinstance(verifier, str):
            return None
        return cls(state=state, code_verifier=verifier)


@dataclass(frozen=True, slots=True)
class SignedIn:
    """The outcome of a completed flow: who, their credentials and the granted scopes."""

    email: str
    name: str
    credentials: Credentials
    granted_scopes: frozenset[str]


def _flow(client: OAuthClientConfig, redirect_uri: str, *, state: str | None = None,
          code_verifier: str | None = None) -> Flow:
    return Flow.from_client_config(client.flow_config(redirect_uri), scopes=list(SCOPES),
                                   redirect_uri=redirect_uri, state=state,
                                   code_verifier=code_verifier,
                                   autogenerate_code_verifier=True)


def start(client: OAuthClientConfig, redirect_uri: str, *,
          login_hint: str | None = None) -> tuple[str, PendingSignIn]:
    """Return Google's authorization URL and the state to keep until the callback."""
    flow = _flow(client, redirect_uri)
    extra = {"login_hint": login_hint} if login_hint else {}
    url, state = flow.authorization_url(access_type="offline", include_granted_scopes="true",
                                        prompt="consent select_account", **extra)
    return url, PendingSignIn(state=state, code_verifier=str(flow.code_verifier))


def normalise_scopes(scopes: Iterable[str]) -> frozenset[str]:
    """Return the scopes with Google's long userinfo names mapped to the short ones."""
    return frozenset(_ALIASES.get(s, s) for s in scopes)


def missing_scopes(granted: Iterable[str]) -> tuple[str, ...]:
    """Return the required scopes that were not granted, in a stable order."""
    have = normalise_scopes(granted)
    return tuple(s for s in REQUIRED_SCOPES if s not in have)


def finish(client: OAuthClientConfig, redirect_uri: str, pending: PendingSignIn, *,
           state: str, code: str, session: requests.Session | None = None) -> SignedIn:
    """Exchange the code (with the PKCE verifier) and verify who signed in."""
    if not hmac.compare_digest(state.encode(), pending.state.encode()):
        raise SignInError("the sign-in answer does not match the sign-in you started; "
                          "start again")
    flow = _flow(client, redirect_uri, state=pending.state,
                 code_verifier=pending.code_verifier)
    try:
        token = flow.fetch_token(code=code)
    except Exception as error:  # oauthlib and requests raise many types here
        raise SignInError(f"Google did not accept the sign-in ({type(error).__name__}); "
                          f"start again") from None
    raw_scope = token.get("scope") or ()
    granted = frozenset(raw_scope.split() if isinstance(raw_scope, str) else raw_scope)
    identity = _identity(client, token.get("id_token"), session)
    credentials = flow.credentials
    credentials = Credentials(
        token=credentials.token, refresh_token=credentials.refresh_token,
        token_uri=client.token_uri, client_id=client.client_id,
        client_secret=client.client_secret, scopes=sorted(granted),
        expiry=credentials.expiry)
    return SignedIn(email=identity["email"], name=identity.get("name") or "",
                    credentials=credentials, granted_scopes=granted)


def _identity(client: OAuthClientConfig, token: Any,
              session: requests.Session | None) -> dict[str, str]:
    if not isinstance(token, str):
        raise SignInError("Google did not say who signed in; allow the 'email' permission "
                          "and start again")
    request = google.auth.transport.requests.Request(session=session)
    try:
        claims = id_token.verify_token(token, request, audience=client.client_id,
                                       certs_url=client.certs_uri, clock_skew_in_seconds=60)
    except Exception as error:  # google.auth raises ValueError and transport errors
        raise SignInError(f"the identity token could not be verified "
                          f"({type(error).__name__}); start again") from None
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email or not claims.get("email_verified",
                                                                         True):
        raise SignInError("Google did not give a verified email address; allow the "
                          "'email' permission and start again")
    return {"email": email.lower(), "name": str(claims.get("name") or "")}
