"""The charts cover every day their period touches, whatever the time its end is given at."""

from __future__ import annotations

import re
from datetime import timedelta

from tests.webclient.review.conftest import REVIEW, SECURITY_1, play_scenario, text_of
from webclient.review.views import last_day


def bar_days(page: str) -> set[str]:
    """Return the days the charts on ``page`` draw a bar for."""
    return set(re.findall(r'data-bucket="([0-9-]+)"[^>]*data-value="[1-9]', page)) | set(
        re.findall(r'data-value="[1-9][0-9]*"[^>]*data-bucket="([0-9-]+)"', page))


def test_an_until_time_on_a_later_day_keeps_that_days_bars(app, staff_client, user, clock):
    clock.now = clock.now.replace(hour=12, minute=0, second=0)
    play_scenario(app, staff_client, user)
    today = clock.now.date()
    reviewer = staff_client(SECURITY_1)
    page = text_of(reviewer.get(REVIEW + "charts", query_string={
        "since": (today - timedelta(days=1)).isoformat(), "until": f"{today}T18:00"}))
    assert "No entries in this period." not in page
    assert bar_days(page) == {today.isoformat()}


def test_the_last_day_of_an_exclusive_end():
    assert last_day("2025-03-05T00:00:00.000000Z").isoformat() == "2025-03-04"
    assert last_day("2025-03-05T10:00:00.000000Z").isoformat() == "2025-03-05"
    assert last_day("2025-03-05T00:00:00.000001Z").isoformat() == "2025-03-05"
