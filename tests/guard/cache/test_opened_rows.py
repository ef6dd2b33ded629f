"""A sealed row this process opened before is looked up, never trusted beyond what it sealed.

The inbox cache remembers what each sealed row opened to (``guard.opened_rows``); these
tests show it opens a row once, still refuses a row altered or moved in the database after
it was opened, and forgets a mailbox whose cache is emptied.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, select, update

from guard.mail_cache import MailCache, thread_cache
from guard.mail_values import ThreadPage, ThreadSummary
from guard.opened_rows import OpenedRows
from guard.vault import VaultKeys, generate_key

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
MAILBOX = "grace.hopper@example.org"


class CountingKeys(VaultKeys):
    """Vault keys that count how many sealed values they were asked to open."""

    opened = 0

    def open(self, key_id: str, sealed: bytes, *, context: bytes) -> bytes:
        self.opened += 1
        return super().open(key_id, sealed, context=context)


def _summary(n: int) -> ThreadSummary:
    return ThreadSummary(id=f"t{n}", subject=f"Subject {n}", snippet="Hello",
                         participants=("Grace",), message_count=1,
                         last_date=datetime(2024, 4, 1, 0, n, tzinfo=UTC), unread=True,
                         starred=False, important=False, has_attachments=False,
                         label_ids=("INBOX",))


@pytest.fixture
def keys() -> CountingKeys:
    return CountingKeys([generate_key()])


@pytest.fixture
def opened() -> OpenedRows[ThreadSummary]:
    return OpenedRows()


@pytest.fixture
def cache(cache_engine: Engine, keys: CountingKeys,
          opened: OpenedRows[ThreadSummary]) -> MailCache:
    cache = MailCache(cache_engine, keys, lambda: NOW, opened=opened)
    cache.replace_inbox(MAILBOX, ThreadPage(threads=tuple(_summary(n) for n in range(3)),
                                            next_page_token=None, result_size_estimate=3),
                        history_id="100", page_size=3)
    return cache


def _ids(cache: MailCache) -> list[str] | None:
    page = cache.page(MAILBOX, 3)
    return None if page is None else [t.id for t in page.threads]


def test_a_row_is_opened_once_and_then_looked_up(cache: MailCache, keys: CountingKeys) -> None:
    first = cache.page(MAILBOX, 3)
    opened = keys.opened
    second = cache.page(MAILBOX, 3)
    assert first is not None and second == first
    assert [t.id for t in first.threads] == ["t2", "t1", "t0"]
    # The second page opened no thread row at all.
    assert keys.opened == opened


def test_a_row_altered_after_it_was_opened_is_refused(cache: MailCache,
                                                      cache_engine: Engine) -> None:
    assert _ids(cache) == ["t2", "t1", "t0"]
    with cache_engine.begin() as conn:
        sealed = conn.execute(select(thread_cache.c.sealed).where(
            thread_cache.c.mailbox == MAILBOX, thread_cache.c.thread_id == "t1")).scalar_one()
        altered = bytes(sealed[:-1]) + bytes([sealed[-1] ^ 1])
        conn.execute(update(thread_cache).where(
            thread_cache.c.mailbox == MAILBOX, thread_cache.c.thread_id == "t1")
            .values(sealed=altered))
    # The altered row does not open: the cache is emptied and the inbox comes from Gmail.
    assert _ids(cache) is None
    assert cache.state(MAILBOX) is None


def test_a_row_copied_under_another_thread_is_refused(cache: MailCache,
                                                      cache_engine: Engine) -> None:
    assert _ids(cache) == ["t2", "t1", "t0"]
    with cache_engine.begin() as conn:
        sealed = conn.execute(select(thread_cache.c.sealed).where(
            thread_cache.c.mailbox == MAILBOX, thread_cache.c.thread_id == "t0")).scalar_one()
        conn.execute(update(thread_cache).where(
            thread_cache.c.mailbox == MAILBOX, thread_cache.c.thread_id == "t1")
            .values(sealed=sealed))
    # t0's sealed bytes opened before, but they are bound to t0: under t1 they do not open.
    assert _ids(cache) is None


def test_clearing_a_mailbox_forgets_what_was_opened(
        cache: MailCache, opened: OpenedRows[ThreadSummary]) -> None:
    assert _ids(cache) == ["t2", "t1", "t0"]
    assert len(opened) == 3
    cache.clear(MAILBOX)  # a disconnect, or a row that no longer opens
    assert len(opened) == 0


def test_retiring_old_keys_forgets_what_was_opened(
        cache: MailCache, opened: OpenedRows[ThreadSummary]) -> None:
    assert _ids(cache) == ["t2", "t1", "t0"]
    cache.drop_stale_keys()
    assert len(opened) == 0


def test_opened_rows_keep_the_most_recently_used_within_the_limit() -> None:
    rows: OpenedRows[str] = OpenedRows(limit=2)
    a, b, c = (("m", t, "k", bytes([n])) for n, t in enumerate("abc"))
    rows.put(a, "A")
    rows.put(b, "B")
    assert rows.get(a) == "A"  # a is now the most recent
    rows.put(c, "C")
    assert rows.get(b) is None and rows.get(a) == "A" and rows.get(c) == "C"
    assert len(rows) == 2
    rows.forget("m")
    assert len(rows) == 0
    with pytest.raises(ValueError, match="at least 1"):
        OpenedRows(limit=0)


def test_a_row_cached_with_control_characters_is_shown_without_them(
        cache_engine: Engine, keys: CountingKeys) -> None:
    # Rows cached before the guard removed control characters still hold them.
    old = MailCache(cache_engine, keys, lambda: NOW)
    dirty = ThreadSummary(id="t9", subject="Tagihan\x1b$B\x00 Juni", snippet="Halo\x07\tdunia",
                          participants=("Rina\x1b(B Wijaya",), message_count=1,
                          last_date=datetime(2024, 4, 1, tzinfo=UTC), unread=True,
                          starred=False, important=False, has_attachments=False,
                          label_ids=("INBOX",))
    old.replace_inbox(MAILBOX, ThreadPage(threads=(dirty,), next_page_token=None,
                                          result_size_estimate=1),
                      history_id="100", page_size=1)
    page = MailCache(cache_engine, keys, lambda: NOW).page(MAILBOX, 1)
    assert page is not None
    (shown,) = page.threads
    assert (shown.subject, shown.snippet, shown.participants) == (
        "Tagihan$B Juni", "Halo dunia", ("Rina(B Wijaya",))
