"""Times are shown in the reader's time zone: the browser's, once the page has learnt it."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_time

from tests.webclient.conftest import deliver

# The message is dated Sat, 01 Mar 2025 10:00:00 +0000.


def thread_time(client, mailbox) -> str:
    stored = deliver(mailbox, subject="Jadwal")
    page = client.get(f"/u/0/t/{stored.thread_id}").get_data(as_text=True)
    return page.split('<time datetime="2025-03-01T10:00:00+00:00">', 1)[1].split("</time>")[0]


def test_without_a_known_zone_times_are_in_jakarta_time(signed_in, mailbox):
    assert "5:00:00" in thread_time(signed_in, mailbox)


@pytest.mark.parametrize(("zone", "hour"), [("Asia/Makassar", "6:00:00"),
                                            ("Asia/Jayapura", "7:00:00"),
                                            ("Europe/Amsterdam", "11:00:00")])
def test_times_follow_the_zone_the_browser_reported(signed_in, mailbox, zone, hour):
    signed_in.set_cookie("mailguard_tz", zone)
    assert hour in thread_time(signed_in, mailbox)


@pytest.mark.parametrize("zone", ["Mars/Olympus", "../../etc/passwd", "", "x" * 300,
                                  "asia/makassar"])
def test_a_zone_that_is_not_one_is_ignored(signed_in, mailbox, zone):
    signed_in.set_cookie("mailguard_tz", zone)
    assert "5:00:00" in thread_time(signed_in, mailbox)


def first_row_time(page: str) -> tuple[datetime, str]:
    found = re.search(r'<time datetime="([^"]+)">([^<]*)</time>', page)
    assert found is not None
    return datetime.fromisoformat(found.group(1)), found.group(2)


def test_the_inbox_row_shows_the_readers_zone(signed_in, mailbox):
    deliver(mailbox, subject="Jadwal rapat")  # listed by when it arrived: just now
    moment, shown = first_row_time(signed_in.get("/u/0/f/inbox").get_data(as_text=True))
    assert shown == format_time(moment, "short", tzinfo=ZoneInfo("Asia/Jakarta"), locale="en")
    signed_in.set_cookie("mailguard_tz", "Pacific/Kiritimati")  # seven hours ahead
    moment, shown = first_row_time(signed_in.get("/u/0/f/inbox").get_data(as_text=True))
    assert shown == format_time(moment, "short", tzinfo=ZoneInfo("Pacific/Kiritimati"),
                                locale="en")
