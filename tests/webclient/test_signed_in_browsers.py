"""The accounts page lists the browsers signed in and signs them all out (ASVS V3.3.4)."""

from __future__ import annotations

from tests.webclient.conftest import csrf_token, sign_in


def test_each_browser_is_listed_and_this_one_is_marked(app, signed_in, web_emulator, mailbox):
    other = app.test_client()
    sign_in(other, web_emulator, mailbox.email)
    page = signed_in.get("/auth/accounts").get_data(as_text=True)
    assert page.count("Signed in ") == 2
    assert page.count("(this browser)") == 1


def test_signing_out_everywhere_ends_every_copy(app, signed_in, web_emulator, mailbox):
    other = app.test_client()
    sign_in(other, web_emulator, mailbox.email)
    assert other.get("/u/0/f/inbox").status_code == 200
    answer = signed_in.post("/auth/signout-everywhere",
                            data={"csrf_token": csrf_token(signed_in)})
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/auth/signin")
    for browser in (signed_in, other):
        assert browser.get("/u/0/f/inbox").status_code == 302
    # the Gmail account stays connected: signing in again opens the same mailbox
    again = app.test_client()
    sign_in(again, web_emulator, mailbox.email)
    assert again.get("/u/0/f/inbox").status_code == 200


def test_signing_out_everywhere_needs_the_form_token(signed_in):
    assert signed_in.post("/auth/signout-everywhere").status_code == 400
    assert signed_in.get("/u/0/f/inbox").status_code == 200


def test_the_page_speaks_indonesian(signed_in):
    signed_in.set_cookie("mailguard_lang", "id")
    page = signed_in.get("/auth/accounts", headers={"Accept-Language": "id"}).get_data(
        as_text=True)
    assert "Keluar di semua browser" in page and "(browser ini)" in page
