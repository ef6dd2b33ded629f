"""Archive a mixed selection in Starred and undo it, in Chromium: each conversation goes back
where it was, and the one that was never in the Inbox does not appear there."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import Reader


def deliver(reader: Reader, subject: str, labels: list[str]) -> str:
    raw = (f"From: Dewi Anggraini <dewi@anggraini.test>\r\nTo: {reader.email}\r\n"
           f"Subject: {subject}\r\nMessage-ID: <{subject.replace(' ', '.')}@anggraini.test>\r\n"
           f"Date: Mon, 03 Mar 2025 09:00:00 +0700\r\n"
           f"Content-Type: text/plain; charset=utf-8\r\n\r\nHalo.\r\n").encode()
    return reader.mailbox.add_message(raw, label_ids=labels).thread_id


def labels_of(reader: Reader, thread_id: str) -> set[str]:
    thread = reader.mailbox.get_thread(thread_id)
    return set().union(*(m.label_ids for m in thread.messages))


def test_undo_of_an_archive_in_starred_leaves_the_inbox_as_it_was(reader: Reader):
    page = reader.page
    in_inbox = deliver(reader, "Bintang di kotak masuk", ["INBOX", "STARRED"])
    archived = deliver(reader, "Bintang sudah diarsipkan", ["STARRED"])
    page.goto(reader.site.url + "u/0/f/starred")
    for subject in ("Bintang di kotak masuk", "Bintang sudah diarsipkan"):
        page.locator("li.thread", has_text=subject).locator('input[type="checkbox"]').check()
    page.get_by_role("button", name="Archive").click()
    expect(page.locator(".flash")).to_contain_text("Archived: 2 conversations.")
    assert "INBOX" not in labels_of(reader, in_inbox)
    page.keyboard.press("z")
    expect(page.locator(".flash")).to_contain_text("Undone.")
    assert labels_of(reader, in_inbox) == {"INBOX", "STARRED"}
    assert labels_of(reader, archived) == {"STARRED"}
    page.goto(reader.site.url + "u/0/f/inbox")
    expect(page.locator("li.thread", has_text="Bintang di kotak masuk")).to_have_count(1)
    expect(page.locator("li.thread", has_text="Bintang sudah diarsipkan")).to_have_count(0)
    assert reader.policy_violations == []
