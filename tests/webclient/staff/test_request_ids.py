"""Console and review pages name their request id, and their audit entries carry it."""

from __future__ import annotations

from audit import AuditQuery
from tests.webclient.staff.conftest import (
    SECURITY_1,
    SUPPORT,
    give_consent,
    guard_of,
    thread_of_two,
)


def entries_of(app, request_id: str) -> list:
    return list(guard_of(app).audit.query(AuditQuery(request_id=request_id)))


def test_a_consented_view_names_the_request_its_entries_carry(app, staff_client, user):
    _thread, first, _reply = thread_of_two(user)
    consent = give_consent(app, user, [first])
    page = staff_client(SUPPORT).get(f"/staff/consented/{consent.id}/m/{first}")
    assert page.status_code == 200
    entries = entries_of(app, page.headers["X-Request-Id"])
    assert entries and {(e.action, e.rule_id) for e in entries} == {
        ("messages.get", "consent.allowed")}


def test_a_review_page_names_the_request_its_reading_entry_carries(app, staff_client):
    page = staff_client(SECURITY_1).get("/staff/review/integrity")
    assert page.status_code == 200
    entries = entries_of(app, page.headers["X-Request-Id"])
    assert entries and {e.rule_id for e in entries} == {"review.security_role"}


def test_a_refused_review_visit_names_the_request_of_its_refusal(app, staff_client):
    page = staff_client(SUPPORT).get("/staff/review/integrity")
    assert page.status_code == 404
    entries = entries_of(app, page.headers["X-Request-Id"])
    assert [e.rule_id for e in entries] == ["review.security_role_required"]
