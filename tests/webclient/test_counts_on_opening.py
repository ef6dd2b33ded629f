"""The sidebar's unread counts on the page that opened (and so read) a conversation."""

from __future__ import annotations

import re

from tests.webclient.conftest import deliver, post


def inbox_count(page: str) -> int:
    found = re.search(r'href="/u/0/f/inbox"[^>]*>\s*\S+\s*(?:<span class="count">(\d+)</span>)?',
                      page)
    assert found is not None
    return int(found.group(1) or 0)


def label_count(page: str, label_id: str) -> int:
    found = re.search(rf'href="/u/0/label/{label_id}"[^>]*>[^<]*(?:<span class="count">(\d+)'
                      r'</span>)?', page)
    assert found is not None
    return int(found.group(1) or 0)


def test_opening_an_unread_conversation_counts_it_read_on_that_page(signed_in, mailbox):
    stored = deliver(mailbox, subject="Open me", labels=("INBOX", "UNREAD"))
    before = inbox_count(signed_in.get("/u/0/f/inbox").get_data(as_text=True))
    opened = signed_in.get(f"/u/0/t/{stored.thread_id}").get_data(as_text=True)
    assert inbox_count(opened) == before - 1
    assert inbox_count(signed_in.get("/u/0/f/inbox").get_data(as_text=True)) == before - 1


def test_opening_an_unread_labelled_conversation_lowers_its_label_count(signed_in, mailbox):
    post(signed_in, "/u/0/labels", {"name": "Vendors"})
    label = next(item for item in mailbox.state.list_labels() if item["name"] == "Vendors")
    stored = deliver(mailbox, subject="Labelled", labels=("INBOX", "UNREAD", label["id"]))
    listed = signed_in.get(f"/u/0/label/{label['id']}").get_data(as_text=True)
    assert label_count(listed, label["id"]) == 1
    opened = signed_in.get(f"/u/0/t/{stored.thread_id}").get_data(as_text=True)
    assert label_count(opened, label["id"]) == 0
