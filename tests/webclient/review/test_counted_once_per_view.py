"""One staff view is one access, and one account connected three times is one account.

A staff view is recorded twice under one request id (the broker's decision, then the
Gmail call it allowed). The charts and the report counted it once, but the alert "accessed
mail N times outside office hours" counted entries, so one view after hours read as two.
The report's "Gmail accounts connected in the period" counted sign-ins, so a user who
signed in three times was three accounts.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from tests.webclient.conftest import sign_in
from tests.webclient.review.conftest import REVIEW, SECURITY_1, text_of
from tests.webclient.staff.conftest import SUPPORT, give_consent, thread_of_two


def test_one_view_after_hours_is_one_access_in_the_alert(app, staff_client, user, clock):
    clock.now = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)  # a Wednesday, 22:00 in Jakarta
    _thread, first, _reply = thread_of_two(user)
    consent = give_consent(app, user, [first])
    agent = staff_client(SUPPORT)
    assert agent.get(f"/staff/consented/{consent.id}/m/{first}").status_code == 200

    page = text_of(staff_client(SECURITY_1).get(REVIEW + "alerts?since=2026-11-25"))
    plain = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert f"{SUPPORT} accessed mail 1 time outside office hours." in plain, plain[-900:]
    charts = text_of(staff_client(SECURITY_1).get(REVIEW + "charts?since=2026-11-25"))
    assert f"{SUPPORT}: 1" in charts


def test_an_account_connected_three_times_counts_once(app, staff_client, user, web_emulator):
    for _again in range(2):
        assert sign_in(app.test_client(), web_emulator, user.email).status_code == 302
    page = text_of(staff_client(SECURITY_1).get(REVIEW + "report"))
    assert "Gmail accounts connected in the period: 1" in page
