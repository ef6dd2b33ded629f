"""The tokeninfo endpoint: what an access token or id_token stands for, as Google tells it."""

from __future__ import annotations

from typing import Any

import jwt
from flask import Response, jsonify, request

from fakegmail.bearer import request_token
from fakegmail.oauth.blueprint import blueprint, emulator_state, oauth_registry
from fakegmail.oauth.registry import EMAIL_SCOPES, granted_scope_names, subject_id


def _invalid() -> Response:
    response = jsonify({"error": "invalid_token", "error_description": "Invalid Value"})
    response.status_code = 400
    return response


def _access_token_info(token: str) -> Response:
    grant = emulator_state().tokens.lookup(token)
    if grant is None:
        return _invalid()
    expires_in = max(0, round(grant.expires_at - emulator_state().clock()))
    body: dict[str, Any] = {
        "azp": grant.client_id, "aud": grant.client_id, "sub": subject_id(grant.email),
        "scope": " ".join(sorted(granted_scope_names(grant.scopes))),
        "exp": str(int(grant.expires_at)),
        "expires_in": str(expires_in),
    }
    if not grant.scopes.isdisjoint(EMAIL_SCOPES):
        body.update(email=grant.email, email_verified="true")
    return jsonify(body)


def _id_token_info(token: str) -> Response:
    key, kid = oauth_registry().signing_key()
    try:
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(token, key.public_key(), algorithms=["RS256"],
                            options={"verify_aud": False, "verify_exp": False})
    except jwt.PyJWTError:
        return _invalid()
    if int(claims.get("exp", 0)) <= emulator_state().clock():
        return _invalid()
    body = {name: _as_string(value) for name, value in claims.items()}
    body.update(alg=str(header.get("alg", "")), kid=kid, typ="JWT")
    return jsonify(body)


def _as_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@blueprint.route("/tokeninfo", methods=["GET", "POST"])
@blueprint.route("/oauth2/v3/tokeninfo", methods=["GET", "POST"])
def tokeninfo() -> Response:
    """Describe an ``access_token`` or ``id_token``; 400 invalid_token when it is not live.

    As Google's v3 tokeninfo: every value is a string; an access token's answer names its
    client (``azp``/``aud``), account (``sub``, and ``email`` with the email scope), scopes
    and expiry; an id_token's answer is its verified claims plus the ``alg`` and ``kid``.
    The access token may also come as a bearer token in the Authorization header, as
    google-auth-library for Node.js sends it (``OAuth2Client.getTokenInfo``).
    """
    access_token = request.values.get("access_token") or request_token()
    if access_token:
        return _access_token_info(access_token)
    id_token = request.values.get("id_token")
    if id_token:
        return _id_token_info(id_token)
    return _invalid()
