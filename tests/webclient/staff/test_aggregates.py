"""Operations staff see counts over groups of at least k mailboxes; smaller groups suppressed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from audit import AuditEvent, AuditQuery
from fakegmail.server import EmulatorServer
from guard.policy import DEFAULT_POLICY_PATH, Actor, ActorKind
from tests.webclient.staff.conftest import (
    ADMIN,
    OPS,
    ROLES,
    SECURITY_1,
    SUPPORT,
    Clock,
    attach_people,
    guard_of,
    staff_config,
)
from webclient import create_app

K = 10


@pytest.fixture
def app(web_emulator: EmulatorServer, tmp_path: Path, clock: Clock) -> Iterator[Flask]:
    """Return the console with a policy whose minimum group size is 10 mailboxes."""
    policy = tmp_path / "policy.toml"
    text = DEFAULT_POLICY_PATH.read_text(encoding="utf-8")
    policy.write_text(re.sub(r"min_group_size = \d+", f"min_group_size = {K}", text),
                      encoding="utf-8")
    application = create_app(staff_config(web_emulator, tmp_path, clock,
                                          POLICY_PATH=str(policy)))
    guard = attach_people(application.extensions["mailguard.guard"])
    for email, role in ROLES.items():
        guard.staff.add(email, roles=[role], by=ADMIN)
    yield application
    guard.close()


def consents_from(app: Flask, count: int) -> None:
    """Have ``count`` users each record a consent (one audited mailbox each)."""
    consents = guard_of(app).consents
    for number in range(count):
        consents.record(actor=Actor(kind=ActorKind.USER, id=f"user{number}@customer.test"),
                        grantee="support", message_ids=[f"m{number}"],
                        wording="Support may read this message.")


def reads_from(app: Flask, count: int) -> None:
    """Have ``count`` other users each read one message (one audited mailbox each)."""
    guard_of(app).audit.append_many(
        AuditEvent(actor_kind="user", actor_id=f"reader{n}@customer.test",
                   mailbox=f"reader{n}@customer.test", action="messages.get",
                   purpose="email.read", resources=[("message", f"r{n}")], decision="allow")
        for n in range(count))


def test_a_small_group_is_shown_as_suppressed(app, staff_client, user, clock):
    consents_from(app, K)
    reads_from(app, K + 5)
    page = staff_client(OPS).get("/staff/aggregates")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    rows = re.findall(r"<tr class=\"(suppressed)?\">(.*?)</tr>", text, re.S)
    purpose = {re.findall(r"<td[^>]*>([^<]*)</td>", row)[1]: (mark, row) for mark, row in rows}
    shown = {name: row for name, (mark, row) in purpose.items() if not mark}
    suppressed = [row for mark, row in rows if mark]
    assert "email.read" in shown
    assert int(re.findall(r'<td class="number">(\d+)</td>', shown["email.read"])[0]) >= K + 5
    small = [row for row in suppressed if f"suppressed (fewer than {K} mailboxes)" in row]
    assert small, "the lone user's own activity must be a suppressed group"
    # privacy.consent is big enough, but with the day's total it would give the small
    # group away: it is hidden too, and says why.
    mark, consent_row = purpose["privacy.consent"]
    assert mark and "it would reveal a smaller group" in consent_row
    assert all('class="number"' not in row for row in suppressed)
    assert user.email not in text
    decisions = [(e.decision, e.rule_id) for e in guard_of(app).audit.query(
        AuditQuery(action="aggregate.query"))]
    assert decisions == [("allow", "aggregate.allowed")]


def test_connected_mailboxes_by_domain_size(app, staff_client, user):
    text = staff_client(OPS).get(
        "/staff/aggregates?question=accounts_by_domain_size").get_data(as_text=True)
    assert "Mailboxes in the domain" in text
    assert text.count(f"suppressed (fewer than {K} mailboxes)") == 4


def test_a_bad_period_is_explained(staff_client):
    answer = staff_client(OPS).get("/staff/aggregates?since=2025-03-02&until=2025-03-01")
    assert answer.status_code == 400
    assert "start day before the end day" in answer.get_data(as_text=True)


@pytest.mark.parametrize("member", [SUPPORT, SECURITY_1])
def test_other_roles_have_no_aggregates(app, staff_client, member):
    assert staff_client(member).get("/staff/aggregates").status_code == 404
    refusal = [(e.action, e.rule_id) for e in guard_of(app).audit.query(
        AuditQuery(actor_kind="staff", decision="deny"))]
    assert refusal == [("console.aggregates", "staff.basis_not_allowed")]


def test_operations_staff_see_no_messages(app, staff_client):
    ops = staff_client(OPS)
    for path in ("/staff/consented", "/staff/grants", "/staff/grants/new",
                 "/staff/consented/cns_x/m/y", "/staff/grants/grt_x/t/y"):
        assert ops.get(path).status_code == 404, path
