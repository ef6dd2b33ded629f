"""A GET too long for a URL arrives as a POST with X-HTTP-Method-Override, as Google takes it.

google-api-python-client sends any GET whose URL passes 2,048 characters that way.
"""

from __future__ import annotations

import requests

from tests.fakegmail.api.conftest import insert, make_raw


def test_a_search_longer_than_a_url_allows_is_answered(users):
    wanted = insert(users, make_raw(subject="Laporan kuartal"))
    insert(users, make_raw(subject="Something else"))
    words = " OR ".join(f"nomatch{n:04d}" for n in range(300))
    query = f"subject:kuartal OR ({words})"
    assert len(query) > 2048

    found = users.messages().list(userId="me", q=query).execute()

    assert [m["id"] for m in found.get("messages", [])] == [wanted["id"]]


def test_many_metadata_headers_fit_through_the_override(users):
    stored = insert(users, make_raw(subject="Headers"))
    names = ["Subject"] + [f"X-Custom-Header-{n:04d}" for n in range(150)]

    answer = users.messages().get(userId="me", id=stored["id"], format="metadata",
                                  metadataHeaders=names).execute()

    assert [h["value"] for h in answer["payload"]["headers"] if h["name"] == "Subject"] == [
        "Headers"]


def test_the_override_joins_the_body_to_the_query_string(fake_gmail, account):
    answer = requests.post(
        f"{fake_gmail.url}gmail/v1/users/me/messages?maxResults=1",
        data="q=in%3Ainbox&prettyPrint=false",
        headers={"Authorization": f"Bearer {account.token}",
                 "X-HTTP-Method-Override": "GET",
                 "Content-Type": "application/x-www-form-urlencoded"}, timeout=10)
    assert answer.status_code == 200
    assert answer.text.startswith('{"')  # prettyPrint=false came from the body


def test_a_plain_post_to_a_get_only_path_is_still_refused(fake_gmail, account):
    answer = requests.post(f"{fake_gmail.url}gmail/v1/users/me/profile",
                           headers={"Authorization": f"Bearer {account.token}"},
                           timeout=10)
    assert answer.status_code in (404, 405, 501)
