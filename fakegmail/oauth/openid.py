"""OpenID Connect: userinfo, the signing keys (JWKS) and the provider configuration."""

from __future__ import annotations

import json
import time
from typing import Any

from flask import Response, jsonify, request

from fakegmail.bearer import request_token
from fakegmail.oauth.blueprint import blueprint, emulator_state, oauth_registry
from fakegmail.oauth.registry import CONSUMER_DOMAINS, GOOGLE_HOSTS, GOOGLE_ISSUER, subject_id


def issuer() -> str:
    """Return the issuer: Google's when reached under Google's hosts, else our base URL."""
    if request.host.split(":")[0] in GOOGLE_HOSTS:
        return GOOGLE_ISSUER
    return request.url_root.rstrip("/")


def _unauthorized(token_given: bool) -> Response:
    """Answer Google's userinfo 401; a token that was sent but is dead is ``invalid_token``."""
    response = jsonify({"error": "invalid_request", "error_description": "Invalid Credentials"})
    response.status_code = 401
    challenge = 'Bearer realm="https://accounts.google.com/"'
    if token_given:
        challenge += ', error="invalid_token"'
    response.headers["WWW-Authenticate"] = challenge
    return response


def _profile() -> dict[str, Any] | Response:
    """Return the OpenID claims of the bearer token's account, or the 401 to answer."""
    token = request_token() or ""
    grant = emulator_state().tokens.lookup(token) if token else None
    if grant is None:
        return _unauthorized(bool(token))
    account = emulator_state().account(grant.email)
    name = account.name if account else grant.email.split("@", 1)[0]
    given, _, family = name.partition(" ")
    body: dict[str, Any] = {"sub": subject_id(grant.email), "name": name,
                            "given_name": given, "email": grant.email,
                            "email_verified": True}
    if family:
        body["family_name"] = family
    domain = grant.email.rsplit("@", 1)[-1]
    if domain not in CONSUMER_DOMAINS:
        body["hd"] = domain
    return body


@blueprint.get("/oauth2/v3/userinfo")
@blueprint.get("/v1/userinfo")
def userinfo() -> Response:
    """Return the signed-in account's OpenID profile for a bearer access token."""
    body = _profile()
    return body if isinstance(body, Response) else jsonify(body)


@blueprint.get("/oauth2/v2/userinfo")
@blueprint.get("/oauth2/v1/userinfo")
def userinfo_v2() -> Response:
    """Return the profile in the older oauth2 v2 shape (``id``, ``verified_email``).

    google-api-python-client's ``oauth2`` v2 ``userinfo().get()`` reads these names, not
    the OpenID ones.
    """
    body = _profile()
    if isinstance(body, Response):
        return body
    renamed = {"sub": "id", "email_verified": "verified_email"}
    return jsonify({renamed.get(name, name): value for name, value in body.items()})


@blueprint.get("/oauth2/v3/certs")
def certs() -> Response:
    """Return the id_token signing keys (JWKS)."""
    response = jsonify(oauth_registry().jwks())
    response.headers["Cache-Control"] = "public, max-age=3600"
    response.headers["Expires"] = time.strftime("%a, %d %b %Y %H:%M:%S GMT",
                                                time.gmtime(time.time() + 3600))
    return response


@blueprint.get("/.well-known/openid-configuration")
def openid_configuration() -> Response:
    """Return the OpenID Provider metadata, every endpoint pointing at this emulator."""
    base = request.url_root
    body = {
        "issuer": issuer(),
        "authorization_endpoint": base + "o/oauth2/v2/auth",
        "token_endpoint": base + "token",
        "userinfo_endpoint": base + "v1/userinfo",
        "revocation_endpoint": base + "revoke",
        "jwks_uri": base + "oauth2/v3/certs",
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "email", "profile"],
        "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        "claims_supported": ["aud", "email", "email_verified", "exp", "family_name",
                             "given_name", "hd", "iat", "iss", "name", "nonce", "sub"],
        "code_challenge_methods_supported": ["plain", "S256"],
        "grant_types_supported": ["authorization_code", "refresh_token",
                                  "urn:ietf:params:oauth:grant-type:jwt-bearer"],
    }
    return Response(json.dumps(body, indent=1), mimetype="application/json")

