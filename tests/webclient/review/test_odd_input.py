"""Odd values typed into the staff console and the review pages get a form error, never a 500.

A duration of "inf" hours, an entry number past what the database holds, or a date range
from year 1 to year 9999 is what a tester tries first; each used to end on the "Something
went wrong" page.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.webclient.conftest import csrf_token
from tests.webclient.review.conftest import REVIEW, SECURITY_1, play_scenario, text_of


@pytest.mark.parametrize("hours", ["inf", "-inf", "nan", "1e309", "99999999999", "1e18"])
def test_a_duration_no_grant_can_have_is_a_form_error(staff_client, user, hours):
    requester = staff_client(SECURITY_1)
    answer = requester.post("/staff/grants/new", data={
        "csrf_token": csrf_token(requester, "/staff/grants/new"), "mailbox": user.email,
        "basis": "security", "case_id": "SEC-1", "category": "abuse", "hours": hours})
    assert answer.status_code == 400
    page = text_of(answer)
    assert "at most 72 hours" in page
    assert "NaN" not in page and "convert" not in page


def test_the_duration_error_is_in_indonesian_for_an_indonesian_reader(staff_client, user):
    requester = staff_client(SECURITY_1)
    answer = requester.post("/staff/grants/new", headers={"Accept-Language": "id"}, data={
        "csrf_token": csrf_token(requester, "/staff/grants/new"), "mailbox": user.email,
        "basis": "security", "case_id": "SEC-1", "category": "abuse", "hours": "nan"})
    assert answer.status_code == 400
    assert "72 jam" in text_of(answer)


def test_an_entry_number_past_any_log_is_not_found(staff_client):
    reviewer = staff_client(SECURITY_1)
    assert reviewer.get(REVIEW + "entries/99999999999999999999").status_code == 404
    assert reviewer.get(REVIEW + "entries/9223372036854775808").status_code == 404


@pytest.mark.parametrize("cursor", ["before", "after"])
def test_a_page_cursor_past_any_log_is_a_filter_error(staff_client, cursor):
    answer = staff_client(SECURITY_1).get(REVIEW, query_string={cursor: "9" * 25})
    assert answer.status_code == 400
    assert "whole number" in text_of(answer)


@pytest.mark.parametrize("page", ["", "charts", "alerts", "report", "export.csv",
                                  "export.jsonl"])
def test_the_widest_date_range_is_answered(staff_client, page):
    answer = staff_client(SECURITY_1).get(REVIEW + page, query_string={
        "since": "0001-01-01", "until": "9999-12-31"})
    assert answer.status_code == 200, text_of(answer)[:500]


def test_charts_over_a_long_period_draw_its_last_year_and_say_so(app, staff_client, user,
                                                                 clock):
    play_scenario(app, staff_client, user)
    today = clock.now.date()
    answer = staff_client(SECURITY_1).get(REVIEW + "charts", query_string={
        "since": "2000-01-01", "until": today.isoformat()})
    page = text_of(answer)
    assert answer.status_code == 200
    assert "at most 366 days" in page
    assert re.findall(r'data-bucket="([0-9-]+)"', page), "the scenario draws bars"
    labels = re.findall(r'fill="#333333">([0-9]{2}-[0-9]{2})</text>', page)
    assert labels[0] == (today - timedelta(days=365)).strftime("%m-%d")
