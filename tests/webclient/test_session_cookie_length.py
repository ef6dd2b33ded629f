"""The session cookie's length must not reveal its secrets (no compression oracle).

The anonymous sign-in page stores a path the link chooses (``?next=``) in the same cookie
as the CSRF token. Were the cookie deflated, a ``next`` that repeats part of the token
would make the cookie shorter than one that does not, and the encrypted response's length
would confirm a guess. Written uncompressed, equal-length choices give equal-length cookies.
"""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer

from webclient.auth.views import NEXT_KEY

COOKIE = "mailguard_session"


def _session_cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None
    return cookie.value


def _csrf_token_in_session(app: Flask, cookie: str) -> str:
    signing = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    token = signing.loads(cookie)["csrf_token"]
    assert re.fullmatch(r"[0-9a-f]{40}", token)
    return str(token)


def _cookie_after_signin_page(app: Flask, next_path: str, token: str | None) -> str:
    """Open the sign-in page with ``next_path`` in a session whose CSRF token is ``token``."""
    client = app.test_client()
    client.get("/auth/signin")
    if token is not None:
        with client.session_transaction() as session:
            session["csrf_token"] = token
    assert client.get("/auth/signin", query_string={"next": next_path}).status_code == 200
    return _session_cookie(client)


def test_a_next_path_that_repeats_the_csrf_token_gives_a_cookie_of_the_same_length(
        app: Flask, client: FlaskClient) -> None:
    assert client.get("/auth/signin").status_code == 200
    token = _csrf_token_in_session(app, _session_cookie(client))
    guess = "/u/0/f/" + token  # a correct guess of the whole secret
    miss = "/u/0/f/" + "".join("0" if c != "0" else "1" for c in token)  # same length
    assert len(guess) == len(miss)

    right = _cookie_after_signin_page(app, guess, token)
    wrong = _cookie_after_signin_page(app, miss, token)

    assert len(right) == len(wrong)


def test_the_session_cookie_is_written_uncompressed(app: Flask, client: FlaskClient) -> None:
    client.get("/auth/signin", query_string={"next": "/u/0/f/" + "inbox" * 20})
    cookie = _session_cookie(client)
    # itsdangerous marks a deflated payload with a leading "."
    assert not cookie.startswith(".")
    assert "inbox" * 20 in app.session_interface.get_signing_serializer(  # type: ignore[attr-defined]
        app).loads(cookie)[NEXT_KEY]


def test_a_compressed_cookie_written_before_still_signs_nobody_out(
        app: Flask, client: FlaskClient) -> None:
    client.get("/auth/signin")
    current = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    payload = {**current.loads(_session_cookie(client)), NEXT_KEY: "/u/0/f/" + "starred" * 30}
    before = URLSafeTimedSerializer(current.secret_keys, salt=current.salt,
                                    serializer=current.serializer,
                                    signer_kwargs=current.signer_kwargs).dumps(payload)
    assert before.startswith(".")  # how Flask's own serializer wrote this session

    assert current.loads(before)[NEXT_KEY] == payload[NEXT_KEY]
    client.set_cookie(COOKIE, before)
    page = client.get("/auth/signin")
    assert page.status_code == 200
    assert _csrf_token_in_session(app, _session_cookie(client)) == payload["csrf_token"]
