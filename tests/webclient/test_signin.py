"""Signing in through Google's (the emulator's) OAuth page, connecting and disconnecting."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from tests.webclient.conftest import consent, control, csrf_token, new_mailbox, sign_in


def test_sign_in_uses_pkce_offline_access_and_least_scopes(client, web_emulator):
    start = client.get("/auth/start")
    query = parse_qs(urlsplit(start.headers["Location"]).query)
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43
    assert query["access_type"] == ["offline"]
    assert set(query["scope"][0].split()) == {
        "openid", "email", "profile", "https://www.googleapis.com/auth/gmail.modify"}


def test_sign_in_connects_the_mailbox_and_opens_the_inbox(client, web_emulator, mailbox, app):
    answer = sign_in(client, web_emulator, mailbox.email)
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith("/u/0/")
    inbox = client.get("/u/0/f/inbox")
    assert inbox.status_code == 200
    assert mailbox.email in inbox.get_data(as_text=True)
    rows = app.extensions["mailguard.guard"].accounts.list_for(mailbox.email)
    assert [row.email for row in rows] == [mailbox.email]


def test_a_forged_state_is_refused(client, web_emulator, mailbox):
    start = client.get("/auth/start")
    back = urlsplit(consent(web_emulator, start.headers["Location"], mailbox.email))
    query = parse_qs(back.query)
    answer = client.get("/auth/callback", query_string={"code": query["code"][0],
                                                        "state": "forged"})
    assert answer.status_code == 400
    assert "does not match" in answer.get_data(as_text=True)
    assert client.get("/u/0/f/inbox").status_code == 302  # still signed out


def test_cancelling_at_google_connects_nothing(client, web_emulator, mailbox):
    start = client.get("/auth/start")
    back = urlsplit(consent(web_emulator, start.headers["Location"], mailbox.email,
                            action="cancel"))
    answer = client.get(f"{back.path}?{back.query}")
    assert answer.status_code == 400
    assert "cancelled" in answer.get_data(as_text=True)


def test_a_narrower_grant_explains_what_is_missing(client, web_emulator):
    box = new_mailbox(web_emulator, messages=1)
    control(web_emulator, "POST", "accounts", {"email": box.email, "grant_scopes": []})
    try:
        answer = sign_in(client, web_emulator, box.email)
    finally:
        control(web_emulator, "POST", "accounts", {"email": box.email,
                                                    "grant_scopes": [
                                                        "https://mail.google.com/",
                                                        "https://www.googleapis.com/auth/gmail.modify"]})
    assert answer.status_code == 403
    assert "Read, search, organise, draft and send your mail" in answer.get_data(as_text=True)


def test_several_accounts_connect_and_switch(signed_in, web_emulator, mailbox):
    second = new_mailbox(web_emulator, messages=3)
    answer = sign_in(signed_in, web_emulator, second.email)
    assert answer.status_code == 302
    page = signed_in.get("/auth/accounts").get_data(as_text=True)
    assert mailbox.email in page and second.email in page
    # the user's own mailbox stays /u/0/; an added account takes the next number
    inbox = signed_in.get("/u/1/f/inbox").get_data(as_text=True)
    assert 'aria-current="page">' + second.email in inbox


def test_an_account_that_is_not_connected_is_not_found(signed_in):
    assert signed_in.get("/u/5/f/inbox").status_code == 404


def test_disconnect_revokes_and_forgets_the_account(signed_in, app, mailbox):
    token = csrf_token(signed_in)
    answer = signed_in.post("/auth/accounts/0/disconnect",
                            data={"csrf_token": token})
    assert answer.status_code == 302
    assert app.extensions["mailguard.guard"].accounts.list_for(mailbox.email) == ()
    assert signed_in.get("/u/0/f/inbox").status_code == 404


def test_disconnect_without_the_csrf_token_is_refused(signed_in, app, mailbox):
    answer = signed_in.post("/auth/accounts/0/disconnect")
    assert answer.status_code == 400
    assert len(app.extensions["mailguard.guard"].accounts.list_for(mailbox.email)) == 1


def test_sign_out_forgets_the_session(signed_in):
    token = csrf_token(signed_in)
    assert signed_in.post("/auth/signout", data={"csrf_token": token}).status_code == 302
    assert signed_in.get("/u/0/f/inbox").headers["Location"].startswith("/auth/signin")
