"""``audit export | head``: the command ends quietly when its reader stops reading."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from audit.cli import READER_LEFT_EXIT
from audit.entry import AuditEvent
from audit.log import AuditLog

HMAC_KEY = bytes(range(32))


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    url = f"sqlite:///{tmp_path / 'mailguard.db'}"
    with AuditLog.open(url, hmac_key=HMAC_KEY) as log:
        log.append_many(AuditEvent(actor_kind="user", actor_id=f"u{n}", action="message.get",
                                   purpose="email.read", decision="allow")
                        for n in range(20_000))
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAILGUARD_")}
    return {**env, "MAILGUARD_DATABASE_URL": url, "MAILGUARD_AUDIT_HMAC_KEY": HMAC_KEY.hex(),
            "MAILGUARD_AUDIT_SIGNING_KEY": str(tmp_path / "signing.pem")}


@pytest.mark.parametrize("args", [["export"], ["export", "--format", "csv"],
                                  ["search", "--format", "jsonl"]])
def test_a_reader_that_stops_early_gets_no_error_text(cli_env, args):
    command = [sys.executable, "-c", f"from audit.cli import audit; audit({args!r})"]
    writer = subprocess.Popen(command, env=cli_env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)
    assert writer.stdout is not None and writer.stderr is not None
    first = writer.stdout.readline()
    writer.stdout.close()  # what `| head -1` does once it has its line
    errors = writer.stderr.read().decode()
    status = writer.wait(timeout=60)
    assert first.strip()
    assert errors == ""
    assert status == READER_LEFT_EXIT
