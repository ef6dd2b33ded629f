"""Google's OAuth 2.0 and OpenID Connect endpoints, as google-auth-oauthlib drives them.

Authorization code flow with PKCE: ``/o/oauth2/auth`` shows a consent page listing the
emulator's accounts; "Allow" redirects back with a single-use code that ``/token`` trades
(with the code verifier) for tokens from the emulator's ``TokenStore``. Also served:
refresh, revocation, userinfo, the signing keys (JWKS and X.509 certificates, also a
service account's) and the OpenID configuration.

Clients: any client id is accepted until one is registered through the control API
(``POST /_emulator/clients``); from then on only registered clients, with their secret and
redirect URIs, are. Tokens and codes are never logged.
"""

from __future__ import annotations

from fakegmail.oauth import (  # noqa: F401 - registers views
    certificates,
    consent,
    openid,
    token,
    tokeninfo,
)
from fakegmail.oauth.blueprint import blueprint, oauth_registry
from fakegmail.oauth.registry import Client, OAuthError, OAuthRegistry

__all__ = ["Client", "OAuthError", "OAuthRegistry", "blueprint", "oauth_registry"]
