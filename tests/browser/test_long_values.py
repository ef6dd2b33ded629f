"""Very long subjects and addresses wrap inside the page instead of widening it."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import Reader

LONG_LOCAL = "rekapitulasi.penjualan.bulanan.cabang.jakarta.selatan.q4.2025xx"
LONG_ADDRESS = f"{LONG_LOCAL}@{'sub' * 20}.{'divisi-keuangan' * 4}.example.co.id"
LONG_SUBJECT = "Laporan_" + "x" * 300


def test_a_thread_with_a_long_subject_and_address_does_not_scroll_sideways(reader: Reader):
    raw = (f"From: {LONG_ADDRESS}\r\nTo: {reader.email}, {LONG_ADDRESS}\r\n"
           f"Subject: {LONG_SUBJECT}\r\nDate: Mon, 03 Mar 2025 09:00:00 +0700\r\n\r\n"
           f"Halo.\r\n").encode()
    thread_id = reader.mailbox.add_message(raw, label_ids=["INBOX"]).thread_id
    page = reader.page
    page.goto(reader.site.url + f"u/0/t/{thread_id}")
    expect(page.locator("h1.thread-subject")).to_be_visible()
    assert page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth")
