"""The compliance report: on the page, as a standalone HTML file, as a PDF, and from the CLI."""

from __future__ import annotations

import io
import re

from click.testing import CliRunner
from pypdf import PdfReader

from mailguard.cli import cli
from tests.webclient.review.conftest import REVIEW, SECURITY_1, guard_of, text_of
from webclient.auth.google_oauth import SCOPES


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def figures(text: str) -> dict[str, str]:
    """Return the report's key figures, read from its text."""
    plain = re.sub(r"<[^>]+>", " ", text)
    plain = re.sub(r"\s+", " ", plain)
    found = {}
    for name, pattern in {
        "consent": r"consent (\d+) (\d+)",
        "crm": r"qontak-crm feature (\d+) (\d+)",
        "ads_partner": r"ads-partner feature (\d+) (\d+)",
        "advertising": r"advertising\.targeting (\d+)",
        "verdict": r"Verified: (\w+)",
    }.items():
        match = re.search(pattern, plain)
        found[name] = " ".join(match.groups()) if match else ""
    return found


EXPECTED = {"consent": "1 1", "crm": "1 0", "ads_partner": "0 1", "advertising": "1",
            "verdict": "intact"}


def test_the_report_page_shows_the_figures(app, staff_client, scenario):
    page = staff_client(SECURITY_1).get(REVIEW + "report")
    text = text_of(page)
    assert page.status_code == 200
    assert figures(text) == EXPECTED
    for scope in SCOPES:
        assert scope in text
    assert "Human accesses by basis" in text and "Prohibited-use attempts" in text
    assert scenario.mailbox not in text


def test_the_html_file_stands_alone_with_the_same_figures(app, staff_client, scenario):
    answer = staff_client(SECURITY_1).get(REVIEW + "report.html")
    text = text_of(answer)
    assert answer.status_code == 200
    assert "attachment" in answer.headers["Content-Disposition"]
    assert answer.headers["Content-Security-Policy"].startswith("default-src 'none'; style-src "
                                                                "'sha256-")
    assert text.startswith("<!doctype html>") and "<script" not in text
    assert figures(text) == EXPECTED


def test_the_pdf_carries_the_same_figures(app, staff_client, scenario):
    answer = staff_client(SECURITY_1).get(REVIEW + "report.pdf")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    text = pdf_text(answer.get_data())
    assert "MailGuard compliance report" in text
    assert figures(text) == EXPECTED


def test_the_report_in_indonesian(app, staff_client, scenario):
    reviewer = staff_client(SECURITY_1)
    reviewer.set_cookie("mailguard_lang", "id")
    text = pdf_text(reviewer.get(REVIEW + "report.pdf").get_data())
    assert "Laporan kepatuhan MailGuard" in text
    assert "Akses manusia menurut dasar" in text


def test_a_period_without_activity_says_none(app, staff_client, scenario):
    text = text_of(staff_client(SECURITY_1).get(REVIEW + "report", query_string={
        "since": "2001-01-01", "until": "2001-01-31"}))
    assert "None in this period." in text
    assert "Verified: intact" in text  # integrity covers the whole log, whatever the period
    assert "Period: 2001-01-01T00:00:00Z to 2001-02-01T00:00:00Z (UTC)" in text


def test_mailguard_report_writes_html_and_pdf(app, scenario, tmp_path, monkeypatch):
    guard = guard_of(app)
    monkeypatch.setenv("MAILGUARD_DATABASE_URL", guard.settings.database_url)
    monkeypatch.setenv("MAILGUARD_AUDIT_HMAC_KEY", guard.settings.audit_hmac_key.hex())
    monkeypatch.setenv("MAILGUARD_AUDIT_SIGNING_KEY_FILE", guard.settings.audit_signing_key_path)
    runner = CliRunner()
    html_file, pdf_file = tmp_path / "report.html", tmp_path / "report.pdf"
    done = runner.invoke(cli, ["report", "--since", "2000-01-01", "--output", str(html_file)])
    assert done.exit_code == 0, done.output
    assert figures(html_file.read_text()) == EXPECTED
    done = runner.invoke(cli, ["report", "--since", "2000-01-01", "--format", "pdf",
                               "--output", str(pdf_file)])
    assert done.exit_code == 0, done.output
    assert figures(pdf_text(pdf_file.read_bytes())) == EXPECTED
    readings = [e for e in guard.audit.query() if e.action == "audit.report"
                and e.rule_id == "report.cli"]
    assert len(readings) == 2


def test_mailguard_report_refuses_a_bad_date(monkeypatch, tmp_path):
    monkeypatch.setenv("MAILGUARD_DATABASE_URL", f"sqlite:///{tmp_path / 'none.db'}")
    done = CliRunner().invoke(cli, ["report", "--since", "yesterday"])
    assert done.exit_code != 0
    assert "--since and --until take a UTC date" in done.output
