"""With the page's script, sending without a subject asks in the page, as Gmail does."""

from __future__ import annotations

from playwright.sync_api import Dialog, expect

from tests.browser.conftest import Reader

QUESTION = "Send this message without a subject or text in the body?"


def _sent(reader: Reader) -> int:
    return len(reader.mailbox.list_messages(label_ids=["SENT"]))


def test_no_subject_asks_in_the_page_and_a_no_keeps_the_form(reader: Reader):
    page = reader.page
    before = _sent(reader)
    page.goto(reader.site.url + "u/0/compose")
    page.fill('input[name="to"]', "siti@nusantara.test")
    page.fill('textarea[name="body"]', "Tanpa subjek")
    asked: list[str] = []

    def answer_no(dialog: Dialog) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", answer_no)
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator('input[name="subject"]')).to_be_focused()
    assert asked == [QUESTION]
    assert page.url.endswith("/u/0/compose")
    assert page.locator('textarea[name="body"]').input_value() == "Tanpa subjek"
    assert _sent(reader) == before

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Send", exact=True).click()
    page.wait_for_url("**/u/0/t/**")
    expect(page.locator(".flash")).to_contain_text("Message sent.")
    assert _sent(reader) == before + 1


def test_a_subject_sends_without_a_question(reader: Reader):
    page = reader.page
    before = _sent(reader)
    page.goto(reader.site.url + "u/0/compose")
    page.fill('input[name="to"]', "siti@nusantara.test")
    page.fill('input[name="subject"]', "Ada subjek")
    asked: list[str] = []
    page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Send", exact=True).click()
    page.wait_for_url("**/u/0/t/**")
    assert asked == [] and _sent(reader) == before + 1
