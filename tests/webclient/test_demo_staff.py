"""``mailguard demo`` brings the staff console and the security review to life.

A demo user shares a message with support, the demo's support agent opens it, a demo
security member asks for access that the second one approves, the operations analyst
counts, and a reviewer finds all of it in the audit search: over HTTP, through the
emulator's sign-in page, as someone trying the demo would.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
import requests
from click.testing import CliRunner

from fakegmail.seed import DEMO_ACCOUNTS
from mailguard.demo import DEMO_STAFF, DEMO_STAFF_DOMAIN, Demo, banner, build_demo
from tests.webclient.conftest import consent

USER = DEMO_ACCOUNTS[0][0]
ROLE_OF = {member.role: member.email for member in DEMO_STAFF if member.role != "security"}
SECURITY = [member.email for member in DEMO_STAFF if member.role == "security"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """Run the demo on free ports with small mailboxes."""
    running = build_demo(tmp_path_factory.mktemp("demo") / "instance", port=0,
                         messages=5).start()
    try:
        yield running
    finally:
        running.stop()


def signed_in(demo: Demo, email: str, *, area: str) -> requests.Session:
    """Return a browser-like session signed in as ``email`` at ``/auth`` or ``/staff``."""
    session = requests.Session()
    start = session.get(f"{demo.url}{area}/start", allow_redirects=False, timeout=10)
    assert start.status_code == 302, start.text[:300]
    back = urlsplit(consent(demo.emulator, start.headers["Location"], email))
    answer = session.get(f"{demo.url}{back.path.lstrip('/')}?{back.query}",
                         allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text[:300]
    return session


def csrf(session: requests.Session, url: str) -> str:
    found = re.search(r'name="csrf-token" content="([^"]+)"', session.get(url, timeout=10).text)
    assert found is not None
    return html.unescape(found.group(1))


def hidden_fields(page: str) -> dict[str, str]:
    return {name: html.unescape(value) for name, value in
            re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"', page)}


def test_the_staff_accounts_exist_with_their_roles(demo: Demo):
    registry = demo.app.extensions["mailguard.guard"].staff
    for member in DEMO_STAFF:
        assert member.email.endswith("@" + DEMO_STAFF_DOMAIN)
        assert member.role in registry.get(member.email).roles
        assert demo.emulator.state.account(member.email) is not None
    assert sorted(m.role for m in DEMO_STAFF) == ["legal", "ops", "security", "security",
                                                 "support"]
    assert all(not email.endswith("@" + DEMO_STAFF_DOMAIN) for email, _ in DEMO_ACCOUNTS)


def test_a_mail_user_cannot_sign_in_to_the_staff_console(demo: Demo):
    session = requests.Session()
    start = session.get(demo.url + "staff/start", allow_redirects=False, timeout=10)
    back = urlsplit(consent(demo.emulator, start.headers["Location"], USER))
    answer = session.get(f"{demo.url}{back.path.lstrip('/')}?{back.query}",
                         allow_redirects=False, timeout=10)
    assert answer.status_code == 403
    assert session.get(demo.url + "staff/", allow_redirects=False,
                       timeout=10).status_code == 302


def test_consent_security_case_aggregates_and_review_work_in_the_demo(demo: Demo):
    user = signed_in(demo, USER, area="auth")
    inbox = user.get(demo.url + "u/0/f/inbox", timeout=10).text
    thread_id = re.search(r'href="/u/0/t/([0-9a-f]+)', inbox).group(1)
    thread = user.get(demo.url + f"u/0/t/{thread_id}", timeout=10).text
    message_id = re.search(r'/u/0/privacy/share/([0-9a-f]+)', thread).group(1)

    share = demo.url + f"u/0/privacy/share/{message_id}"
    shared = user.post(share, data={**hidden_fields(user.get(share, timeout=10).text),
                                    "agree": "yes"}, timeout=10)
    assert shared.status_code == 200
    consent_id = re.search(r"cns_[0-9a-f]+", shared.text).group(0)

    agent = signed_in(demo, ROLE_OF["support"], area="staff")
    opened = agent.get(demo.url + f"staff/consented/{consent_id}/m/{message_id}", timeout=10)
    assert opened.status_code == 200
    assert f"{ROLE_OF['support']} · Support" in opened.text

    requester, approver = (signed_in(demo, email, area="staff") for email in SECURITY)
    asked = requester.post(demo.url + "staff/grants/new", data={
        "csrf_token": csrf(requester, demo.url + "staff/grants/new"), "mailbox": USER,
        "basis": "security", "case_id": "SEC-DEMO-1", "category": "abuse", "hours": "2"},
        allow_redirects=False, timeout=10)
    grant = asked.headers["Location"].rsplit("/", 1)[1]
    approved = approver.post(demo.url + f"staff/grants/{grant}/approve", data={
        "csrf_token": csrf(approver, demo.url + "staff/grants")}, allow_redirects=False,
        timeout=10)
    assert approved.status_code == 302
    case = requester.get(demo.url + f"staff/grants/{grant}/t/{thread_id}", timeout=10)
    assert case.status_code == 200 and "security case SEC-DEMO-1 (Abuse)" in case.text

    analyst = signed_in(demo, ROLE_OF["ops"], area="staff")
    counted = analyst.get(demo.url + "staff/aggregates?question=activity_by_day", timeout=10)
    assert counted.status_code == 200 and "Minimum group size" in counted.text
    assert analyst.get(demo.url + "staff/review/", timeout=10).status_code in (403, 404)

    found = approver.get(demo.url + "staff/review/", params={"basis": "security"},
                         timeout=10)
    assert found.status_code == 200
    assert "SEC-DEMO-1" in found.text or grant in found.text
    assert approver.get(demo.url + "staff/review/charts", timeout=10).status_code == 200


def test_the_banner_names_the_staff_console_and_its_accounts(demo: Demo):
    lines = banner(demo)
    text = "\n".join(lines)
    assert f"Staff console: open {demo.url}staff/" in text
    assert f"{demo.url}staff/review/" in text
    for member in DEMO_STAFF:
        assert any(member.email in line and line.rstrip().endswith(member.role)
                   for line in lines)
    for email, _name in DEMO_ACCOUNTS:
        assert email in text


def test_demo_help_mentions_the_staff_console():
    from mailguard.cli import cli

    result = CliRunner().invoke(cli, ["demo", "--help"])
    assert result.exit_code == 0 and "staff" in result.output
