"""``mailguard report`` given a period that ends before it starts, or a file it cannot write.

Both used to go wrong: a reversed period wrote a report "from 2026-01-01 to 2025-01-02"
with every figure zero and exit status 0; an output file in a folder that does not exist
ended in a Python traceback. Each now stops with one line saying what to change.
"""

from __future__ import annotations

from click.testing import CliRunner

from mailguard.cli import cli
from tests.webclient.review.conftest import guard_of


def test_a_period_that_ends_before_it_starts_is_refused(monkeypatch, tmp_path):
    monkeypatch.setenv("MAILGUARD_DATABASE_URL", f"sqlite:///{tmp_path / 'none.db'}")
    output = tmp_path / "report.html"
    done = CliRunner().invoke(cli, ["report", "--since", "2026-01-01", "--until", "2025-01-01",
                                    "--output", str(output)])
    assert done.exit_code != 0
    assert "--until must not come before --since" in done.output
    assert not output.exists()


def test_an_output_file_that_cannot_be_written_is_one_line(app, scenario, tmp_path,
                                                           monkeypatch):
    guard = guard_of(app)
    monkeypatch.setenv("MAILGUARD_DATABASE_URL", guard.settings.database_url)
    monkeypatch.setenv("MAILGUARD_AUDIT_HMAC_KEY", guard.settings.audit_hmac_key.hex())
    monkeypatch.setenv("MAILGUARD_AUDIT_SIGNING_KEY_FILE", guard.settings.audit_signing_key_path)
    for fmt in ("html", "pdf"):
        target = tmp_path / "no-such-folder" / f"report.{fmt}"
        done = CliRunner().invoke(cli, ["report", "--since", "2000-01-01", "--format", fmt,
                                        "--output", str(target)])
        assert done.exit_code == 1, done.output
        assert isinstance(done.exception, SystemExit), repr(done.exception)
        assert f"cannot write the report to {target}" in done.output
        assert "Traceback" not in done.output
