"""history.list's startHistoryId: missing, malformed, or beyond the mailbox's latest change.

Gmail refuses a call without it as "Missing/invalid parameter: startHistoryId" (400
invalidArgument), the words clients and their issue trackers know; the emulator wrote its
own sentence. An id after the mailbox's latest change has nothing to report: the answer is
the current historyId and no records, the same as asking from the current id.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from googleapiclient.errors import HttpError

from tests.fakegmail.api.conftest import insert, make_raw


def test_a_missing_start_is_refused_in_gmails_words(users: Any) -> None:
    with pytest.raises(HttpError) as caught:
        users.history().list(userId="me").execute()

    error = json.loads(caught.value.content)["error"]
    assert caught.value.resp.status == 400
    assert error["message"] == "Missing/invalid parameter: startHistoryId"
    assert error["errors"] == [{"message": error["message"], "domain": "global",
                                "reason": "invalidArgument"}]


def test_a_start_beyond_the_latest_change_reports_nothing(users: Any) -> None:
    insert(users, make_raw())
    current = users.getProfile(userId="me").execute()["historyId"]

    answer = users.history().list(userId="me",
                                  startHistoryId=str(int(current) + 1000)).execute()

    assert answer == {"historyId": current}
