"""Find the OAuth access token a request carries, where Google's APIs look for it.

Google takes the token from an ``Authorization: Bearer`` header or, as its standard query
parameters document, from ``access_token`` (``oauth_token`` is the older name). The header
wins when both are given.
"""

from __future__ import annotations

from flask import request

TOKEN_PARAMETERS = ("access_token", "oauth_token")


def request_token() -> str | None:
    """Return the request's access token, or None when it carries none."""
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip()
    for name in TOKEN_PARAMETERS:
        value = request.args.get(name)
        if value:
            return value.strip()
    return None
