"""A 404 under /staff leads back to the console, under /staff/review to the review home."""

from __future__ import annotations

import html

import pytest

from tests.webclient.review.conftest import REVIEW, SECURITY_1
from tests.webclient.staff.conftest import SUPPORT


def way_back(answer) -> str:
    page = html.unescape(answer.get_data(as_text=True))
    assert answer.status_code == 404
    return page


@pytest.mark.parametrize(("language", "console", "review"), [
    ("en", "Back to the staff console", "Back to the security review"),
    ("id", "Kembali ke konsol staf", "Kembali ke tinjauan keamanan"),
])
def test_a_reviewer_is_led_back_to_the_console_or_the_review_home(
        staff_client, language, console, review):
    reviewer = staff_client(SECURITY_1)
    reviewer.set_cookie("mailguard_lang", language)
    for path in ("/staff/no-such-page", "/staff/grants/grt_0000/nowhere",
                 "/staff/grants/grt_0000"):
        page = way_back(reviewer.get(path))
        assert f'<a href="/staff/">{console}</a>' in page
        assert "Back to your mail" not in page and "Kembali ke email Anda" not in page
    page = way_back(reviewer.get(REVIEW + "no-such-page"))
    assert f'<a href="{REVIEW}">{review}</a>' in page
    assert "Back to your mail" not in page and "Kembali ke email Anda" not in page


def test_other_staff_are_not_pointed_at_the_review_pages(staff_client):
    support = staff_client(SUPPORT)
    for path in (REVIEW + "no-such-page", REVIEW, "/staff/grants"):
        page = way_back(support.get(path))
        assert '<a href="/staff/">Back to the staff console</a>' in page
        assert "security review" not in page.lower()


def test_mail_pages_still_lead_back_to_the_mail(app):
    page = way_back(app.test_client().get("/no-such-page"))
    assert '<a href="/">Back to your mail</a>' in page
