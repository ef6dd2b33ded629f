"""Staff find their way between the console and the review pages, in their language.

The review pages had no way out (no sign-out, no link back to the console) and the
console no link to them; roles and case categories showed as the policy file's codes
("security", "security_incident") on Indonesian pages.
"""

from __future__ import annotations

import re

from tests.webclient.review.conftest import LEGAL, OPS, REVIEW, SECURITY_1, SUPPORT, text_of


def test_a_security_member_reaches_the_review_pages_from_the_console(staff_client):
    page = text_of(staff_client(SECURITY_1).get("/staff/grants"))
    assert f'href="{REVIEW}"' in page


def test_other_roles_get_no_review_link(staff_client):
    for member, home in ((SUPPORT, "/staff/consented"), (OPS, "/staff/aggregates"),
                         (LEGAL, "/staff/grants")):
        assert f'href="{REVIEW}"' not in text_of(staff_client(member).get(home))


def test_every_review_page_leads_back_to_the_console_and_signs_out(staff_client):
    reviewer = staff_client(SECURITY_1)
    for page in ("", "charts", "alerts", "integrity", "report"):
        text = text_of(reviewer.get(REVIEW + page))
        assert 'href="/staff/"' in text, page
        assert re.search(r'<form method="post" action="/staff/signout"', text), page
    token = re.search(r'name="csrf-token" content="([^"]+)"',
                      text_of(reviewer.get(REVIEW))).group(1)
    out = reviewer.post("/staff/signout", data={"csrf_token": token})
    assert out.status_code == 302
    assert reviewer.get(REVIEW).headers["Location"].startswith("/staff/signin")


def test_roles_and_case_categories_are_named_in_indonesian(staff_client):
    reviewer = staff_client(SECURITY_1)
    indonesian = {"Accept-Language": "id"}
    form = text_of(reviewer.get("/staff/grants/new", headers=indonesian))
    assert 'class="staff-role">Keamanan<' in form
    assert '<option value="security_incident" >Insiden keamanan</option>' in form
    assert '<option value="abuse" >Penyalahgunaan</option>' in form
    review = text_of(reviewer.get(REVIEW, headers=indonesian))
    assert "Konsol staf" in review and "Keluar dari konsol" in review


def test_roles_and_categories_read_as_words_in_english(staff_client):
    form = text_of(staff_client(SECURITY_1).get("/staff/grants/new"))
    assert 'class="staff-role">Security<' in form
    assert '<option value="security_incident" >Security incident</option>' in form
