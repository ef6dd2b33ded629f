"""The shared page layout: stylesheets an area adds go into the document's head."""

from __future__ import annotations

from tests.webclient.staff.conftest import (  # noqa: F401 - fixtures
    SECURITY_1,
    app,
    clock,
    staff_client,
    web_emulator,
)


def test_review_pages_load_their_stylesheet_in_the_head(staff_client):  # noqa: F811
    reviewer = staff_client(SECURITY_1)
    for path in ("/staff/review/", "/staff/review/integrity", "/staff/review/charts"):
        page = reviewer.get(path).get_data(as_text=True)
        head, _, body = page.partition("</head>")
        assert "review/static/review.css" in head, path
        assert "<link" not in body, path
