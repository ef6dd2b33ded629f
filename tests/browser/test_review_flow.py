"""The security review in real Chromium: a reviewer finds the support agent's views and the
refusals in search, opens an entry's proof, sees the charts, exports CSV and generates the
compliance report, whose HTML and PDF carry the right figures."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

from playwright.sync_api import expect
from pypdf import PdfReader

from audit import AuditEvent, ResourceKind, ResourceRef
from guard import GuardError
from guard.policy import Actor, ActorKind
from tests.browser.test_staff_console import (  # noqa: F401 - fixtures
    seeded_user,
    staff_sign_in,
    staff_site,
    two_message_thread,
    windows,
)
from tests.webclient.staff.conftest import SECURITY_1, SUPPORT


def activity(site, owner_window) -> dict[str, str]:
    """Let support view a consented message, be refused its neighbour, and add a refused
    advertising read and a CRM transfer; return the ids a reviewer looks for."""
    email = seeded_user(site, owner_window, "reviewed")
    _thread, first, reply = two_message_thread(site, email)
    guard = site.guard
    owner = Actor(kind=ActorKind.USER, id=email)
    consent = guard.consents.record(actor=owner, grantee="support", message_ids=[first],
                                    wording="Qontak support may read one message for 3 days.",
                                    expires_at=site.clock() + timedelta(days=3))
    agent = Actor(kind=ActorKind.STAFF, id=SUPPORT, role="support")
    guard.broker.view_message(agent, mailbox=email, message_id=first, consent_id=consent.id)
    try:
        guard.broker.view_message(agent, mailbox=email, message_id=reply,
                                  consent_id=consent.id)
    except GuardError:
        pass
    else:
        raise AssertionError("the neighbouring message must be refused")
    try:
        guard.mail.get_message(actor=owner, mailbox=email, purpose="advertising.targeting",
                               message_id=first)
    except GuardError:
        pass
    guard.audit.append(AuditEvent(
        actor_kind="system", actor_id="transfer-gate", mailbox=email,  # type: ignore[arg-type]
        action="transfer.send", purpose="transfer.feature", basis="feature",
        resources=(ResourceRef(ResourceKind.RECIPIENT, "qontak-crm"),),
        decision="allow", rule_id="transfer.allowed", outcome="classes=content,metadata"))  # type: ignore[arg-type]
    return {"email": email, "first": first, "reply": reply, "consent": consent.id}


def table_figures(text: str) -> dict[str, str]:
    plain = re.sub(r"\s+", " ", text)
    found = {}
    for name, pattern in {"consent": r"consent (\d+) (\d+)",
                          "crm": r"qontak-crm feature (\d+) (\d+)",
                          "advertising": r"advertising\.targeting (\d+)",
                          "verdict": r"Verified: (\w+)"}.items():
        match = re.search(pattern, plain)
        found[name] = " ".join(match.groups()) if match else ""
    return found


def test_a_reviewer_finds_charts_exports_and_reports(staff_site, windows, tmp_path):  # noqa: F811
    site = staff_site
    ids = activity(site, windows())
    reviewer = windows()
    staff_sign_in(reviewer, site, SECURITY_1)
    page = reviewer.page

    page.goto(site.url + "staff/review/")
    page.get_by_label("Actor (address or id)").fill(SUPPORT)
    page.get_by_label("Mailbox address").fill(ids["email"])
    page.get_by_role("button", name="Search").click()
    rows = page.locator("table.entries tbody tr")
    expect(rows.filter(has_text="consent.message_not_covered").first).to_be_visible()
    expect(rows.filter(has_text="consent.allowed").first).to_contain_text(ids["first"])
    expect(page.locator("table.entries")).not_to_contain_text(ids["email"])
    reviewer.shot("review-search")

    rows.filter(has_text="consent.message_not_covered").first.locator("a").first.click()
    expect(page.locator("#proof-verdict")).to_contain_text("Proven")
    expect(page.locator("#proof")).to_contain_text("Path reaches the root")
    reviewer.shot("review-entry-proof")

    page.get_by_role("link", name="Charts").click()
    for chart in ("chart-basis", "chart-denials", "chart-staff", "chart-transfers"):
        expect(page.locator(f"svg#{chart}")).to_be_visible()
    expect(page.locator(f'svg#chart-staff rect[data-series="{SUPPORT}"]').first).to_be_attached()
    reviewer.shot("review-charts")

    page.get_by_role("link", name="Audit search").click()
    page.get_by_label("Actor (address or id)").fill(SUPPORT)
    page.get_by_role("button", name="Search").click()
    with page.expect_download() as download_info:
        page.locator("#export-csv").click()
    exported = tmp_path / "audit.csv"
    download_info.value.save_as(exported)
    rows_out = list(csv.DictReader(io.StringIO(exported.read_text(encoding="utf-8"))))
    assert {r["rule_id"] for r in rows_out if r["outcome"] in ("view", "refused")} == {
        "consent.allowed", "consent.message_not_covered"}
    assert ids["email"] not in exported.read_text(encoding="utf-8")

    page.get_by_role("link", name="Compliance report").click()
    report = page.locator("#compliance-report")
    expect(report).to_contain_text("Human accesses by basis")
    assert table_figures(report.inner_text()) == {"consent": "1 1", "crm": "1 0",
                                                  "advertising": "1", "verdict": "intact"}
    reviewer.shot("review-compliance-report")
    with page.expect_download() as pdf_info:
        page.locator("#report-pdf").click()
    pdf_path = tmp_path / "report.pdf"
    pdf_info.value.save_as(pdf_path)
    text = "\n".join(p.extract_text() for p in PdfReader(str(pdf_path)).pages)
    assert table_figures(text) == {"consent": "1 1", "crm": "1 0", "advertising": "1",
                                   "verdict": "intact"}
    with page.expect_download() as html_info:
        page.locator("#report-html").click()
    html_path = tmp_path / "report.html"
    html_info.value.save_as(html_path)
    html_text = re.sub(r"<[^>]+>", " ", html_path.read_text(encoding="utf-8"))
    assert table_figures(html_text)["consent"] == "1 1"
    assert not reviewer.violations
