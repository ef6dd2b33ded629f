"""Search dates as Gmail reads them: ``after:``/``before:`` days start at midnight PST.

Gmail's search guide: "All dates used in the search query are interpreted as midnight on
that date in the PST timezone"; epoch seconds are exact. Driven through the real client.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.fakegmail.api.conftest import b64, make_raw


def _imported(users: Any, date_header: str) -> str:
    """Import a message whose internalDate is its Date header; return its id."""
    raw = make_raw(subject="Dated", headers={}, body="dated\n")
    raw = raw.replace(b"Tue, 03 Jun 2025 10:00:00 +0000", date_header.encode())
    answer = users.messages().import_(
        userId="me", internalDateSource="dateHeader",
        body={"raw": b64(raw), "labelIds": ["INBOX"]}).execute()
    return str(answer["id"])


def _found(users: Any, q: str) -> set[str]:
    answer = users.messages().list(userId="me", q=q).execute()
    return {m["id"] for m in answer.get("messages", [])}


@pytest.mark.parametrize(("q", "late_evening_found", "after_midnight_found"), [
    # 05:00 UTC on 1 January is 21:00 PST on 31 December: not yet the 1st in PST.
    ("after:2014/01/01", False, True),
    ("before:2014/01/01", True, False),
    ("after:2013/12/31 before:2014/01/01", True, False),
    ("after:01/01/2014", False, True),
    # Epoch seconds are exact: 2014-01-01 00:00 UTC.
    ("after:1388534400", True, True),
])
def test_search_dates_start_at_midnight_pacific_time(
        users: Any, q: str, late_evening_found: bool, after_midnight_found: bool) -> None:
    late_evening = _imported(users, "Wed, 01 Jan 2014 05:00:00 +0000")   # 21:00 PST, Dec 31
    after_midnight = _imported(users, "Wed, 01 Jan 2014 09:00:00 +0000")  # 01:00 PST, Jan 1

    found = _found(users, q)

    assert (late_evening in found) is late_evening_found
    assert (after_midnight in found) is after_midnight_found

