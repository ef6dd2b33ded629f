"""A reader in Makassar sees Makassar times: the page reports the browser's time zone."""

from __future__ import annotations

from playwright.sync_api import Browser, expect

from tests.browser.conftest import Site, seed, sign_in


def test_times_are_shown_in_the_browsers_time_zone(browser: Browser, site: Site):
    context = browser.new_context(locale="en-US", timezone_id="Asia/Makassar")
    try:
        page = context.new_page()
        email = seed(site)
        sign_in(page, site, email)
        raw = (f"From: Dewi <dewi@anggraini.test>\r\nTo: {email}\r\nSubject: Jadwal\r\n"
               "Message-ID: <jadwal-wita@anggraini.test>\r\n"
               "Date: Mon, 03 Mar 2025 09:00:00 +0700\r\n\r\nRapat pukul 10 WITA.\r\n").encode()
        thread_id = site.emulator.state.account(email).mailbox.add_message(
            raw, label_ids=["INBOX"]).thread_id
        page.goto(site.url + f"u/0/t/{thread_id}")
        # 09:00 in Jakarta is 10:00 in Makassar (WITA, UTC+8)
        expect(page.locator("article time").first).to_have_text("Mar 3, 2025, 10:00:00\u202fAM")
        assert {c["name"]: c["value"] for c in context.cookies()}["mailguard_tz"] == (
            "Asia/Makassar")
    finally:
        context.close()
