"""The sidebar counts the drafts, as Gmail does, from the label counters it already has."""

from __future__ import annotations

import re

from tests.webclient.conftest import audit_entries, post


def drafts_count(page: str) -> int:
    found = re.search(r'href="/u/0/f/drafts"[^>]*>\s*\S+\s*'
                      r'(?:<span class="count[^"]*">(\d+)</span>)?', page)
    assert found is not None
    return int(found.group(1) or 0)


def autosave(client, subject: str) -> str:
    answer = post(client, "/u/0/drafts/autosave", {"to": "ana@example.org",
                                                   "subject": subject, "body": "text"})
    return str(answer.get_json()["draft_id"])


def test_the_sidebar_counts_the_drafts_and_follows_them(signed_in, mailbox):
    assert drafts_count(signed_in.get("/u/0/f/inbox").get_data(as_text=True)) == 0
    first = autosave(signed_in, "One")
    autosave(signed_in, "Two")
    assert drafts_count(signed_in.get("/u/0/f/inbox").get_data(as_text=True)) == 2
    assert drafts_count(signed_in.get("/u/0/f/sent").get_data(as_text=True)) == 2
    post(signed_in, "/u/0/compose", {"action": "discard", "draft_id": first})
    assert drafts_count(signed_in.get("/u/0/f/inbox").get_data(as_text=True)) == 1


def test_counting_the_drafts_asks_gmail_nothing_more(signed_in, app, mailbox):
    autosave(signed_in, "One")
    signed_in.get("/u/0/f/inbox")
    before = max(e.seq for e in audit_entries(app))
    page = signed_in.get("/u/0/f/inbox").get_data(as_text=True)
    assert drafts_count(page) == 1
    asked = {e.action for e in audit_entries(app) if e.seq > before}
    assert not {"drafts.list", "drafts.get", "labels.get"} & asked, asked
