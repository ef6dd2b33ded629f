"""The compose page says what it is writing (reply, forward) in its title, also after an error.

The browser tab read "New message" on every reply and forward, and a reply sent back with
a mistake (an address that is not one) came back headed "New message".
"""

from __future__ import annotations

import re

import pytest

from tests.webclient.conftest import deliver, post


def title_and_heading(page: str) -> tuple[str, str]:
    title = re.search(r"<title>(.*?) · MailGuard</title>", page)
    heading = re.search(r"<h1>(.*?)</h1>", page)
    assert title is not None and heading is not None
    return title.group(1), heading.group(1)


@pytest.mark.parametrize(("mode", "words"), [("reply", "Reply"), ("reply_all", "Reply all"),
                                             ("forward", "Forward")])
def test_a_reply_or_forward_is_named_in_the_title_and_after_a_mistake(signed_in, mailbox,
                                                                     mode, words):
    stored = deliver(mailbox, subject="Rapat besok")
    page = signed_in.get(f"/u/0/compose?mode={mode}&message={stored.id}")
    assert title_and_heading(page.get_data(as_text=True)) == (words, words)
    form = {"mode": mode, "to": "not an address", "subject": "Re: Rapat besok",
            "body": "Oke", "thread_id": stored.thread_id, "action": "send"}
    answer = post(signed_in, "/u/0/compose", form)
    assert answer.status_code == 400
    assert title_and_heading(answer.get_data(as_text=True)) == (words, words)


def test_an_unknown_mode_is_a_new_message(signed_in):
    answer = post(signed_in, "/u/0/compose", {"mode": "<script>", "to": "bad", "body": "x"})
    assert answer.status_code == 400
    page = answer.get_data(as_text=True)
    assert title_and_heading(page) == ("New message", "New message")
    assert "<script>" not in page
