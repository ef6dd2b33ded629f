"""What a Gmail user types that Gmail refuses: a label name taken, a search it cannot read.

Gmail answers these with 409 and 400; the web client showed its 502 "Gmail refused the
request" page, as if Gmail had failed, and lost the reader's place.
"""

from __future__ import annotations

import pytest

from tests.webclient.conftest import post


@pytest.mark.parametrize("name", ["Taken", "taken"])
def test_creating_a_label_whose_name_is_taken_says_so(signed_in, mailbox, name):
    assert post(signed_in, "/u/0/labels", {"name": "Taken",
                                           "next": "/u/0/f/inbox"}).status_code == 302
    answer = post(signed_in, "/u/0/labels", {"name": name, "next": "/u/0/f/starred"})
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/u/0/f/starred"
    page = signed_in.get("/u/0/f/starred").get_data(as_text=True)
    assert "A label with this name already exists" in page
    names = [label["name"] for label in mailbox.state.list_labels()]
    assert names.count("Taken") == 1


@pytest.mark.parametrize("name", ["INBOX", "inbox", "Drafts"])
def test_creating_a_label_with_a_name_gmail_keeps_says_so(signed_in, mailbox, name):
    before = [label["name"] for label in mailbox.state.list_labels()]
    answer = post(signed_in, "/u/0/labels", {"name": name, "next": "/u/0/f/starred"})
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/u/0/f/starred"
    page = signed_in.get("/u/0/f/starred").get_data(as_text=True)
    assert ("Gmail does not accept this label name; it keeps names such as Inbox, Spam and "
            "Drafts for its own labels. Choose another name.") in page
    assert [label["name"] for label in mailbox.state.list_labels()] == before


def test_a_name_gmail_keeps_is_said_in_indonesian(signed_in):
    indonesian = {"Accept-Language": "id"}
    post(signed_in, "/u/0/labels", {"name": "Spam"}, headers=indonesian)
    page = signed_in.get("/u/0/f/inbox", headers=indonesian)
    assert "Gmail tidak menerima nama label ini" in page.get_data(as_text=True)


def test_the_taken_label_name_is_said_in_indonesian(signed_in, mailbox):
    indonesian = {"Accept-Language": "id"}
    post(signed_in, "/u/0/labels", {"name": "Proyek"}, headers=indonesian)
    signed_in.get("/u/0/f/inbox", headers=indonesian)
    post(signed_in, "/u/0/labels", {"name": "Proyek"}, headers=indonesian)
    page = signed_in.get("/u/0/f/inbox", headers=indonesian)
    assert "Sudah ada label dengan nama ini" in page.get_data(as_text=True)


@pytest.mark.parametrize("query", ["from:(ann", "(label:work OR label:home"])
def test_a_search_gmail_cannot_read_is_a_400_that_says_so(signed_in, query):
    answer = signed_in.get("/u/0/search", query_string={"q": query})
    assert answer.status_code == 400
    page = answer.get_data(as_text=True)
    assert "Gmail could not understand this search" in page
    assert "Gmail refused the request" not in page


def test_an_unreadable_search_is_explained_in_indonesian(signed_in):
    answer = signed_in.get("/u/0/search", query_string={"q": "from:(ann"},
                           headers={"Accept-Language": "id"})
    assert answer.status_code == 400
    assert "Gmail tidak memahami pencarian ini" in answer.get_data(as_text=True)


def test_a_page_link_gmail_no_longer_accepts_is_a_400(signed_in):
    answer = signed_in.get("/u/0/f/sent", query_string={"page": "not-a-page-token"})
    assert answer.status_code == 400
    assert "Gmail refused the request" not in answer.get_data(as_text=True)
