"""The README's way back into a log whose server took the hashing key's text as its bytes.

Servers of earlier releases keyed the audit log with ``MAILGUARD_AUDIT_HMAC_KEY``'s text
itself; today's programs decode that text (hex, then base64), so they refuse such a log as
one "created with a different identifier-hashing key". The README tells the operator to
give the hex of the old text instead; this checks that every program then opens the log,
finds its identifiers and verifies it, and that the old text alone is refused in one line.
"""

from __future__ import annotations

import secrets

import pytest
from click.testing import CliRunner

from audit import AuditEvent, AuditLog
from mailguard.cli import cli
from mailguard.migrations import upgrade

MAILBOX = "siti@sentosa.co.id"


@pytest.fixture
def old_log(tmp_path, monkeypatch) -> str:
    """Write a log as an earlier server did; return the key text it was configured with."""
    text = secrets.token_hex(32)
    url = f"sqlite:///{tmp_path / 'mailguard.db'}"
    upgrade(url)
    signing_key = str(tmp_path / "audit-signing-key.pem")
    with AuditLog.open(url, hmac_key=text.encode("ascii"), signing_key=signing_key) as log:
        log.append(AuditEvent(actor_kind="user", actor_id=MAILBOX, mailbox=MAILBOX,
                              action="messages.get", purpose="email.read", decision="allow",
                              rule_id="user.own_mailbox", policy_version="v"))
        log.checkpoint()
    monkeypatch.setenv("MAILGUARD_DATABASE_URL", url)
    monkeypatch.setenv("MAILGUARD_AUDIT_SIGNING_KEY", signing_key)
    return text


def test_the_old_text_itself_is_refused_in_one_line(old_log, monkeypatch):
    monkeypatch.setenv("MAILGUARD_AUDIT_HMAC_KEY", old_log)
    result = CliRunner().invoke(cli, ["audit", "search", "--mailbox", MAILBOX])
    assert result.exit_code == 1
    assert "created with a different identifier-hashing key" in result.output


def test_the_hex_of_the_old_text_opens_searches_and_verifies_it(old_log, monkeypatch):
    monkeypatch.setenv("MAILGUARD_AUDIT_HMAC_KEY", old_log.encode().hex())
    found = CliRunner().invoke(cli, ["audit", "search", "--mailbox", MAILBOX])
    assert found.exit_code == 0, found.output
    assert "messages.get" in found.output
    verified = CliRunner().invoke(cli, ["audit", "verify"])
    assert verified.exit_code == 0, verified.output
    added = CliRunner().invoke(cli, ["staff", "add", "alice@qontak.com", "--role", "security"])
    assert added.exit_code == 0, added.output
