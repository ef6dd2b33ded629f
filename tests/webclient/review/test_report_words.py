"""The compliance report names each basis in the reader's language, with its code after it
where they differ, as the search and entry pages do: in Indonesian it showed the codes
('consent', 'feature') as if they were words, on the page, in the files and from the CLI."""

from __future__ import annotations

import io
import re

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from mailguard.cli import cli
from tests.webclient.review.conftest import REVIEW, SECURITY_1, guard_of, text_of


def plain(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)).replace("( ", "(").replace(
        " )", ")")


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


#: (language, the human-access row, the CRM transfer row) as the report shows them
ROWS = [
    ("en", r"consent 1 1", r"qontak-crm feature 1 0"),
    ("id", r"persetujuan \(consent\) 1 1", r"qontak-crm fitur \(feature\) 1 0"),
]


@pytest.mark.parametrize(("language", "human", "transfer"), ROWS)
@pytest.mark.parametrize("path", ["report", "report.html", "report.pdf"])
def test_the_report_words_each_basis(app, staff_client, scenario, language, human,
                                     transfer, path):
    reviewer = staff_client(SECURITY_1)
    reviewer.set_cookie("mailguard_lang", language)
    answer = reviewer.get(REVIEW + path)
    assert answer.status_code == 200
    text = plain(pdf_text(answer.get_data()) if path.endswith("pdf") else text_of(answer))
    assert re.search(human, text), text
    assert re.search(transfer, text), text


def test_the_cli_report_words_each_basis_in_indonesian(app, scenario, tmp_path, monkeypatch):
    guard = guard_of(app)
    monkeypatch.setenv("MAILGUARD_DATABASE_URL", guard.settings.database_url)
    monkeypatch.setenv("MAILGUARD_AUDIT_HMAC_KEY", guard.settings.audit_hmac_key.hex())
    monkeypatch.setenv("MAILGUARD_AUDIT_SIGNING_KEY_FILE", guard.settings.audit_signing_key_path)
    for fmt in ("html", "pdf"):
        output = tmp_path / f"report.{fmt}"
        done = CliRunner().invoke(cli, ["report", "--since", "2000-01-01", "--lang", "id",
                                        "--format", fmt, "--output", str(output)])
        assert done.exit_code == 0, done.output
        text = plain(output.read_text() if fmt == "html" else pdf_text(output.read_bytes()))
        assert re.search(ROWS[1][1], text) and re.search(ROWS[1][2], text), text
