"""``audit verify`` shows a progress bar on a terminal and stays quiet in pipes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from audit.checkpoint import CheckpointSigner, load_or_create_signing_key
from audit.entry import AuditEvent
from audit.log import AuditLog
from tests.audit.cli.terminal import run_on_a_terminal

HMAC_KEY = bytes(range(32))
ORIGIN = "mailguard.test/audit"
RUN_CLI = "from audit.cli import audit; audit(['verify'])"


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    """Write a small signed log and return the environment the CLI reads."""
    key_file = tmp_path / "audit-signing.pem"
    url = f"sqlite:///{tmp_path / 'mailguard.db'}"
    with AuditLog.open(url, hmac_key=HMAC_KEY, signing_key=str(key_file), origin=ORIGIN,
                       checkpoint_every=0, checkpoint_seconds=0) as log:
        log.append_many(AuditEvent(actor_kind="user", actor_id=f"u{n}", action="message.get",
                                   purpose="email.read", decision="allow")
                        for n in range(50))
    vkey = CheckpointSigner(ORIGIN, load_or_create_signing_key(key_file)).verifier_key()
    return {**os.environ, "MAILGUARD_DATABASE_URL": url,
            "MAILGUARD_AUDIT_HMAC_KEY": HMAC_KEY.hex(),
            "MAILGUARD_AUDIT_SIGNING_KEY_FILE": str(key_file),
            "MAILGUARD_AUDIT_VERIFIER_KEY": vkey, "MAILGUARD_AUDIT_ORIGIN": ORIGIN,
            "TERM": "xterm", "COLUMNS": "100"}


def test_progress_bar_is_drawn_on_a_terminal(cli_env: dict[str, str]) -> None:
    run = run_on_a_terminal([sys.executable, "-c", RUN_CLI], cli_env)
    assert run.returncode == 0, (run.stdout, run.shown)
    assert b"verifying" in run.shown and b"100%" in run.shown
    assert b"50" in run.stdout


def test_no_progress_bar_in_a_pipe(cli_env: dict[str, str]) -> None:
    done = subprocess.run([sys.executable, "-c", RUN_CLI], env=cli_env, capture_output=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done
    assert b"verifying" not in done.stderr and b"%" not in done.stderr
    assert b"50" in done.stdout
