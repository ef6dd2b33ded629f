"""The inbox page: one Gmail round trip when warm, and sidebar counts that stay right."""

from __future__ import annotations

import re

from tests.webclient.conftest import control, deliver, post


def inbox_count(page: str) -> int:
    """Return the unread count the sidebar shows beside Inbox (0 when none is shown)."""
    found = re.search(r'href="/u/0/f/inbox"[^>]*>\s*Inbox\s*(?:<span class="count">(\d+)'
                      r'</span>)?', page)
    assert found is not None
    return int(found.group(1) or 0)


def label_count(page: str, name: str) -> int:
    """Return the unread count the sidebar shows beside the user label ``name``."""
    found = re.search(r'/label/[^"]+"[^>]*>' + re.escape(name)
                      + r'\s*(?:<span class="count">(\d+)</span>)?', page)
    assert found is not None, name
    return int(found.group(1) or 0)


def unread_in_inbox(mailbox) -> int:
    return int(mailbox.state.get_label("INBOX")["threadsUnread"])


def test_a_warm_inbox_page_costs_one_gmail_round_trip(signed_in, web_emulator, mailbox):
    assert signed_in.get("/u/0/f/inbox").status_code == 200
    control(web_emulator, "DELETE", "stats")
    page = signed_in.get("/u/0/f/inbox")
    assert page.status_code == 200
    counters = control(web_emulator, "GET", "stats")
    assert counters["total_calls"] == 1
    assert list(counters["methods"]) == ["gmail.users.history.list"]
    assert counters["quota_units_by_user"] == {mailbox.email: 2}
    assert inbox_count(page.get_data(as_text=True)) == unread_in_inbox(mailbox)


def test_sidebar_counts_follow_mailguards_actions_and_other_clients(signed_in, mailbox):
    signed_in.get("/u/0/f/inbox")
    fresh = deliver(mailbox, subject="Counted arrival")
    page = signed_in.get("/u/0/f/inbox").get_data(as_text=True)
    assert "Counted arrival" in page
    assert inbox_count(page) == unread_in_inbox(mailbox)

    before = unread_in_inbox(mailbox)
    post(signed_in, "/u/0/act", {"action": "read", "thread_ids": fresh.thread_id})
    page = signed_in.get("/u/0/f/inbox").get_data(as_text=True)
    assert unread_in_inbox(mailbox) == before - 1
    assert inbox_count(page) == before - 1

    post(signed_in, "/u/0/act", {"action": "unread", "thread_ids": fresh.thread_id})
    post(signed_in, "/u/0/labels", {"name": "Followups"})
    label = next(item for item in mailbox.state.list_labels() if item["name"] == "Followups")
    post(signed_in, "/u/0/act", {"action": "label", "label_id": label["id"],
                                 "thread_ids": fresh.thread_id})
    page = signed_in.get("/u/0/f/inbox").get_data(as_text=True)
    assert label_count(page, "Followups") == 1
    assert inbox_count(page) == before

    post(signed_in, "/u/0/act", {"action": "archive", "thread_ids": fresh.thread_id})
    page = signed_in.get("/u/0/f/inbox").get_data(as_text=True)
    assert "Counted arrival" not in page
    assert inbox_count(page) == unread_in_inbox(mailbox) == before - 1

    # Another Gmail client reads (or, when all are read, unreads) a conversation and
    # deletes the label. Which one depends on the seeded mailbox.
    unread = mailbox.state.list_threads(label_ids=["INBOX", "UNREAD"])
    if unread:
        mailbox.state.modify_thread(unread[0].id, remove=["UNREAD"])
        expected = before - 2
    else:
        read = mailbox.state.list_threads(label_ids=["INBOX"])[0]
        mailbox.state.modify_thread(read.id, add=["UNREAD"])
        expected = before
    mailbox.state.delete_label(label["id"])
    page = signed_in.get("/u/0/f/inbox").get_data(as_text=True)
    assert inbox_count(page) == unread_in_inbox(mailbox) == expected
    assert "Followups" not in page
