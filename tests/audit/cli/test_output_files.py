"""``export --output`` and ``checkpoint --export`` into a folder that is not there: a
one-line usage error (exit 2) before anything is read or signed, not a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from audit.cli import audit
from audit.entry import AuditEvent
from audit.log import AuditLog

HMAC_KEY = bytes(range(32))


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "mailguard.db"
    key_file = tmp_path / "signing.pem"
    with AuditLog.open(path, hmac_key=HMAC_KEY, signing_key=str(key_file)) as log:
        log.append(AuditEvent(actor_kind="user", actor_id="ayu@example.com",
                              action="messages.get", purpose="email.read", decision="allow"))
    monkeypatch.setenv("MAILGUARD_DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.setenv("MAILGUARD_AUDIT_HMAC_KEY", HMAC_KEY.hex())
    monkeypatch.setenv("MAILGUARD_AUDIT_SIGNING_KEY", str(key_file))
    monkeypatch.delenv("MAILGUARD_AUDIT_VERIFIER_KEY", raising=False)
    monkeypatch.delenv("MAILGUARD_AUDIT_ORIGIN", raising=False)
    return path


def sizes(path: Path) -> tuple[int, int]:
    with AuditLog.open(path, hmac_key=HMAC_KEY, read_only=True) as log:
        latest = log.latest_checkpoint()
        return log.size(), latest.size if latest else 0


@pytest.mark.parametrize("args", [
    ["export", "--output", "{missing}/entries.jsonl"],
    ["export", "--format", "csv", "--output", "{file}/entries.csv"],
    ["checkpoint", "--export", "{missing}/deeper/checkpoint.txt"],
    ["checkpoint", "--export", "{file}/checkpoint.txt"],
], ids=["export-missing-folder", "export-folder-is-a-file", "checkpoint-missing-folder",
        "checkpoint-folder-is-a-file"])
def test_an_output_file_in_a_folder_that_is_not_there_is_a_usage_error(db, tmp_path, args):
    (tmp_path / "plain.txt").write_text("not a folder\n")
    before = sizes(db)
    argv = [a.format(missing=tmp_path / "missing", file=tmp_path / "plain.txt") for a in args]

    result = CliRunner().invoke(audit, argv)

    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "does not exist" in result.output
    assert "Traceback" not in result.output
    assert sizes(db) == before  # nothing recorded, nothing signed
    assert not (tmp_path / "missing").exists()
