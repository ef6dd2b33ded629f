"""A report download link with a date the form cannot read says which field and what to
type, in the reader's language, on the report page's form with what was typed; it used to
answer a bare 'Invalid request' 400."""

from __future__ import annotations

import html

import pytest

from tests.webclient.review.conftest import REVIEW, SECURITY_1, text_of

MESSAGES = {
    "en": "{field}: give a UTC date like 2025-03-01 or a time like 2025-03-01T09:30",
    "id": "{field}: isi tanggal UTC seperti 2025-03-01 atau waktu seperti 2025-03-01T09:30",
}


@pytest.mark.parametrize("language", ["en", "id"])
@pytest.mark.parametrize("fmt", ["html", "pdf"])
@pytest.mark.parametrize(("field", "typed"), [("since", "yesterday"),
                                              ("until", "01/03/2025")])
def test_a_bad_date_names_the_field_and_keeps_the_form(staff_client, language, fmt, field,
                                                        typed):
    reviewer = staff_client(SECURITY_1)
    reviewer.set_cookie("mailguard_lang", language)
    answer = reviewer.get(f"{REVIEW}report.{fmt}", query_string={field: typed})
    page = html.unescape(text_of(answer))
    assert answer.status_code == 400
    assert answer.mimetype == "text/html"
    assert "Content-Disposition" not in answer.headers
    assert MESSAGES[language].format(field=field) in page
    assert f'name="{field}" value="{typed}"' in page
    assert "Invalid request" not in page
