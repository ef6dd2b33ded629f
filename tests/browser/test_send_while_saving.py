"""Send pressed while the draft is still being saved, or pressed twice: one message, no draft.

The autosave that was on its way when Send was pressed used to finish after the send and
leave a draft of the sent message in Drafts; a second press sent the form again.
"""

from __future__ import annotations

import requests
from playwright.sync_api import expect

from tests.browser.conftest import Reader


def slow_draft_saves(reader: Reader, milliseconds: int) -> None:
    """Make Gmail take ``milliseconds`` over the next draft save."""
    answer = requests.post(reader.site.emulator.url + "_emulator/faults",
                           json={"method": "drafts.create", "latency_ms": milliseconds,
                                 "count": 1}, timeout=10)
    answer.raise_for_status()


def clear_faults(reader: Reader) -> None:
    requests.delete(reader.site.emulator.url + "_emulator/faults", timeout=10)


def sent_with(reader: Reader, subject: str) -> list[object]:
    return [m for m in reader.mailbox.list_messages(label_ids=("SENT",))
            if m.parsed.subject == subject]


def test_send_pressed_during_an_autosave_leaves_no_draft_behind(reader: Reader):
    page = reader.page
    page.goto(reader.site.url + "u/0/compose")
    slow_draft_saves(reader, 1500)
    try:
        with page.expect_request("**/drafts/autosave"):
            page.fill('input[name="to"]', "siti@nusantara.test")
            page.fill('input[name="subject"]', "Sent while saving")
            page.locator('textarea[name="body"]').type("Sampai besok")
        page.locator('button[value="send"]').click()
        page.wait_for_url("**/u/0/t/**", timeout=15_000)
        expect(page.locator(".flash")).to_contain_text("Message sent.")
    finally:
        clear_faults(reader)
    page.wait_for_timeout(2500)
    assert len(sent_with(reader, "Sent while saving")) == 1
    assert reader.mailbox.list_drafts() == []


def test_send_pressed_twice_sends_once(reader: Reader):
    page = reader.page
    page.goto(reader.site.url + "u/0/compose")
    page.fill('input[name="to"]', "siti@nusantara.test")
    page.fill('input[name="subject"]', "Pressed twice")
    page.fill('textarea[name="body"]', "Sekali saja")
    send = page.locator('button[value="send"]')
    send.evaluate("button => { button.click(); button.click(); }")
    page.wait_for_url("**/u/0/t/**", timeout=15_000)
    page.wait_for_timeout(1000)
    assert len(sent_with(reader, "Pressed twice")) == 1
    assert reader.mailbox.list_drafts() == []
