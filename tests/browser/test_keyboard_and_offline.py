"""Keyboard users and readers who lose their connection: Enter belongs to the focused
control, an action taken offline keeps the page, and a draft that failed to save offline
is saved when the connection returns, as its status promises."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import Reader


def test_enter_on_a_focused_button_presses_that_button_not_the_row_under_the_cursor(
        reader: Reader):
    page = reader.page
    page.keyboard.press("j")
    expect(page.locator("li.thread.cursor")).to_have_count(1)
    page.locator("a.compose").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/u/0/compose")


def test_enter_on_the_row_under_the_cursor_still_opens_it(reader: Reader):
    page = reader.page
    page.keyboard.press("j")
    page.keyboard.press("Enter")
    page.wait_for_url("**/u/0/t/**")


def test_an_action_taken_offline_keeps_the_page_and_changes_nothing(reader: Reader):
    page = reader.page
    inbox = page.url
    first = page.locator("li.thread").first
    subject = first.locator(".subject").inner_text()
    # the conversation itself, by its link: the seeded mailbox may hold two with one subject
    opens = first.get_attribute("data-open")
    page.context.set_offline(True)
    expect(page.locator("#offline")).to_be_visible()
    page.keyboard.press("j")
    page.keyboard.press("e")
    expect(page.locator("#offline")).to_be_focused()
    assert page.url == inbox
    expect(page.locator("li.thread").first).to_contain_text(subject)
    page.locator("a.compose").click()
    expect(page.locator("#offline")).to_be_focused()
    assert page.url == inbox
    page.context.set_offline(False)
    # The page hears of the connection's return through the browser's online event;
    # keys pressed before it arrives are (rightly) still refused as offline.
    expect(page.locator("#offline")).to_be_hidden()
    page.keyboard.press("j")
    page.keyboard.press("e")
    expect(page.locator(".flash")).to_contain_text("Archived: 1 conversation.")
    expect(page.locator(f'li.thread[data-open="{opens}"]')).to_have_count(0)
    assert reader.policy_violations == []


def test_a_draft_not_saved_offline_is_saved_when_the_connection_returns(reader: Reader):
    page = reader.page
    page.goto(reader.site.url + "u/0/compose")
    page.fill('input[name="to"]', "siti@nusantara.test")
    page.context.set_offline(True)
    page.locator('textarea[name="body"]').type("Ditulis di kereta")
    status = page.locator("[data-autosave-status]")
    expect(status).to_have_text("Draft not saved; it will be retried", timeout=10_000)
    page.context.set_offline(False)
    expect(status).to_have_text("Draft saved", timeout=10_000)
    assert len(reader.mailbox.list_drafts()) == 1
