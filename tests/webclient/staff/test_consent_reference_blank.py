"""A blank consent reference says what is missing and keeps the form; it used to show the
form again with no message, as if nothing had been sent."""

from __future__ import annotations

import html

import pytest

from tests.webclient.staff.conftest import SUPPORT


@pytest.mark.parametrize(("language", "message"), [
    ("en", "Enter the consent reference the user gave you; it starts with cns_."),
    ("id", "Masukkan referensi persetujuan yang diberikan pengguna kepada Anda; awalnya cns_."),
])
@pytest.mark.parametrize("typed", ["", "   "])
def test_a_blank_reference_says_what_is_missing(staff_client, language, message, typed):
    agent = staff_client(SUPPORT)
    agent.set_cookie("mailguard_lang", language)
    answer = agent.get("/staff/consented", query_string={"ref": typed})
    page = html.unescape(answer.get_data(as_text=True))
    assert answer.status_code == 400
    assert message in page
    assert 'name="ref"' in page and f'value="{typed}"' in page


def test_the_first_visit_shows_the_form_without_a_message(staff_client):
    answer = staff_client(SUPPORT).get("/staff/consented")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert 'name="ref"' in page and "cns_." not in page and 'role="alert"' not in page
