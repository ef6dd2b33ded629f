"""mailguard audit search and stats with the input a reviewer types: a client IP in the
clear, time bounds in several spellings, a range that ends before it starts."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from audit.cli import audit
from audit.entry import AuditEvent
from audit.log import AuditLog
from tests.audit.stepping_clock import SteppingClock

HMAC_KEY = bytes(range(32))
START = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "mailguard.db"
    with AuditLog.open(path, hmac_key=HMAC_KEY, clock=SteppingClock(START)) as log:
        for n, ip in enumerate(["192.0.2.10", "2001:DB8::1", "192.0.2.10", "198.51.100.7"]):
            log.append(AuditEvent(actor_kind="user", actor_id="ayu@example.com",
                                  action="messages.get", purpose="email.read",
                                  decision="allow", client_ip=ip, request_id=f"r{n}"))
    monkeypatch.setenv("MAILGUARD_DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.setenv("MAILGUARD_AUDIT_HMAC_KEY", HMAC_KEY.hex())
    monkeypatch.setenv("MAILGUARD_AUDIT_SIGNING_KEY", str(tmp_path / "signing.pem"))
    monkeypatch.delenv("MAILGUARD_AUDIT_VERIFIER_KEY", raising=False)
    monkeypatch.delenv("MAILGUARD_AUDIT_ORIGIN", raising=False)
    return path


def search(*args: str) -> list[int]:
    result = CliRunner().invoke(audit, ["search", "--format", "jsonl", *args])
    assert result.exit_code == 0, result.output
    return [json.loads(line)["seq"] for line in result.output.splitlines()
            if json.loads(line)["purpose"] != "audit.review"]


def log_size(path: Path) -> int:
    with AuditLog.open(path, hmac_key=HMAC_KEY, read_only=True) as log:
        return log.size()


def test_search_by_client_ip_in_the_clear(db):
    assert search("--client-ip", "192.0.2.10") == [0, 2]
    assert search("--client-ip", "2001:db8:0:0::1") == [1]
    assert search("--client-ip", "203.0.113.99") == []


@pytest.mark.parametrize("since", ["2025-03-01T09:01:00Z", "2025-03-01T16:01+07:00",
                                   "2025-03-01T09:01:00.000000Z"])
def test_since_in_any_iso_spelling(db, since):
    assert search("--since", since, "--until", "2025-03-01T09:03Z") == [1, 2]


@pytest.mark.parametrize("command", ["search", "stats"])
def test_a_range_that_ends_before_it_starts_is_a_usage_error_and_records_nothing(db, command):
    before = log_size(db)

    result = CliRunner().invoke(audit, [command, "--since", "2025-03-02", "--until",
                                        "2025-03-01"])

    assert result.exit_code == 2, result.output
    assert "--until 2025-03-01 is before --since 2025-03-02" in result.output
    assert log_size(db) == before


@pytest.mark.parametrize("command", ["search", "stats"])
@pytest.mark.parametrize(("since", "until"), [("2025-03-01", "2025-03-01"),
                                              ("2025-03-01T09:00Z", "2025-03-01T16:00+07:00")])
def test_a_range_that_holds_no_moment_is_a_usage_error_not_an_empty_answer(db, command, since,
                                                                             until):
    """--until is exclusive: 'since D until D' would quietly find nothing, read as 'no entries'."""
    before = log_size(db)

    result = CliRunner().invoke(audit, [command, "--since", since, "--until", until])

    assert result.exit_code == 2, result.output
    assert f"--until {until} is the same moment as --since {since}" in result.output
    assert "exclusive" in result.output
    assert log_size(db) == before


@pytest.mark.parametrize("option", ["--actor", "--mailbox", "--address", "--client-ip",
                                    "--purpose", "--basis", "--rule", "--resource"])
@pytest.mark.parametrize("value", ["", "   "])
def test_an_empty_filter_is_a_usage_error_not_a_search_for_empty_values(db, option, value):
    """search --mailbox "$MB" with MB unset matched every entry that has no mailbox."""
    before = log_size(db)

    result = CliRunner().invoke(audit, ["search", option, value])

    assert result.exit_code == 2, result.output
    assert f"{option} is empty" in result.output
    assert log_size(db) == before


@pytest.mark.parametrize("value", ["192.0.2.300", "not-an-ip", "2001:db8::g"])
def test_a_client_ip_that_is_no_ip_address_is_a_usage_error(db, value):
    """It was hashed as text and matched nothing, which reads as 'no access from there'."""
    before = log_size(db)

    result = CliRunner().invoke(audit, ["search", "--client-ip", value])

    assert result.exit_code == 2, result.output
    assert f"{value!r} is not an IP address" in result.output
    assert log_size(db) == before


def test_the_api_refuses_it_too(db):
    from audit import AuditError

    with AuditLog.open(db, hmac_key=HMAC_KEY, read_only=True) as log:
        with pytest.raises(AuditError, match="not an IP address"):
            list(log.query(client_ip="192.0.2.300"))
        assert len(list(log.query(client_ip=" 192.0.2.10 "))) == 2
