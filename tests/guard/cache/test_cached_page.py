"""A cached inbox page holds the newest threads, at most the page size, and counts them all."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine

from guard.mail_cache import MailCache
from guard.mail_values import ThreadPage, ThreadSummary
from guard.vault import VaultKeys, generate_key

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
MAILBOX = "ada.lovelace@example.org"


@pytest.fixture
def cache(cache_engine: Engine) -> MailCache:
    """Return an empty cache on each backend this run covers."""
    return MailCache(cache_engine, VaultKeys([generate_key()]), lambda: NOW)


def summary(n: int, minute: int) -> ThreadSummary:
    return ThreadSummary(id=f"t{n:02d}", subject=f"s{n}", snippet="", participants=("a",),
                         message_count=1, last_date=datetime(2024, 4, 1, 0, minute, tzinfo=UTC),
                         unread=False, starred=False, important=False, has_attachments=False,
                         label_ids=("INBOX",))


def test_page_is_the_newest_threads_and_counts_every_cached_one(cache: MailCache) -> None:
    # Dates out of order, two threads at the same minute (ordered by id, descending).
    threads = tuple(summary(n, minute) for n, minute in
                    [(0, 5), (1, 50), (2, 7), (3, 50), (4, 1), (5, 30), (6, 12)])
    cache.replace_inbox(MAILBOX, ThreadPage(threads=threads, next_page_token="p2",
                                            result_size_estimate=2),
                        history_id="100", page_size=7)
    page = cache.page(MAILBOX, 3)
    assert page is not None
    assert [t.id for t in page.threads] == ["t03", "t01", "t05"]
    assert page.threads[0] == threads[3]
    assert page.next_page_token == "p2"
    # Gmail's estimate (2) is below what the cache holds (7): the larger one is shown.
    assert page.result_size_estimate == 7
    whole = cache.page(MAILBOX, 50)
    assert whole is not None and len(whole.threads) == 7


def test_gmail_estimate_wins_when_larger(cache: MailCache) -> None:
    threads = tuple(summary(n, n) for n in range(4))
    cache.replace_inbox(MAILBOX, ThreadPage(threads=threads, next_page_token=None,
                                            result_size_estimate=1200),
                        history_id="100", page_size=4)
    page = cache.page(MAILBOX, 2)
    assert page is not None and page.result_size_estimate == 1200


def test_an_empty_cached_inbox_is_a_page_and_an_unknown_mailbox_is_none(
        cache: MailCache) -> None:
    cache.replace_inbox(MAILBOX, ThreadPage(threads=(), next_page_token=None,
                                            result_size_estimate=0),
                        history_id="100", page_size=50)
    page = cache.page(MAILBOX, 50)
    assert page is not None and page.threads == () and page.result_size_estimate == 0
    assert cache.page("someone.else@example.org", 50) is None
