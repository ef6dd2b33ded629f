"""Pages of a list after conversations leave it: archiving everything on the last page."""

from __future__ import annotations

import html
import re

from tests.webclient.conftest import post

OLDER = re.compile(r'href="([^"]+)" rel="next"')


def ids(page: str) -> list[str]:
    return re.findall(r'value="([0-9a-f]+)" form="bulk"', page)


def test_archiving_the_whole_last_page_shows_the_page_before_not_an_empty_inbox(
        signed_in, mailbox, app):
    # How many conversations the seeded inbox holds depends on the mailbox's address (the
    # seed mixes it in): two pages, the last of two conversations, whatever it holds.
    everything = ids(signed_in.get("/u/0/f/inbox").get_data(as_text=True))
    assert len(everything) >= 3
    app.config["MAIL_PAGE_SIZE"] = len(everything) - 2
    first = signed_in.get("/u/0/f/inbox").get_data(as_text=True)
    older = OLDER.search(first)
    assert older is not None
    second_url = html.unescape(older.group(1))
    second = signed_in.get(second_url).get_data(as_text=True)
    assert ids(second) and OLDER.search(second) is None  # the last page
    answer = post(signed_in, "/u/0/act", {"action": "archive", "thread_ids": ids(second),
                                          "next": second_url}, follow_redirects=True)
    text = answer.get_data(as_text=True)
    assert "Nothing here." not in text
    assert sorted(ids(text)) == sorted(ids(first)), (ids(text), ids(first))
    assert "Archived: " in text  # the undo offer is still shown
