"""The compliance report PDF wraps long lines and cells within the page's usable width."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import pytest
from pypdf import PdfReader
from pypdf.generic._font import Font

from tests.webclient.review.conftest import REVIEW, SECURITY_1
from webclient.review.report import (
    ComplianceReport,
    HumanAccessRow,
    IntegrityResult,
    Row,
    TransferRow,
    render_pdf,
)
from webclient.review.text import translator

MM = 72 / 25.4
#: A4 with the PDF's 10 mm side margins.
LEFT, RIGHT = 10.0, 200.0
LONG_ORIGIN = "audit.mailguard.qontak-production-cluster-jakarta-02.internal/" + "log" * 30
LONG_PURPOSE = "email.process.crm-conversation-logging-for-contacts-and-deals" * 2
LONG_PROHIBITED = "advertising.targeting.lookalike-audiences-built-from-mailbox-metadata"
LONG_RECIPIENT = "qontak-crm-enterprise-tenant-with-a-very-long-listed-recipient-identifier"
POLICY_VERSION = "sha256:" + "9f" * 32


@dataclass(frozen=True, slots=True)
class Span:
    """One run of text the PDF draws: where it starts and ends (mm), its baseline."""

    left: float
    right: float
    baseline: float
    text: str


def spans(data: bytes) -> list[Span]:
    """Return every non-blank text run of the PDF, measured with its font's widths."""
    found: list[Span] = []
    for page in PdfReader(io.BytesIO(data)).pages:
        def visit(text, cm, tm, font, size, found=found):
            if not text.strip() or font is None:
                return
            width = Font.from_font_resource(font).get_text_width(text.rstrip()) / 1000
            start = tm[4] * cm[0] + cm[4]
            leading = len(text) - len(text.lstrip())
            indent = Font.from_font_resource(font).get_text_width(text[:leading]) / 1000
            scale = size * tm[0] * cm[0]
            found.append(Span(left=(start + indent * scale) / MM,
                              right=(start + width * scale) / MM,
                              baseline=round(tm[5] * cm[3] + cm[5], 1), text=text.strip()))
        page.extract_text(visitor_text=visit)
    return found


def report() -> ComplianceReport:
    return ComplianceReport(
        since="2025-01-01", until="2025-02-01T00:00:00Z", generated_at="2025-02-01T00:00:00Z",
        origin=LONG_ORIGIN, policy_version=POLICY_VERSION,
        scopes_requested=("https://www.googleapis.com/auth/gmail.modify",),
        accounts_connected=3, entries=4711, allowed=4600, denied=111,
        purposes=(Row(LONG_PURPOSE, 4321), Row("email.read", 279)),
        human_access=(HumanAccessRow("consent", 17, 4),),
        transfers=(TransferRow(LONG_RECIPIENT, "feature", 8, 2, 1),),
        prohibited=(Row(LONG_PROHIBITED, 6),),
        integrity=IntegrityResult(
            ok=True, size=4711, entries_checked=4711, root_hash="q" * 44,
            first_bad_seq=None, problem="", checkpoint_size=4700,
            checkpoint_time="2025-01-31T23:00:00Z", exported_notes_checked=2,
            keys_trusted=True))


def assert_within_the_page(drawn: list[Span]) -> None:
    outside = [s for s in drawn if s.left < LEFT - 0.01 or s.right > RIGHT + 0.01]
    assert outside == [], [(round(s.left, 1), round(s.right, 1), s.text[:40]) for s in outside]
    by_line: dict[float, list[Span]] = {}
    for s in drawn:
        by_line.setdefault(s.baseline, []).append(s)
    for line in by_line.values():  # cells side by side never run into each other
        ordered = sorted(line, key=lambda s: s.left)
        for before, after in zip(ordered, ordered[1:], strict=False):
            assert before.right <= after.left + 0.01, (before.text[:40], after.text[:40])


@pytest.mark.parametrize("lang", ["en", "id"])
def test_long_origin_and_purpose_names_wrap_within_the_usable_width(lang):
    drawn = spans(render_pdf(report(), translator(lang)))
    assert_within_the_page(drawn)
    joined = re.sub(r"\s+", "", "".join(s.text for s in drawn))
    for whole in (LONG_ORIGIN, POLICY_VERSION, LONG_PURPOSE, LONG_PROHIBITED, LONG_RECIPIENT,
                  "q" * 44):
        assert whole in joined
    figures = [s.text for s in drawn]
    for count in ("4321", "279", "17", "4", "8", "2", "1", "6"):
        assert count in figures
    assert "4711" in joined and "4600" in joined and "111" in joined


def test_the_served_pdf_stays_within_the_usable_width(staff_client, scenario):
    for lang in ("en", "id"):
        reviewer = staff_client(SECURITY_1)
        reviewer.set_cookie("mailguard_lang", lang)
        answer = reviewer.get(REVIEW + "report.pdf")
        assert answer.status_code == 200
        assert_within_the_page(spans(answer.get_data()))
