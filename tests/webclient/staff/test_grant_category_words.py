"""A request naming a case category the policy does not have (a form altered before it was
sent) is refused with the policy's categories worded as the form words them, in the staff
member's language, never as the policy's codes."""

from __future__ import annotations

import html

import pytest

from tests.webclient.staff.conftest import SECURITY_1, guard_of
from tests.webclient.staff.test_grants import form_post

WORDED = {
    "en": "The case category must be one of Abuse, Software fault, Fraud, Security incident.",
    "id": "Kategori kasus harus salah satu dari Penyalahgunaan, Kesalahan perangkat lunak, "
          "Penipuan, Insiden keamanan.",
}


@pytest.mark.parametrize("language", ["en", "id"])
def test_an_unknown_category_lists_the_categories_in_the_forms_words(app, staff_client, user,
                                                                    language):
    client = staff_client(SECURITY_1)
    client.set_cookie("mailguard_lang", language)
    answer = form_post(client, "/staff/grants/new", {
        "mailbox": user.email, "basis": "security", "case_id": "SEC-12",
        "category": "not_a_category", "hours": "2"}, page="/staff/grants/new")
    page = html.unescape(answer.get_data(as_text=True))
    assert answer.status_code == 400
    assert WORDED[language] in page
    assert "abuse, bug" not in page and "security_incident," not in page
    assert guard_of(app).grants.for_staff(SECURITY_1) == ()
