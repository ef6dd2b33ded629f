"""A period whose end comes before its start is refused with a message, on every page.

It used to be searched as given: the search said no entry matched, the charts drew
nothing, and the compliance report showed a period "2026-12-01 to 2026-11-02" with every
figure zero, as if it were evidence of a quiet month.
"""

from __future__ import annotations

import pytest

from tests.webclient.review.conftest import REVIEW, SECURITY_1, text_of


@pytest.mark.parametrize("page", ["", "charts", "alerts", "report", "export.csv"])
def test_a_period_ending_before_it_starts_is_refused(staff_client, page):
    reviewer = staff_client(SECURITY_1)
    answer = reviewer.get(f"{REVIEW}{page}?actor=someone@qontak.com"
                          "&since=2026-12-01&until=2026-11-01")
    text = text_of(answer)
    assert answer.status_code == 400
    assert "until: give a day on or after the start of the period" in text
    assert 'value="someone@qontak.com"' in text or page not in ("", "export.csv")


def test_the_report_file_of_a_reversed_period_is_refused(staff_client):
    reviewer = staff_client(SECURITY_1)
    answer = reviewer.get(f"{REVIEW}report.pdf?since=2026-12-01&until=2026-11-01")
    assert answer.status_code == 400
    assert "until: give a day on or after the start of the period" in text_of(answer)


def test_a_one_day_period_is_fine(staff_client):
    reviewer = staff_client(SECURITY_1)
    answer = reviewer.get(f"{REVIEW}report?since=2026-11-01&until=2026-11-01")
    assert answer.status_code == 200
