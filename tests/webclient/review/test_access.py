"""Who reaches the review pages: the security role only; everyone else a 404, audited."""

from __future__ import annotations

import pytest

from tests.webclient.conftest import audit_entries, sign_in
from tests.webclient.review.conftest import (
    LEGAL,
    OPS,
    REVIEW,
    SECURITY_1,
    SUPPORT,
    page_csrf,
    text_of,
)

GET_ROUTES = ["", "entries/0", "integrity", "charts", "alerts", "export.csv",
              "export.jsonl", "report", "report.html", "report.pdf"]


@pytest.mark.parametrize("route", GET_ROUTES)
def test_a_security_reviewer_reaches_every_page(app, staff_client, route):
    reviewer = staff_client(SECURITY_1)
    answer = reviewer.get(REVIEW + route)
    assert answer.status_code == 200, text_of(answer)[:400]
    assert answer.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("email", [SUPPORT, LEGAL, OPS])
@pytest.mark.parametrize("route", GET_ROUTES)
def test_other_staff_get_a_404_and_an_audit_entry(app, staff_client, email, route):
    other = staff_client(email)
    before = len(audit_entries(app, rule_id="review.security_role_required"))
    answer = other.get(REVIEW + route)
    assert answer.status_code == 404
    refused = audit_entries(app, rule_id="review.security_role_required")
    assert len(refused) == before + 1
    assert refused[-1].decision.value == "deny"
    assert refused[-1].actor_role == {SUPPORT: "support", LEGAL: "legal", OPS: "ops"}[email]
    assert refused[-1].purpose == "audit.review"


def test_a_mail_user_gets_a_404_and_an_audit_entry(app, web_emulator, user):
    client = app.test_client()
    sign_in(client, web_emulator, user.email)
    answer = client.get(REVIEW + "charts")
    assert answer.status_code == 404
    refused = audit_entries(app, rule_id="review.security_role_required", action="audit.charts")
    assert [e.actor_kind.value for e in refused] == ["user"]


def test_a_visitor_without_a_session_is_sent_to_the_staff_sign_in(app):
    answer = app.test_client().get(REVIEW + "alerts")
    assert answer.status_code == 302
    assert "/staff/signin" in answer.headers["Location"]


def test_verifying_needs_the_security_role_and_a_form_token(app, staff_client):
    support = staff_client(SUPPORT)
    assert support.post(REVIEW + "integrity/verify").status_code in (400, 404)
    reviewer = staff_client(SECURITY_1)
    assert reviewer.post(REVIEW + "integrity/verify").status_code == 400
    token = page_csrf(reviewer, REVIEW + "integrity")
    answer = reviewer.post(REVIEW + "integrity/verify", data={"csrf_token": token})
    assert answer.status_code == 302


def test_each_reading_of_the_log_is_itself_recorded(app, staff_client):
    reviewer = staff_client(SECURITY_1)
    for route, action in [("", "audit.search"), ("charts", "audit.charts"),
                          ("export.csv", "audit.export"), ("report", "audit.report")]:
        before = len(audit_entries(app, action=action, actor_id=SECURITY_1))
        assert reviewer.get(REVIEW + route).status_code == 200
        after = audit_entries(app, action=action, actor_id=SECURITY_1)
        assert len(after) == before + 1
        assert (after[-1].purpose, after[-1].actor_role, after[-1].decision.value) == (
            "audit.review", "security", "allow")
