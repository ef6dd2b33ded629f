"""The mail session cookie is written when the session changes, not on every response.

The server's session record ends a session (lifetime from sign-in, idle time), so a
cookie re-signed on every page extended nothing; it only cost each page a signature.
The cookie's own lifetime follows MAIL_SESSION_HOURS, so a longer configured session is
not cut short by the cookie.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.webclient.conftest import app_config, sign_in
from webclient import create_app

COOKIE = "mailguard_session"


def test_reading_pages_does_not_rewrite_the_cookie(signed_in):
    signed_in.get("/u/0/f/inbox")  # the first page after sign-in may still change it
    for path in ("/u/0/f/inbox", "/u/0/f/inbox", "/auth/accounts", "/u/0/f/inbox"):
        answer = signed_in.get(path)
        assert answer.status_code == 200
        assert not any(c.startswith(COOKIE + "=")
                       for c in answer.headers.getlist("Set-Cookie")), path


def _csrf(client):
    page = client.get("/auth/accounts").get_data(as_text=True)
    return page.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]


def test_the_cookie_lives_as_long_as_the_configured_mail_session(web_emulator, tmp_path,
                                                                 mailbox):
    app = create_app(app_config(web_emulator, tmp_path, MAIL_SESSION_HOURS=24))
    try:
        client = app.test_client()
        sign_in(client, web_emulator, mailbox.email)
        cookie = client.get_cookie(COOKIE)
        assert cookie is not None and cookie.expires is not None
        left = cookie.expires - datetime.now(UTC)
        assert timedelta(hours=23, minutes=50) < left <= timedelta(hours=24)
    finally:
        app.extensions["mailguard.guard"].close()


def test_a_signed_out_session_still_ends_at_once(signed_in):
    """Not refreshing the cookie must not keep a signed-out browser signed in."""
    token = _csrf(signed_in)
    assert signed_in.post("/auth/signout", headers={"X-CSRFToken": token}).status_code in (
        302, 303)
    assert signed_in.get("/u/0/f/inbox").status_code in (302, 303)
