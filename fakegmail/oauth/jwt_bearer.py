"""The JWT-bearer grant (RFC 7523) service accounts use at the token endpoint.

google-auth's ``service_account.Credentials`` posts ``grant_type=urn:ietf:params:oauth:
grant-type:jwt-bearer`` and an ``assertion`` signed RS256 with the key file's private key,
its header naming the key (``kid`` = ``private_key_id``) and its claims ``iss`` (the
service account), ``aud``, ``scope``, ``iat``/``exp`` and, for domain-wide delegation
(``with_subject``), ``sub``. The checks and their answers follow Google's token endpoint
(its service-account guide's error table): a bad signature, lifetime or audience is 400
``invalid_grant``; a subject whose domain has not delegated every requested scope to the
client is 401 ``unauthorized_client``. No client id or secret is sent with this grant.
The assertion and the tokens are never logged.
"""

from __future__ import annotations

from typing import Any

import jwt
from flask import Response, jsonify, request

from fakegmail.oauth.blueprint import emulator_state
from fakegmail.oauth.registry import OAuthError
from fakegmail.service_accounts import ServiceAccount
from fakegmail.tokens import TokenGrant

GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer"
#: The audiences Google's token endpoint accepts. google-auth signs ``aud`` as
#: ``https://oauth2.googleapis.com/token`` whatever the key file's ``token_uri`` (older
#: releases signed the ``token_uri``), so the emulator takes these and its own token URL.
GOOGLE_TOKEN_AUDIENCES = frozenset({
    "https://oauth2.googleapis.com/token",
    "https://www.googleapis.com/oauth2/v4/token",
    "https://accounts.google.com/o/oauth2/token",
})
MAX_LIFETIME = 3600
"""An assertion may live at most an hour (``exp - iat``)."""
CLOCK_SKEW = 60
"""Seconds an assertion's ``iat`` may lie ahead of the emulator's clock, or its ``exp``
behind it."""

SIGNATURE = "Invalid JWT Signature."
LIFETIME = ("Invalid JWT: Token must be a short-lived token (60 minutes) and in a "
            "reasonable timeframe. Check your iat and exp values in the JWT claim.")
NOT_DELEGATED = ("Client is unauthorized to retrieve access tokens using this method, or "
                 "client not authorized for any of the scopes requested.")
NO_SCOPE = "Invalid OAuth scope or ID token audience provided."


def exchange_assertion() -> Response:
    """Verify the request's assertion and answer Google's token response for it."""
    assertion = request.form.get("assertion", "")
    if not assertion:
        raise OAuthError("invalid_request", "Missing required parameter: assertion")
    header, claims = _unverified(assertion)
    account = _issuer(claims)
    _verify_signature(assertion, header, account)
    _check_times(claims)
    _check_audience(claims)
    grant = _mint(account, claims)
    body = {
        "access_token": grant.access_token,
        "expires_in": max(0, round(grant.expires_at - emulator_state().clock())),
        "token_type": "Bearer",
    }
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-cache, no-store, max-age=0, must-revalidate"
    response.headers["Pragma"] = "no-cache"
    return response


def _unverified(assertion: str) -> tuple[dict[str, Any], dict[str, Any]]:
    try:
        header = jwt.get_unverified_header(assertion)
        claims = jwt.decode(assertion, options={"verify_signature": False})
    except jwt.PyJWTError:
        raise OAuthError("invalid_grant", "Invalid JWT: the assertion is not a "
                                          "signed JSON Web Token.") from None
    if not isinstance(claims, dict):
        raise OAuthError("invalid_grant", "Invalid JWT: the claims are not a JSON object.")
    return header, claims


def _issuer(claims: dict[str, Any]) -> ServiceAccount:
    issuer = claims.get("iss")
    account = (emulator_state().service_accounts.get(issuer)
               if isinstance(issuer, str) and issuer else None)
    if account is None:
        raise OAuthError("invalid_grant", "Invalid grant: account not found")
    return account


def _verify_signature(assertion: str, header: dict[str, Any], account: ServiceAccount) -> None:
    """Check the RS256 signature with the key ``kid`` names (each key when there is none)."""
    if header.get("alg") != "RS256":
        raise OAuthError("invalid_grant", SIGNATURE)
    kid = header.get("kid")
    if kid is None:
        keys = list(account.keys.values())
    else:
        key = account.keys.get(kid) if isinstance(kid, str) else None
        keys = [key] if key is not None else []
    for key in keys:
        try:
            jwt.decode(assertion, key, algorithms=["RS256"],
                       options={"verify_aud": False, "verify_exp": False,
                                "verify_iat": False, "verify_nbf": False})
        except jwt.InvalidSignatureError:
            continue
        except jwt.PyJWTError:
            break
        return
    raise OAuthError("invalid_grant", SIGNATURE)


def _check_times(claims: dict[str, Any]) -> None:
    iat, exp = claims.get("iat"), claims.get("exp")
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (iat, exp)):
        raise OAuthError("invalid_grant", LIFETIME)
    assert isinstance(iat, (int, float)) and isinstance(exp, (int, float))
    now = emulator_state().clock()
    if (exp <= iat or exp - iat > MAX_LIFETIME or iat > now + CLOCK_SKEW
            or exp < now - CLOCK_SKEW):
        raise OAuthError("invalid_grant", LIFETIME)


def _check_audience(claims: dict[str, Any]) -> None:
    own = {request.url_root + "token", request.url_root + "o/oauth2/token", request.base_url}
    if claims.get("aud") not in GOOGLE_TOKEN_AUDIENCES | own:
        raise OAuthError("invalid_grant", "Invalid JWT: Failed audience check. The right "
                                          "audience is https://oauth2.googleapis.com/token")


def _mint(account: ServiceAccount, claims: dict[str, Any]) -> TokenGrant:
    """Issue the token: as ``sub`` when delegated for its domain and scopes, else the
    service account's own."""
    scope = claims.get("scope")
    scopes = frozenset(scope.split()) if isinstance(scope, str) else frozenset()
    if not scopes:
        raise OAuthError("invalid_scope", NO_SCOPE)
    state = emulator_state()
    subject = claims.get("sub")
    if subject is None or subject == account.client_email:
        return state.tokens.mint(account.client_email, scopes, client_id=account.client_id,
                                 service_account=True)
    if not isinstance(subject, str) or "@" not in subject:
        raise OAuthError("invalid_grant", "Invalid email or User ID")
    delegated = account.delegated_scopes(subject)
    if delegated is None or not scopes <= delegated:
        raise OAuthError("unauthorized_client", NOT_DELEGATED, 401)
    user = state.account(subject)
    if user is None:
        raise OAuthError("invalid_grant", "Invalid email or User ID")
    return state.tokens.mint(user.email, scopes, client_id=account.client_id, delegated=True)
