"""Security and legal access: request with a basis, second-person approval, use, expiry."""

from __future__ import annotations

import re

from audit import AuditQuery
from tests.webclient.conftest import csrf_token
from tests.webclient.staff.conftest import (
    LEGAL,
    OPS,
    SECURITY_1,
    SECURITY_2,
    SUPPORT,
    guard_of,
    thread_of_two,
)


def form_post(client, path: str, data: dict, page: str = "/staff/grants") -> object:
    return client.post(path, data={"csrf_token": csrf_token(client, page), **data})


def request_security(client, mailbox: str, *, case: str = "SEC-481", hours: str = "4"):
    return form_post(client, "/staff/grants/new", {
        "mailbox": mailbox, "basis": "security", "case_id": case, "category": "abuse",
        "hours": hours}, page="/staff/grants/new")


def grant_id_of(answer) -> str:
    found = re.fullmatch(r"/staff/grants/(grt_[0-9a-f]+)", answer.headers["Location"])
    assert found is not None, answer.headers.get("Location")
    return found.group(1)


def actions(app, *names: str) -> list[tuple[str, str, str]]:
    return [(e.action, e.decision, e.rule_id) for e in guard_of(app).audit.query(
        AuditQuery(actor_kind="staff")) if e.action in names]


def test_the_request_form_offers_the_roles_bases_and_categories(staff_client):
    page = staff_client(SECURITY_1).get("/staff/grants/new").get_data(as_text=True)
    assert 'value="security"' in page and 'value="legal"' not in page
    assert 'value="abuse"' in page and 'value="fraud"' in page
    legal = staff_client(LEGAL).get("/staff/grants/new").get_data(as_text=True)
    assert 'value="legal"' in legal and 'value="security"' not in legal


def test_a_security_case_is_requested_approved_used_and_expires(app, staff_client, user,
                                                                 clock):
    thread, first, reply = thread_of_two(user)
    requester, approver = staff_client(SECURITY_1), staff_client(SECURITY_2)
    answer = request_security(requester, user.email, hours="4")
    grant = grant_id_of(answer)
    pending = requester.get(f"/staff/grants/{grant}").get_data(as_text=True)
    assert "Waiting for approval" in pending and "SEC-481" in pending
    assert requester.get(f"/staff/grants/{grant}/m/{first}").status_code == 404

    own = form_post(requester, f"/staff/grants/{grant}/approve", {})
    assert own.status_code == 403 and "grant.self_approved" in own.get_data(as_text=True)

    waiting = approver.get("/staff/grants").get_data(as_text=True)
    assert grant in waiting and user.email in waiting
    approved = form_post(approver, f"/staff/grants/{grant}/approve", {})
    assert approved.status_code == 302
    assert approver.get(f"/staff/grants/{grant}/m/{first}").status_code == 404

    conversation = requester.get(f"/staff/grants/{grant}/t/{thread}")
    text = conversation.get_data(as_text=True)
    assert conversation.status_code == 200 and conversation.headers["Cache-Control"] == \
        "no-store"
    assert "Invoice 42 is wrong" in text and "Re: Invoice 42 is wrong" in text
    assert f"{SECURITY_1} · Security · security case SEC-481 (Abuse)" in text
    assert all(f'src="/staff/grants/{grant}/m/{m}/frame"' in text for m in (first, reply))
    frame = requester.get(f"/staff/grants/{grant}/m/{reply}/frame").get_data(as_text=True)
    assert "My bank PIN is 123456" in frame and "security case SEC-481 (Abuse)" in frame

    clock.advance(hours=4, minutes=1)
    requester = staff_client(SECURITY_1)  # back after hours away: signed in again
    assert requester.get(f"/staff/grants/{grant}/t/{thread}").status_code == 404
    assert "Expired" in requester.get(f"/staff/grants/{grant}").get_data(as_text=True)
    assert actions(app, "grant.request", "grant.approve") == [
        ("grant.request", "allow", "grant.requested"),
        ("grant.approve", "deny", "grant.self_approved"),
        ("grant.approve", "allow", "grant.approved")]
    views = [(e.decision, e.rule_id) for e in guard_of(app).audit.query(
        AuditQuery(actor_kind="staff", basis_ref=grant)) if e.outcome in ("view", "refused")]
    assert views == [("deny", "grant.approval_missing"), ("deny", "grant.wrong_staff"),
                     ("allow", "security.allowed"), ("allow", "security.allowed"),
                     ("deny", "grant.expired")]


def test_a_refused_request_cannot_be_used(app, staff_client, user):
    message = thread_of_two(user)[1]
    requester, approver = staff_client(SECURITY_1), staff_client(SECURITY_2)
    grant = grant_id_of(request_security(requester, user.email))
    assert form_post(approver, f"/staff/grants/{grant}/refuse", {}).status_code == 302
    assert "Refused or revoked" in requester.get(f"/staff/grants/{grant}").get_data(
        as_text=True)
    assert form_post(approver, f"/staff/grants/{grant}/approve", {}).status_code == 404
    assert requester.get(f"/staff/grants/{grant}/m/{message}").status_code == 404
    assert ("grant.revoke", "allow", "grant.revoke") in actions(app, "grant.revoke")


def test_a_legal_request_needs_a_legal_colleague(app, staff_client, user):
    legal = staff_client(LEGAL)
    answer = form_post(legal, "/staff/grants/new", {
        "mailbox": user.email, "basis": "legal", "legal_ref": "POLRI/2025/0042", "hours": "2"},
        page="/staff/grants/new")
    grant = grant_id_of(answer)
    security = staff_client(SECURITY_1)
    assert security.get(f"/staff/grants/{grant}").status_code == 404
    assert form_post(security, f"/staff/grants/{grant}/approve", {}).status_code == 404
    refusals = [(e.action, e.rule_id) for e in guard_of(app).audit.query(
        AuditQuery(actor_kind="staff", decision="deny"))]
    assert refusals == [("grant.read", "staff.basis_not_allowed")] * 2


def test_invalid_requests_explain_what_is_missing(app, staff_client, user):
    client = staff_client(SECURITY_1)
    no_case = form_post(client, "/staff/grants/new", {
        "mailbox": user.email, "basis": "security", "category": "abuse"},
        page="/staff/grants/new")
    assert no_case.status_code == 400
    assert "A security grant needs a case id" in no_case.get_data(as_text=True)
    too_long = request_security(client, user.email, hours="500")
    assert too_long.status_code == 400 and "at most 72 hours" in too_long.get_data(
        as_text=True)
    wrong_basis = form_post(client, "/staff/grants/new", {
        "mailbox": user.email, "basis": "legal", "legal_ref": "X-1"},
        page="/staff/grants/new")
    assert wrong_basis.status_code in (400, 403)
    assert guard_of(app).grants.for_staff(SECURITY_1) == ()


def test_support_and_operations_have_no_grant_pages(app, staff_client, user):
    grant = grant_id_of(request_security(staff_client(SECURITY_1), user.email))
    for member in (SUPPORT, OPS):
        client = staff_client(member)
        assert client.get("/staff/grants").status_code == 404
        assert client.get(f"/staff/grants/{grant}").status_code == 404
        assert client.get("/staff/grants/new").status_code == 404
    refusals = [e.rule_id for e in guard_of(app).audit.query(
        AuditQuery(actor_kind="staff", decision="deny"))]
    assert refusals == ["staff.basis_not_allowed"] * 6


def test_a_grant_of_another_member_is_404_even_for_the_same_role(app, staff_client, user):
    thread = thread_of_two(user)[0]
    requester, colleague = staff_client(SECURITY_1), staff_client(SECURITY_2)
    grant = grant_id_of(request_security(requester, user.email))
    form_post(colleague, f"/staff/grants/{grant}/approve", {})
    assert colleague.get(f"/staff/grants/{grant}").status_code == 404
    assert colleague.get(f"/staff/grants/{grant}/t/{thread}").status_code == 404
    assert requester.get(f"/staff/grants/{grant}/t/{thread}").status_code == 200


def test_an_unknown_grant_is_404_and_recorded(app, staff_client):
    client = staff_client(SECURITY_1)
    assert client.get("/staff/grants/grt_nothing/m/abc").status_code == 404
    assert client.get("/staff/grants/grt_nothing").status_code == 404
    refusals = [e.rule_id for e in guard_of(app).audit.query(
        AuditQuery(actor_kind="staff", decision="deny"))]
    assert refusals == ["grant.missing", "grant.missing"]
