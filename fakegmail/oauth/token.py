"""The token endpoint (code exchange with PKCE, refresh, service accounts' JWT-bearer
grant) and revocation."""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import replace
from typing import Any

import jwt
from flask import Response, jsonify, request

from fakegmail.oauth.blueprint import blueprint, emulator_state, oauth_registry
from fakegmail.oauth.consent import ordered_scopes
from fakegmail.oauth.jwt_bearer import GRANT_TYPE as JWT_BEARER
from fakegmail.oauth.jwt_bearer import exchange_assertion
from fakegmail.oauth.openid import issuer
from fakegmail.oauth.registry import (
    CONSUMER_DOMAINS,
    EMAIL_SCOPES,
    PKCE_CHARS,
    PROFILE_SCOPES,
    AuthCode,
    OAuthError,
    granted_scope_names,
    subject_id,
)
from fakegmail.tokens import TokenGrant


def _client_credentials() -> tuple[str, str | None]:
    """Return (client_id, client_secret) from HTTP Basic or the form; check registered ones."""
    basic = request.authorization
    if basic is not None and basic.type == "basic" and basic.username:
        client_id, secret = basic.username, basic.password
    else:
        client_id, secret = request.form.get("client_id", ""), request.form.get("client_secret")
    if not client_id:
        raise OAuthError("invalid_request", "Could not determine client ID from request.")
    registry = oauth_registry()
    if registry.clients:
        client = registry.clients.get(client_id)
        if client is None:
            raise OAuthError("invalid_client", "The OAuth client was not found.", 401)
        if not secret:
            raise OAuthError("invalid_request", "client_secret is missing.")
        if not hmac.compare_digest(secret, client.client_secret):
            raise OAuthError("invalid_client", "Unauthorized", 401)
    return client_id, secret


def _verify_pkce(code: AuthCode, verifier: str | None) -> None:
    challenge = code.request.code_challenge
    if challenge is None:
        return
    if not verifier:
        raise OAuthError("invalid_grant", "Missing code verifier.")
    if not PKCE_CHARS.match(verifier):
        raise OAuthError("invalid_grant", "Invalid code verifier: 43-128 unreserved characters.")
    if code.request.code_challenge_method == "S256":
        digest = hashlib.sha256(verifier.encode("ascii")).digest()
        computed = base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")
    else:
        computed = verifier
    if not hmac.compare_digest(computed, challenge):
        raise OAuthError("invalid_grant", "Invalid code verifier.")


def _id_token(grant: TokenGrant, nonce: str | None) -> str:
    """Sign an id_token carrying the claims its scopes allow.

    As Google documents: ``email`` and ``email_verified`` only with the ``email`` scope, the
    name claims only with ``profile``.
    """
    account = emulator_state().account(grant.email)
    now = int(emulator_state().clock())
    claims: dict[str, Any] = {
        "iss": issuer(), "azp": grant.client_id, "aud": grant.client_id,
        "sub": subject_id(grant.email),
        "at_hash": base64.urlsafe_b64encode(
            hashlib.sha256(grant.access_token.encode()).digest()[:16]).decode().rstrip("="),
        "iat": now, "exp": now + 3600,
    }
    if not grant.scopes.isdisjoint(EMAIL_SCOPES):
        claims.update(email=grant.email, email_verified=True)
    if not grant.scopes.isdisjoint(PROFILE_SCOPES):
        name = account.name if account else grant.email.split("@", 1)[0]
        given, _, family = name.partition(" ")
        claims.update(name=name, given_name=given)
        if family:
            claims["family_name"] = family
    domain = grant.email.rsplit("@", 1)[-1]
    if domain not in CONSUMER_DOMAINS:
        claims["hd"] = domain
    if nonce is not None:
        claims["nonce"] = nonce
    key, kid = oauth_registry().signing_key()
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


def _token_response(grant: TokenGrant, *, refresh: bool, nonce: str | None = None,
                    requested: tuple[str, ...] = ()) -> Response:
    body: dict[str, Any] = {
        "access_token": grant.access_token,
        "expires_in": max(0, round(grant.expires_at - emulator_state().clock())),
        "scope": " ".join(granted_scope_names(ordered_scopes(grant.scopes, requested))),
        "token_type": "Bearer",
    }
    if refresh:
        body["refresh_token"] = grant.refresh_token
    if "openid" in grant.scopes:
        body["id_token"] = _id_token(grant, nonce)
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-cache, no-store, max-age=0, must-revalidate"
    response.headers["Pragma"] = "no-cache"
    return response


def _exchange_code(client_id: str) -> Response:
    state = emulator_state()
    registry = oauth_registry()
    for required in ("code", "redirect_uri"):
        if not request.form.get(required):
            raise OAuthError("invalid_request", f"Missing required parameter: {required}")
    with registry.lock:
        code = registry.codes.pop(request.form["code"], None)
    if code is None:
        raise OAuthError("invalid_grant", "Malformed auth code, or the code was already used.")
    if code.expires_at <= state.clock():
        raise OAuthError("invalid_grant", "The auth code has expired (10 minutes); start the "
                                          "authorization again.")
    if code.request.client_id != client_id:
        raise OAuthError("invalid_grant", "The auth code was issued to another client.")
    if request.form["redirect_uri"] != code.request.redirect_uri:
        raise OAuthError("redirect_uri_mismatch", "redirect_uri must be the one used in the "
                                                  "authorization request.")
    _verify_pkce(code, request.form.get("code_verifier"))
    grant = state.tokens.mint(code.email, code.scopes, client_id=client_id)
    with registry.lock:
        registry.refresh_owners[grant.refresh_token] = (grant.email, client_id)
    return _token_response(grant, refresh=code.with_refresh_token, nonce=code.request.nonce,
                           requested=code.request.scopes)


def _refresh(client_id: str) -> Response:
    token = request.form.get("refresh_token", "")
    if not token:
        raise OAuthError("invalid_request", "Missing required parameter: refresh_token")
    tokens = emulator_state().tokens
    registry = oauth_registry()
    with registry.lock:
        owner = registry.refresh_owners.get(token)
    if owner is not None and owner[1] != client_id:
        raise OAuthError("unauthorized_client", "Unauthorized", 401)
    # Tokens minted through the control API belong to no client; any client may refresh them.
    grant = tokens.refresh(token, client_id) or tokens.refresh(token, "emulator")
    if grant is None:
        raise OAuthError("invalid_grant", "Token has been expired or revoked.")
    asked = request.form.get("scope", "").split()
    if asked:
        if not set(asked) <= grant.scopes:
            raise OAuthError("invalid_scope", "The requested scopes exceed those granted.")
        grant = replace(grant, scopes=frozenset(asked))
    return _token_response(grant, refresh=False)


@blueprint.post("/token")
@blueprint.post("/o/oauth2/token")
def token() -> Response:
    """Exchange an authorization code, a refresh token or a service account's signed
    assertion for tokens."""
    grant_type = request.form.get("grant_type", "")
    if grant_type == JWT_BEARER:  # the assertion, not a client secret, authenticates
        return exchange_assertion()
    client_id, _secret = _client_credentials()
    if grant_type == "authorization_code":
        return _exchange_code(client_id)
    if grant_type == "refresh_token":
        return _refresh(client_id)
    raise OAuthError("unsupported_grant_type", f"Invalid grant_type: {grant_type[:100]}")


@blueprint.route("/revoke", methods=["GET", "POST"])
@blueprint.route("/o/oauth2/revoke", methods=["GET", "POST"])
def revoke() -> Response:
    """Revoke an access or refresh token, and with it the grant it belongs to.

    As Google documents: revoking an access token also revokes its refresh token, and
    revoking a refresh token revokes the access tokens issued from it. The person's consent
    for that client is forgotten too, so the next sign-in is a first consent again. GET with
    ``?token=`` is served as well, as Google still does for older clients.
    """
    token_value = request.values.get("token", "")
    tokens = emulator_state().tokens
    live = tokens.lookup(token_value) if token_value else None
    if not token_value or not tokens.revoke(token_value):
        raise OAuthError("invalid_token", "Token expired or revoked")
    registry = oauth_registry()
    if live is not None:
        tokens.revoke(live.refresh_token)
        owner: tuple[str, str] | None = (live.email, live.client_id)
    else:
        with registry.lock:
            owner = registry.refresh_owners.get(token_value)
    if owner is not None:
        registry.forget_consent(*owner)
    return jsonify({})


@blueprint.errorhandler(OAuthError)
def _on_oauth_error(error: OAuthError) -> Response:
    response = jsonify({"error": error.error, "error_description": error.description})
    response.status_code = error.status
    return response

