"""Page tokens are cursors: mail arriving or going between two pages repeats or skips nothing."""

from __future__ import annotations

import pytest

from tests.fakegmail.api.conftest import b64, insert, make_raw


def _ids(answer, kind="messages"):
    return [item["id"] for item in answer.get(kind, [])]


def test_message_arriving_between_pages_repeats_nothing_on_the_next_page(users, account):
    older = [account.mailbox.add_message(make_raw(), internal_date=1_700_000_000 + i).id
             for i in range(5)]
    first = users.messages().list(userId="me", maxResults=2).execute()
    insert(users, make_raw(subject="Arrived meanwhile"))
    second = users.messages().list(userId="me", maxResults=2,
                                   pageToken=first["nextPageToken"]).execute()
    newest_first = older[::-1]
    assert _ids(first) == newest_first[:2]
    assert _ids(second) == newest_first[2:4]


def test_message_deleted_between_pages_skips_nothing_on_the_next_page(users, account):
    older = [account.mailbox.add_message(make_raw(), internal_date=1_700_000_000 + i).id
             for i in range(5)]
    newest_first = older[::-1]
    first = users.messages().list(userId="me", maxResults=2).execute()
    users.messages().delete(userId="me", id=newest_first[0]).execute()
    second = users.messages().list(userId="me", maxResults=2,
                                   pageToken=first["nextPageToken"]).execute()
    assert _ids(second) == newest_first[2:4]


def test_thread_arriving_between_pages_repeats_nothing_on_the_next_page(users, account):
    older = [account.mailbox.add_message(make_raw(), internal_date=1_700_000_000 + i).thread_id
             for i in range(4)]
    first = users.threads().list(userId="me", maxResults=2).execute()
    insert(users, make_raw(subject="A new conversation"))
    second = users.threads().list(userId="me", maxResults=2,
                                  pageToken=first["nextPageToken"]).execute()
    assert _ids(second, "threads") == older[::-1][2:4]
    assert "nextPageToken" not in second


def test_draft_created_between_pages_repeats_nothing_on_the_next_page(users):
    made = [users.drafts().create(userId="me", body={"message": {"raw": _b64(i)}}).execute()
            for i in range(3)]
    first = users.drafts().list(userId="me", maxResults=2).execute()
    users.drafts().create(userId="me", body={"message": {"raw": _b64(9)}}).execute()
    second = users.drafts().list(userId="me", maxResults=2,
                                 pageToken=first["nextPageToken"]).execute()
    seen = _ids(first, "drafts") + _ids(second, "drafts")
    assert len(seen) == len(set(seen))
    assert set(seen) >= {d["id"] for d in made}


def _b64(number):
    return b64(make_raw(subject=f"Draft {number}"))


@pytest.mark.parametrize("method", ["messages", "threads"])
def test_max_results_zero_means_the_default_and_above_500_means_500(users, account, method):
    """maxResults is a proto3 uint32: 0 is the field unset, so Gmail's default page (100);
    above the documented maximum Gmail serves 500 and a token for the rest, never a 400."""
    for i in range(510):
        account.mailbox.add_message(make_raw(subject=f"Report {i}"),
                                    internal_date=1_700_000_000 + i)
    lister = getattr(users, method)()

    default = lister.list(userId="me", maxResults=0).execute()
    capped = lister.list(userId="me", maxResults=100_000).execute()

    assert len(default[method]) == 100
    assert len(capped[method]) == 500
    rest = lister.list(userId="me", maxResults=500, pageToken=capped["nextPageToken"]).execute()
    assert len(rest[method]) == 10
    assert "nextPageToken" not in rest
