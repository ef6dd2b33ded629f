"""``audit export`` is a long operation too: a progress bar on a terminal, quiet in pipes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from audit.entry import AuditEvent
from audit.log import AuditLog
from tests.audit.cli.terminal import run_on_a_terminal

HMAC_KEY = bytes(range(32))
ENTRIES = 2500


def run_cli(args: list[str]) -> str:
    return f"from audit.cli import audit; audit({args!r})"


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    url = f"sqlite:///{tmp_path / 'mailguard.db'}"
    with AuditLog.open(url, hmac_key=HMAC_KEY) as log:
        log.append_many(AuditEvent(actor_kind="user", actor_id=f"u{n}", action="message.get",
                                   purpose="email.read", decision="allow")
                        for n in range(ENTRIES))
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAILGUARD_")}
    return {**env, "MAILGUARD_DATABASE_URL": url, "MAILGUARD_AUDIT_HMAC_KEY": HMAC_KEY.hex(),
            "MAILGUARD_AUDIT_SIGNING_KEY": str(tmp_path / "signing.pem"),
            "TERM": "xterm", "COLUMNS": "100"}


def stderr_on_a_terminal(env: dict[str, str], args: list[str]) -> str:
    run = run_on_a_terminal([sys.executable, "-c", run_cli(args)], env)
    assert run.returncode == 0, run.shown
    return run.shown.decode("utf-8", "replace")


def test_export_to_a_file_shows_progress_on_a_terminal(cli_env, tmp_path):
    out = tmp_path / "entries.jsonl"

    shown = stderr_on_a_terminal(cli_env, ["export", "--output", str(out)])

    assert "exporting" in shown and "100%" in shown
    assert len(out.read_text().splitlines()) == ENTRIES + 1  # and the export's own entry


def test_export_stays_quiet_in_pipes(cli_env, tmp_path):
    out = tmp_path / "entries.csv"

    proc = subprocess.run([sys.executable, "-c", run_cli(["export", "--format", "csv",
                                                          "--output", str(out)])],
                          env=cli_env, capture_output=True, text=True, timeout=60)

    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == f"exported {ENTRIES + 1} entries to {out}\n"
    assert proc.stdout == ""
