"""Review output: purpose families, entry counts, and exports that parse back."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from audit.entry import AuditEntry, AuditEvent, IdentifierHasher
from audit.query import (
    count_entries,
    format_table,
    purpose_matches,
    read_csv,
    read_jsonl,
    render_counts,
    write_csv,
    write_jsonl,
)

HASHER = IdentifierHasher(b"k" * 32)
START = datetime(2025, 3, 1, 23, 0, tzinfo=UTC)


def make_entry(seq: int, **overrides: Any) -> AuditEntry:
    data: dict[str, Any] = {
        "actor_kind": "user", "actor_id": "bob@example.com", "mailbox": "bob@example.com",
        "action": "message.get", "purpose": "email.read", "decision": "allow",
        "resources": [{"kind": "message", "id": f"m{seq}"}],
    }
    data.update(overrides)
    return AuditEntry.from_event(AuditEvent.from_dict(data), seq=seq,
                                 time=START + timedelta(hours=seq), hasher=HASHER)


ENTRIES = [
    make_entry(0),
    make_entry(1, actor_kind="staff", actor_id="eve@qontak.example", actor_role="support",
               basis="consent", basis_ref="c-1", rule_id="consent.ok"),
    make_entry(2, purpose="advertising.targeting", decision="deny", rule_id="ads.never",
               action="=HYPERLINK(\"x\")"),
    make_entry(3, actor_kind="system", actor_id="sync", mailbox="carol@example.com",
               purpose="email.sync", resources=[{"kind": "thread", "id": "t9"},
                                                {"kind": "label", "id": "INBOX"}]),
    make_entry(4, actor_kind="staff", actor_id="Carol@Example.com", mailbox="dan@example.com",
               purpose="security.investigate", basis="security", basis_ref="case-7"),
]


@pytest.mark.parametrize(
    ("pattern", "purpose", "expected"),
    [("advertising.*", "advertising.targeting", True), ("advertising.*", "advertising", False),
     ("advertising.*", "advertisingx.y", False), ("email.read", "email.read", True),
     ("email.read", "email.readx", False), ("email.*", "email.read.thread", True)],
)
def test_purpose_families(pattern: str, purpose: str, expected: bool) -> None:
    assert purpose_matches(pattern, purpose) is expected


def test_jsonl_round_trips() -> None:
    out = io.StringIO()
    assert write_jsonl(ENTRIES, out) == 5
    assert list(read_jsonl(out.getvalue().splitlines())) == ENTRIES


def test_csv_round_trips_and_neutralises_formulas() -> None:
    out = io.StringIO()
    assert write_csv(ENTRIES, out) == 5
    text = out.getvalue()
    assert text.splitlines()[0].startswith("seq,time,actor_kind,actor_id_h")
    assert "'=HYPERLINK" in text
    assert list(read_csv(io.StringIO(text))) == ENTRIES


def test_table_is_aligned_and_holds_no_identifiers() -> None:
    lines = list(format_table(ENTRIES))
    assert lines[0].split() == ["seq", "time", "actor_kind", "actor_role", "action", "purpose",
                                "basis", "decision", "rule_id", "resources"]
    assert len(lines) == 6
    assert lines[4].split()[0] == "3" and "thread:t9" in lines[4]
    assert "bob@example.com" not in "\n".join(lines)


def test_summary_counts() -> None:
    stats = count_entries(ENTRIES)
    assert stats.total == 5
    assert stats.by_day == {"2025-03-01": 1, "2025-03-02": 4}
    assert stats.by_actor_kind == {"staff": 2, "system": 1, "user": 2}
    assert stats.by_decision == {"allow": 4, "deny": 1}
    assert stats.by_basis == {"-": 3, "consent": 1, "security": 1}
    assert list(stats.by_purpose)[0] == "email.read"
    text = render_counts(stats)
    assert "entries: 5" in text
    assert re.search(r"^  security\.investigate +1$", text, re.M)
