"""The after-hours alert says what happened: an aggregate query is not reading mail."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from tests.webclient.review.conftest import REVIEW, SECURITY_1, text_of
from tests.webclient.review.test_charts_alerts import NAMES, entry
from tests.webclient.staff.conftest import OPS, SUPPORT, give_consent, thread_of_two
from webclient.review.alerts import AlertKind, AlertRules, find_alerts


def after_hours(found) -> list[tuple[str, int]]:
    return [(a.detail, a.count) for a in found if a.kind is AlertKind.OUTSIDE_OFFICE_HOURS]


def test_aggregate_queries_and_mail_views_are_separate_alerts():
    evening = 13  # 20:00 in Jakarta
    found = find_alerts([entry(1, hour=evening, action="aggregate.query",
                               purpose="ops.aggregate", mailbox=""),
                         entry(2, hour=evening, action="aggregate.query",
                               purpose="ops.aggregate", mailbox=""),
                         entry(3, hour=evening)], AlertRules(), NAMES)
    assert sorted(after_hours(found)) == [("aggregate", 2), ("mail", 1)]


def plain(page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


@pytest.mark.parametrize(("language", "said", "not_said"), [
    ("en", f"{OPS} ran 1 aggregate query outside office hours (counts only, no mail).",
     f"{OPS} accessed mail"),
    ("id", f"{OPS} menjalankan 1 kueri agregat di luar jam kerja (hanya hitungan, "
     "tanpa email).", f"{OPS} mengakses email"),
])
def test_an_analysts_aggregate_after_hours_is_worded_as_a_query(
        app, staff_client, user, clock, language, said, not_said):
    clock.now = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)  # a Wednesday, 22:00 in Jakarta
    assert staff_client(OPS).get("/staff/aggregates").status_code == 200
    reviewer = staff_client(SECURITY_1)
    reviewer.set_cookie("mailguard_lang", language)
    page = text_of(reviewer.get(REVIEW + "alerts?since=2026-11-25"))
    assert said in plain(page) and not_said not in plain(page), plain(page)[-900:]
    assert "action=aggregate.query" in page


def test_a_mail_view_after_hours_still_says_mail(app, staff_client, user, clock):
    clock.now = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
    _thread, first, _reply = thread_of_two(user)
    consent = give_consent(app, user, [first])
    assert staff_client(SUPPORT).get(f"/staff/consented/{consent.id}/m/{first}").status_code \
        == 200
    page = plain(text_of(staff_client(SECURITY_1).get(REVIEW + "alerts?since=2026-11-25")))
    assert f"{SUPPORT} accessed mail 1 time outside office hours." in page
    assert "aggregate" not in page.split("Thresholds")[0]
