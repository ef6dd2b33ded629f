"""A draft open in two tabs: after one tab sends it, the other's autosave keeps its text.

The autosave used to get Gmail's 404 as an error page the script could not read, and said
"Draft not saved; it will be retried" for good while nothing was ever saved.
"""

from __future__ import annotations

import re

from playwright.sync_api import Dialog, expect

from tests.browser.conftest import Reader

GONE = "The draft open here was sent or deleted in another window"


def test_the_other_tab_autosaves_a_new_draft_and_says_why(reader: Reader):
    tab_b = reader.page
    tab_b.goto(reader.site.url + "u/0/compose")
    tab_b.fill('input[name="to"]', "siti@nusantara.test")
    tab_b.fill('input[name="subject"]', "Open twice")
    tab_b.fill('textarea[name="body"]', "First words")
    tab_b.get_by_role("button", name="Save draft").click()
    tab_b.wait_for_url("**/u/0/compose?draft=*")
    old_id = tab_b.locator("input[data-draft-id]").input_value()

    tab_a = tab_b.context.new_page()
    tab_a.goto(tab_b.url)
    tab_a.get_by_role("button", name="Send", exact=True).click()
    tab_a.wait_for_url("**/u/0/t/**")
    expect(tab_a.locator(".flash")).to_contain_text("Message sent.")
    tab_a.close()

    with tab_b.expect_response("**/drafts/autosave") as answered:
        tab_b.locator('textarea[name="body"]').press("End")
        tab_b.locator('textarea[name="body"]').type(" and more from this tab")
    assert answered.value.status == 404  # as for any draft id this mailbox does not hold
    status = tab_b.locator("[data-autosave-status]")
    expect(status).to_contain_text(GONE)
    new_id = tab_b.locator("input[data-draft-id]").input_value()
    assert new_id and new_id != old_id
    (kept,) = reader.mailbox.list_drafts()
    assert kept.id == new_id


NEW_MESSAGE = ("The draft first open here was sent or deleted in another window. Send will "
               "send what you wrote here as a new message. Send it?")


def test_sending_the_new_draft_asks_first_and_a_no_sends_nothing(reader: Reader):
    tab_b = reader.page
    tab_b.goto(reader.site.url + "u/0/compose")
    tab_b.fill('input[name="to"]', "siti@nusantara.test")
    tab_b.fill('input[name="subject"]', "Sent twice?")
    tab_b.fill('textarea[name="body"]', "First words")
    tab_b.get_by_role("button", name="Save draft").click()
    tab_b.wait_for_url("**/u/0/compose?draft=*")

    tab_a = tab_b.context.new_page()
    tab_a.goto(tab_b.url)
    tab_a.get_by_role("button", name="Send", exact=True).click()
    tab_a.wait_for_url("**/u/0/t/**")
    tab_a.close()
    sent = len(reader.mailbox.list_messages(label_ids=["SENT"]))

    with tab_b.expect_response("**/drafts/autosave"):
        tab_b.locator('textarea[name="body"]').press("End")
        tab_b.locator('textarea[name="body"]').type(" and more")
    expect(tab_b.locator("[data-autosave-status]")).to_contain_text(GONE)

    asked: list[str] = []

    def answer_no(dialog: Dialog) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    tab_b.once("dialog", answer_no)
    tab_b.get_by_role("button", name="Send", exact=True).click()
    expect(tab_b.locator('textarea[name="body"]')).to_have_value(re.compile("and more"))
    assert asked == [NEW_MESSAGE]
    assert len(reader.mailbox.list_messages(label_ids=["SENT"])) == sent

    tab_b.once("dialog", lambda dialog: dialog.accept())
    tab_b.get_by_role("button", name="Send", exact=True).click()
    tab_b.wait_for_url("**/u/0/t/**")
    expect(tab_b.locator(".flash")).to_contain_text("Message sent.")
    assert len(reader.mailbox.list_messages(label_ids=["SENT"])) == sent + 1
    assert reader.mailbox.list_drafts() == []
