"""The compliance report from a log built entry by entry: every figure counted by hand."""

from __future__ import annotations

import io
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from audit import AuditEvent, AuditLog, ResourceKind, ResourceRef
from mailguard.cli import cli

USER = "owner@example.test"
CRM = (ResourceRef(ResourceKind.RECIPIENT, "qontak-crm"),)
KEY = bytes(range(32))


class LogBuilder:
    """Append events at chosen times, as the guard's services record them."""

    def __init__(self, log: AuditLog, clock: list[datetime]) -> None:
        self.log, self.clock = log, clock

    def at(self, day: int) -> LogBuilder:
        self.clock[0] = datetime(2025, 3, day, 10, tzinfo=UTC)
        return self

    def add(self, **fields: Any) -> None:
        event = {"actor_kind": "user", "actor_id": USER, "mailbox": USER, "decision": "allow",
                 "policy_version": "test", "request_id": uuid.uuid4().hex, **fields}
        self.log.append(AuditEvent(**event))

    def staff_view(self, decision: str = "allow") -> None:
        request = uuid.uuid4().hex
        for _ in range(2 if decision == "allow" else 1):  # the broker's and the mailbox's
            self.add(actor_kind="staff", actor_id="agent@qontak.com", actor_role="support",
                     action="messages.get", purpose="support.consented_view", basis="consent",
                     decision=decision, rule_id="consent.allowed", request_id=request)

    def transfer(self, outcome: str | None, decision: str = "allow") -> None:
        request = uuid.uuid4().hex
        self.add(action="transfer.send", purpose="transfer.feature", basis="feature",
                 resources=CRM, decision=decision, request_id=request,
                 rule_id="transfer.allowed", outcome="classes=content,metadata")
        if outcome is not None:
            self.add(action="transfer.delivery", purpose="transfer.feature", basis="feature",
                     resources=CRM, request_id=request, rule_id="transfer.allowed",
                     outcome=outcome)


@pytest.fixture
def report_env(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
               ) -> Iterator[LogBuilder]:
    """Point ``mailguard report`` at a fresh log; return a builder for it."""
    key_file = str(tmp_path / "signing.pem")
    clock = [datetime(2025, 3, 1, 10, tzinfo=UTC)]
    log = AuditLog.open(database_url, hmac_key=KEY, signing_key=key_file,
                        clock=lambda: clock[0])
    monkeypatch.setenv("MAILGUARD_DATABASE_URL", database_url)
    monkeypatch.setenv("MAILGUARD_AUDIT_HMAC_KEY", KEY.hex())
    monkeypatch.setenv("MAILGUARD_AUDIT_SIGNING_KEY_FILE", key_file)
    yield LogBuilder(log, clock)
    log.close()


def plain(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text))


def build_period(log: LogBuilder) -> None:
    log.at(2).add(action="account.connect", purpose="email.read", rule_id="account.connected")
    log.at(1).staff_view()                                     # before the period
    log.at(3)
    for _ in range(3):
        log.staff_view()
    log.staff_view("deny")
    log.transfer("delivered:201")
    log.transfer("delivered:201")
    log.transfer("failed:0")                                   # the CRM was down
    log.transfer("failed:503")
    log.transfer(None, decision="deny")
    log.add(action="messages.get", purpose="Ads.Targeting", decision="deny",
            rule_id="prohibited.advertising")
    log.at(9).transfer("delivered:201")                        # after the period


@pytest.mark.parametrize("fmt", ["html", "pdf"])
def test_a_transfer_the_recipient_did_not_accept_is_not_reported_as_sent(
        report_env, tmp_path, fmt):
    build_period(report_env)
    output = tmp_path / f"report.{fmt}"
    done = CliRunner().invoke(cli, ["report", "--since", "2025-03-02", "--until", "2025-03-05",
                                    "--format", fmt, "--output", str(output)])
    assert done.exit_code == 0, done.output
    if fmt == "pdf":
        text = plain("\n".join(p.extract_text() for p in PdfReader(
            io.BytesIO(output.read_bytes())).pages))
    else:
        text = plain(output.read_text(encoding="utf-8"))
    # 1 connect + 7 staff entries + 5 sends + 4 deliveries + 1 prohibited attempt
    assert "Entries in the period: 18 (15 allowed, 3 denied)" in text
    assert "Gmail accounts connected in the period: 1" in text
    assert "consent 3 1" in text
    assert "qontak-crm feature 2 1 2" in text
    assert "Ads.Targeting 1" in text
    assert "transfer.feature 4" in text and "support.consented_view 3" in text
    assert "Verified: intact" in text
