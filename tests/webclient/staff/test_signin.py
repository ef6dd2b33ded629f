"""Staff sign-in: OpenID Connect at the emulator, Qontak's domain, the registry, the session."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from audit import AuditQuery
from tests.webclient.conftest import csrf_token, sign_in
from tests.webclient.staff.conftest import (
    ADMIN,
    OPS,
    SECURITY_1,
    SUPPORT,
    guard_of,
    staff_sign_in,
)


def test_the_sign_in_page_offers_google_for_qontak_accounts(client):
    page = client.get("/staff/signin")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Sign in with your Qontak Google account" in text
    assert "qontak.com" in text
    assert page.headers["Cache-Control"] == "no-store"


def test_the_authorization_request_asks_for_identity_only_with_nonce_pkce_and_domain(client):
    start = client.get("/staff/start")
    assert start.status_code == 302
    query = parse_qs(urlsplit(start.headers["Location"]).query)
    assert query["scope"] == ["openid email profile"]
    assert query["hd"] == ["qontak.com"]
    assert query["redirect_uri"] == ["http://localhost/staff/callback"]
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["nonce"][0]) >= 20 and len(query["state"][0]) >= 20


def test_a_registered_member_signs_in_and_lands_on_their_section(client, web_emulator):
    answer = staff_sign_in(client, web_emulator, SUPPORT)
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/staff/"
    cookie = answer.headers["Set-Cookie"]
    assert "mailguard_staff=" in cookie and "Path=/staff" in cookie and "HttpOnly" in cookie
    home = client.get("/staff/")
    assert home.headers["Location"] == "/staff/consented"
    page = client.get("/staff/consented").get_data(as_text=True)
    assert SUPPORT in page and "Consent reference" in page


def test_operations_staff_land_on_the_aggregates(client, web_emulator):
    staff_sign_in(client, web_emulator, OPS)
    assert client.get("/staff/").headers["Location"] == "/staff/aggregates"


def test_an_unknown_qontak_account_is_refused_clearly_and_the_attempt_recorded(
        app, client, web_emulator):
    answer = staff_sign_in(client, web_emulator, "stranger@qontak.com")
    assert answer.status_code == 403
    assert "not registered as Qontak staff" in answer.get_data(as_text=True)
    assert "mailguard_staff=" not in answer.headers.get("Set-Cookie", "")
    refused = list(guard_of(app).audit.query(AuditQuery(action="staff.signin")))
    assert [(e.decision, e.rule_id) for e in refused] == [("deny", "staff.not_registered")]
    assert client.get("/staff/consented").status_code == 302


@pytest.mark.parametrize("email", ["someone@gmail.com", "outsider@partner.test"])
def test_accounts_outside_qontaks_domain_are_refused(client, web_emulator, email):
    answer = staff_sign_in(client, web_emulator, email)
    assert answer.status_code == 403
    assert "Only Qontak staff accounts (@qontak.com)" in answer.get_data(as_text=True)
    assert client.get("/staff/").status_code == 302


def test_a_forged_state_is_refused(client, web_emulator):
    client.get("/staff/start")
    answer = client.get("/staff/callback?state=forged&code=whatever")
    assert answer.status_code == 400
    assert client.get("/staff/").headers["Location"].startswith("/staff/signin")


def test_a_callback_without_a_started_sign_in_is_refused(client):
    answer = client.get("/staff/callback?state=x&code=y")
    assert answer.status_code == 400
    assert "expired or was started in another browser" in answer.get_data(as_text=True)


def test_a_mail_users_session_does_not_open_the_console(client, web_emulator, user):
    sign_in(client, web_emulator, user.email)
    assert client.get("/u/0/f/inbox").status_code == 200
    answer = client.get("/staff/grants")
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/staff/signin")


def test_a_staff_session_is_not_a_mail_session(client, web_emulator):
    staff_sign_in(client, web_emulator, SUPPORT)
    assert client.get("/u/0/f/inbox").headers["Location"].startswith("/auth/signin")


def test_a_tampered_session_cookie_is_the_login_page(client, web_emulator):
    staff_sign_in(client, web_emulator, SUPPORT)
    client.set_cookie("mailguard_staff", "eyJlbWFpbCI6ImV2ZUBxb250YWsuY29tIn0.forged",
                      path="/staff")
    assert client.get("/staff/consented").headers["Location"].startswith("/staff/signin")


def test_the_session_expires_on_the_guards_clock(client, web_emulator, clock):
    staff_sign_in(client, web_emulator, SUPPORT)
    for _ in range(23):  # a busy day: a page every 20 minutes up to 7 h 40
        clock.advance(minutes=20)
        assert client.get("/staff/consented").status_code == 200
    clock.advance(minutes=19)
    assert client.get("/staff/consented").status_code == 200
    clock.advance(minutes=2)
    expired = client.get("/staff/consented")
    assert expired.status_code == 302
    assert expired.headers["Location"] == "/staff/signin?next=/staff/consented"


def test_the_session_ends_after_thirty_idle_minutes(client, web_emulator, clock):
    # OWASP ASVS 4.0 level 2, V3.3.2: re-authentication after an idle period too
    staff_sign_in(client, web_emulator, SUPPORT)
    clock.advance(minutes=29)
    assert client.get("/staff/consented").status_code == 200
    clock.advance(minutes=30)
    idle = client.get("/staff/consented")
    assert idle.status_code == 302
    assert idle.headers["Location"] == "/staff/signin?next=/staff/consented"


def test_removing_a_member_ends_their_session_at_once(app, client, web_emulator):
    staff_sign_in(client, web_emulator, SUPPORT)
    guard_of(app).staff.remove(SUPPORT, by=ADMIN)
    assert client.get("/staff/consented").headers["Location"].startswith("/staff/signin")


def test_sign_out_ends_the_staff_session(client, web_emulator):
    staff_sign_in(client, web_emulator, SUPPORT)
    answer = client.post("/staff/signout",
                         data={"csrf_token": _token(client, "/staff/consented")})
    assert answer.status_code == 302
    assert client.get("/staff/consented").headers["Location"].startswith("/staff/signin")


def test_the_page_asked_for_is_opened_after_sign_in(client, web_emulator):
    client.get("/staff/signin?next=/staff/grants")
    answer = staff_sign_in(client, web_emulator, SECURITY_1)
    assert answer.headers["Location"] == "/staff/grants"


def test_a_member_with_two_roles_switches_between_them(app, client, web_emulator):
    guard_of(app).staff.add(SUPPORT, roles=["ops"], by=ADMIN)
    staff_sign_in(client, web_emulator, SUPPORT)
    assert client.get("/staff/").headers["Location"] == "/staff/aggregates"
    token = _token(client, "/staff/aggregates")
    client.post("/staff/role", data={"role": "support", "csrf_token": token})
    assert client.get("/staff/").headers["Location"] == "/staff/consented"
    refused = client.post("/staff/role", data={"role": "security", "csrf_token": token})
    assert refused.status_code == 403


def _token(client, path: str) -> str:
    return csrf_token(client, path)
