"""Headers, cookies, CSRF and the audit trail of what the web client asks Gmail for."""

from __future__ import annotations

import pytest

from tests.webclient.conftest import (
    app_config,
    audit_entries,
    control,
    deliver,
    post,
    sign_in,
)
from webclient import create_app
from webclient.config import ConfigError


def test_pages_carry_a_strict_policy_and_no_store(signed_in):
    page = signed_in.get("/u/0/f/inbox")
    policy = page.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert "object-src 'none'" in policy
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Referrer-Policy"] == "same-origin"
    assert page.headers["X-Frame-Options"] == "DENY"


def test_pages_use_no_inline_script_or_style(signed_in, mailbox):
    stored = deliver(mailbox, subject="Look")
    for path in ("/u/0/f/inbox", f"/u/0/t/{stored.thread_id}", "/u/0/compose",
                 "/auth/accounts"):
        text = signed_in.get(path).get_data(as_text=True)
        assert "<script>" not in text and " onclick=" not in text and " style=" not in text
        assert "<style" not in text


def test_session_cookie_is_httponly_lax_and_secure_outside_tests(web_emulator, tmp_path):
    app = create_app(app_config(web_emulator, tmp_path, SESSION_COOKIE_SECURE=True))
    try:
        client = app.test_client()
        answer = client.get("/auth/start", base_url="https://localhost")
        cookie = answer.headers["Set-Cookie"]
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie
    finally:
        app.extensions["mailguard.guard"].close()


def test_missing_settings_stop_start_up_with_what_to_set(web_emulator, tmp_path):
    config = app_config(web_emulator, tmp_path)
    del config["TOKEN_KEYS"]
    with pytest.raises(ConfigError, match="MAILGUARD_TOKEN_KEYS"):
        create_app(config)


def test_signed_out_visitors_are_sent_to_sign_in(client):
    answer = client.get("/u/0/f/inbox")
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/auth/signin")
    assert client.get("/").headers["Location"] == "/auth/signin"


def test_every_gmail_call_of_a_session_is_audited_with_its_purpose(signed_in, mailbox, app):
    control(mailbox.emulator, "DELETE", "stats")
    stored = deliver(mailbox, subject="Audited", attachments=(
        ("a.txt", "text/plain", b"hello"),))
    before = app.extensions["mailguard.guard"].audit.size()
    signed_in.get("/u/0/f/inbox")
    signed_in.get("/u/0/search?q=Audited")
    signed_in.get(f"/u/0/t/{stored.thread_id}")
    signed_in.get(f"/u/0/m/{stored.id}/frame")
    post(signed_in, "/u/0/act", {"action": "star", "thread_ids": stored.thread_id})
    post(signed_in, "/u/0/compose", {"action": "send", "to": "x@example.org",
                                     "subject": "Audit me", "body": "b"})
    entries = [e for e in audit_entries(app) if e.seq >= before]
    purposes = {(e.purpose, e.action) for e in entries}
    assert ("email.read", "threads.list") in purposes
    assert ("email.search", "threads.list") in purposes
    assert ("email.read", "threads.get") in purposes
    assert ("email.read", "messages.get") in purposes
    assert ("email.organize", "threads.modify") in purposes
    assert ("email.send", "messages.send") in purposes
    assert all(e.decision.value == "allow" for e in entries)
    assert all(e.request_id for e in entries)


def test_another_users_session_cannot_open_a_mailbox_it_did_not_connect(app, web_emulator,
                                                                       mailbox):
    from tests.webclient.conftest import new_mailbox

    first, second = app.test_client(), app.test_client()
    other = new_mailbox(web_emulator, messages=2)
    assert sign_in(first, web_emulator, mailbox.email).status_code == 302
    assert sign_in(second, web_emulator, other.email).status_code == 302
    # Each session sees only its own mailbox as account 0; there is no account 1.
    assert mailbox.email in first.get("/u/0/f/inbox").get_data(as_text=True)
    assert other.email in second.get("/u/0/f/inbox").get_data(as_text=True)
    assert second.get("/u/1/f/inbox").status_code == 404


def test_a_refused_refresh_asks_the_user_to_reconnect(signed_in, mailbox, app):
    control(mailbox.emulator, "POST", "tokens/expire", {"email": mailbox.email})
    guard = app.extensions["mailguard.guard"]
    tokens = guard.vault.get(mailbox.email)
    guard.vault.put(mailbox.email, type(tokens)(**{**_fields(tokens),
                                                  "refresh_token": "1//revoked"}))
    answer = signed_in.get("/u/0/f/inbox")
    assert answer.status_code == 401
    text = answer.get_data(as_text=True)
    assert "Reconnect your Gmail account" in text
    assert "/auth/accounts/0/reconnect" in text


def _fields(value):
    return {name: getattr(value, name) for name in value.__dataclass_fields__}


def test_reconnecting_starts_google_sign_in_for_that_account(signed_in, mailbox, app):
    guard = app.extensions["mailguard.guard"]
    guard.accounts.mark_needs_reconnect(mailbox.email)
    page = signed_in.get("/auth/accounts").get_data(as_text=True)
    assert "Google withdrew access." in page
    answer = signed_in.get("/auth/accounts/0/reconnect")
    assert answer.headers["Location"] == "/auth/start"
    start = signed_in.get("/auth/start")
    assert "login_hint=" + mailbox.email.replace("@", "%40") in start.headers["Location"]


def test_behind_a_proxy_the_redirect_uri_is_the_public_https_one(web_emulator, tmp_path):
    app = create_app(app_config(web_emulator, tmp_path, BEHIND_PROXY=True))
    try:
        answer = app.test_client().get("/auth/start", headers={
            "X-Forwarded-Proto": "https", "X-Forwarded-Host": "mail.qontak.test"})
        assert "redirect_uri=https%3A%2F%2Fmail.qontak.test%2Fauth%2Fcallback" in \
            answer.headers["Location"]
    finally:
        app.extensions["mailguard.guard"].close()


def test_settings_come_from_the_environment(tmp_path):
    from webclient.config import from_environment

    client_file = tmp_path / "client.json"
    client_file.write_text('{"web": {"client_id": "id-1", "client_secret": "s-1"}}')
    settings = from_environment({
        "MAILGUARD_SECRET_KEY": "k" * 32, "MAILGUARD_DATABASE_URL": "sqlite:///x.db",
        "MAILGUARD_TOKEN_KEYS": "new, old", "MAILGUARD_AUDIT_HMAC_KEY": "ab" * 16,
        "MAILGUARD_OAUTH_CLIENT_FILE": str(client_file),
        "MAILGUARD_GMAIL_ROOT_URL": "http://127.0.0.1:9/", "MAILGUARD_BEHIND_PROXY": "1"})
    assert settings["TOKEN_KEYS"] == ("new", "old")
    assert settings["OAUTH_CLIENT"].client_id == "id-1"
    assert settings["OAUTH_CLIENT"].token_uri == "https://oauth2.googleapis.com/token"
    assert settings["GMAIL_ROOT_URL"] == "http://127.0.0.1:9/"
    assert settings["BEHIND_PROXY"] is True


def test_without_the_audit_log_no_mail_is_shown(signed_in, app, web_emulator):
    app.extensions["mailguard.guard"].audit.close()
    control(web_emulator, "DELETE", "stats")
    answer = signed_in.get("/u/0/f/inbox")
    assert answer.status_code == 503
    assert "MailGuard cannot record access to your mail right now" in answer.get_data(
        as_text=True)
    assert control(web_emulator, "GET", "stats")["total_calls"] == 0
