"""List rows show the same links and dates as the URL map and ``mail_date`` would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import url_for

from guard.mail_values import ThreadSummary
from webclient.i18n import LANGUAGE_COOKIE, TIME_ZONE_COOKIE, mail_date
from webclient.mail.list_rows import thread_rows


def summary(thread_id: str, when: datetime | None) -> ThreadSummary:
    return ThreadSummary(id=thread_id, subject="s", snippet="", participants=(),
                         message_count=1, last_date=when, unread=False, starred=False,
                         important=False, has_attachments=False,
                         label_ids=("INBOX", "Label_2", "Label_1"))


@pytest.mark.parametrize("language", ["en", "id"])
def test_rows_match_the_url_map_and_mail_date(app, language):
    now = datetime.now(UTC)
    moments = [now, now - timedelta(minutes=3), now - timedelta(hours=30),
               now - timedelta(days=40), now - timedelta(days=400),
               now - timedelta(days=400, hours=5), None]
    threads = [summary(f"18c{n:x}", when) for n, when in enumerate(moments)]
    threads.append(summary("odd/id?x=1&y", now))
    here = "/u/0/f/inbox?page=abc&back=x,y"
    with app.test_request_context(here, headers={"Cookie": f"{LANGUAGE_COOKIE}={language}"}):
        rows = thread_rows(threads, account=0, here=here, label_names={"Label_1": "Work"})
        assert [row.thread for row in rows] == threads
        assert {row.chips for row in rows} == {("Work",)}
        for row in rows:
            expected = url_for("mail.thread", account=0, thread_id=row.thread.id,
                               **{"from": here})
            assert row.href == expected
            when = row.thread.last_date
            assert row.date_text == (mail_date(when) if when else "")
            assert row.date_iso == (when.isoformat() if when else "")


def test_a_row_built_before_follows_the_page_it_is_shown_on(app):
    # Rows are built once per process and looked up after: the same summary shown on a
    # page in another language, time zone, folder position or with renamed labels must
    # get that page's row, never the one built for another page.
    when = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    thread = summary("18cabc", when - timedelta(days=2))
    today = summary("18cdef", when)

    def rows(here, language, zone, names):
        cookie = f"{LANGUAGE_COOKIE}={language}; {TIME_ZONE_COOKIE}={zone}"
        with app.test_request_context(here, headers={"Cookie": cookie}):
            built = thread_rows([thread, today], account=0, here=here, label_names=names)
            links = [url_for("mail.thread", account=0, thread_id=t.id, **{"from": here})
                     for t in (thread, today)]
            assert [row.href for row in built] == links
            return built, [mail_date(t.last_date) for t in (thread, today)]

    first, _dates = rows("/u/0/f/inbox", "en", "UTC", {"Label_1": "Work"})
    for here, language, zone, names in [
            ("/u/0/f/inbox", "en", "UTC", {"Label_1": "Work"}),
            ("/u/0/f/inbox?page=p2", "en", "UTC", {"Label_1": "Work"}),
            ("/u/0/f/inbox", "id", "UTC", {"Label_1": "Work"}),
            ("/u/0/f/inbox", "en", "Asia/Jakarta", {"Label_1": "Work"}),
            ("/u/0/f/inbox", "en", "UTC", {"Label_1": "Kerja"})]:
        built, dates = rows(here, language, zone, names)
        assert [row.date_text for row in built] == dates
        assert built[0].chips == (names["Label_1"],)
    again, _dates = rows("/u/0/f/inbox", "en", "UTC", {"Label_1": "Work"})
    assert again == first
    paged, _dates = rows("/u/0/f/inbox?page=p2", "en", "UTC", {"Label_1": "Work"})
    assert paged[0].href != first[0].href
