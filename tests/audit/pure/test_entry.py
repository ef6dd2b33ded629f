"""Audit events and entries: no content gets in, identifiers are hashed, bytes are stable."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from audit.entry import (
    FORBIDDEN_FIELDS,
    ActorKind,
    AuditEntry,
    AuditEvent,
    Decision,
    IdentifierHasher,
    ResourceKind,
    ResourceRef,
    format_time,
    parse_time,
)
from audit.errors import ForbiddenField, InvalidEvent
from audit.merkle import leaf_hash

KEY = bytes(range(32))
HASHER = IdentifierHasher(KEY)
WHEN = datetime(2025, 1, 31, 9, 30, 0, 123456, tzinfo=UTC)


def event_dict(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "actor_kind": "staff",
        "actor_id": "alice@qontak.example",
        "actor_role": "support",
        "mailbox": "Bob@Example.com",
        "action": "message.get",
        "purpose": "email.read",
        "basis": "consent",
        "basis_ref": "consent-17",
        "resources": [{"kind": "message", "id": "18c2f0a1b2"},
                      {"kind": "thread", "id": "18c2f0a000"}],
        "decision": "allow",
        "rule_id": "consent.specific-messages",
        "policy_version": "sha256:abc123",
        "request_id": "req-0001",
        "outcome": "ok",
        "client_ip": "2001:DB8::1",
    }
    data.update(overrides)
    return data


def golden_entry() -> AuditEntry:
    return AuditEntry.from_event(AuditEvent.from_dict(event_dict()), seq=41, time=WHEN,
                                 hasher=HASHER)


def test_event_from_dict_builds_typed_values() -> None:
    event = AuditEvent.from_dict(event_dict())
    assert event.actor_kind is ActorKind.STAFF
    assert event.decision is Decision.ALLOW
    assert event.resources == (ResourceRef(ResourceKind.MESSAGE, "18c2f0a1b2"),
                               ResourceRef(ResourceKind.THREAD, "18c2f0a000"))


@pytest.mark.parametrize("name", sorted(FORBIDDEN_FIELDS))
def test_every_forbidden_field_is_rejected_by_name(name: str) -> None:
    with pytest.raises(ForbiddenField, match=repr(name)) as info:
        AuditEvent.from_dict(event_dict(**{name: "x"}))
    assert info.value.field == name
    assert "never message content" in str(info.value)


@pytest.mark.parametrize("name", ["Subject", "message_body", "oauth_token", "x_password",
                                  "raw_headers", "gmail_snippet"])
def test_content_looking_variants_are_rejected(name: str) -> None:
    with pytest.raises(ForbiddenField, match=repr(name)):
        AuditEvent.from_dict(event_dict(**{name: "x"}))


def test_unknown_field_is_rejected_and_allowed_fields_are_listed() -> None:
    with pytest.raises(ForbiddenField, match="'colour'.*unknown field.*purpose"):
        AuditEvent.from_dict(event_dict(colour="blue"))


def test_resource_with_extra_content_is_rejected() -> None:
    resources = [{"kind": "message", "id": "m1", "subject": "hello"}]
    with pytest.raises(ForbiddenField, match="resources.subject"):
        AuditEvent.from_dict(event_dict(resources=resources))


@pytest.mark.parametrize(
    "value",
    ["line\nbreak", "carriage\rreturn", "tab\there", "nul\x00", "bell\x07", "del\x7f",
     "bidi\u202eoverride", "zero\u200bwidth", "line\u2028sep", "x" * 257],
    ids=["newline", "cr", "tab", "nul", "bell", "del", "bidi", "zwsp", "u2028", "too-long"],
)
@pytest.mark.parametrize("field_name", ["actor_id", "mailbox", "purpose", "request_id"])
def test_control_characters_and_long_values_are_rejected(field_name: str, value: str) -> None:
    with pytest.raises(InvalidEvent, match=repr(field_name)):
        AuditEvent.from_dict(event_dict(**{field_name: value}))


def test_resource_id_with_newline_is_rejected() -> None:
    with pytest.raises(InvalidEvent, match="resources.id"):
        AuditEvent.from_dict(event_dict(resources=[{"kind": "message", "id": "a\nb"}]))


@pytest.mark.parametrize(
    ("field_name", "value"),
    [("actor_kind", "robot"), ("decision", "maybe"), ("resources", [{"kind": "file", "id": "1"}]),
     ("actor_id", ""), ("purpose", ""), ("action", 7), ("resources", "m1")],
)
def test_invalid_values_are_rejected(field_name: str, value: Any) -> None:
    with pytest.raises(InvalidEvent):
        AuditEvent.from_dict(event_dict(**{field_name: value}))


def test_missing_required_field_is_named() -> None:
    data = event_dict()
    del data["purpose"]
    with pytest.raises(InvalidEvent, match="'purpose'"):
        AuditEvent.from_dict(data)


def test_constructor_validates_too() -> None:
    with pytest.raises(InvalidEvent, match="'action'"):
        AuditEvent(actor_kind="user", actor_id="u", action="a\nb", purpose="email.read",
                   decision="deny")  # type: ignore[arg-type]


def test_hasher_normalises_emails_and_ips() -> None:
    assert HASHER.hash(" Bob@Example.COM ") == HASHER.hash("bob@example.com")
    assert HASHER.hash("2001:DB8:0::1") == HASHER.hash("2001:db8::1")
    assert HASHER.hash("") == ""
    expected = hmac.new(KEY, b"bob@example.com", hashlib.sha256).hexdigest()
    assert HASHER.hash("bob@example.com") == "h1:" + expected
    assert IdentifierHasher(b"\x01" * 32).hash("bob@example.com") != HASHER.hash(
        "bob@example.com")


def test_hasher_rejects_short_keys() -> None:
    with pytest.raises(InvalidEvent, match="at least 16"):
        IdentifierHasher(b"short")


def test_entry_holds_hashes_not_identifiers() -> None:
    entry = golden_entry()
    raw = entry.canonical_bytes().decode()
    assert entry.mailbox_h == HASHER.hash("bob@example.com")
    assert entry.actor_id_h == HASHER.hash("alice@qontak.example")
    assert entry.client_ip_h == HASHER.hash("2001:db8::1")
    for clear in ("bob@example.com", "Bob@Example.com", "alice@qontak.example", "2001:"):
        assert clear.lower() not in raw.lower()


GOLDEN_BYTES = (
    b'{"action":"message.get",'
    b'"actor_id_h":"h1:ebef8dda38987002b12f351d902c3758c33343a9291c99d702959527d9f625a1",'
    b'"actor_kind":"staff","actor_role":"support","basis":"consent","basis_ref":"consent-17",'
    b'"client_ip_h":"h1:c1b0edb4c1ffb477edb03ec3a4518b21aa3128f2b13cfc9fbd6e3da8ace3d344",'
    b'"decision":"allow",'
    b'"mailbox_h":"h1:efb36d74c2dc5e69902fc691ff37c14dfdbbd19ee58cb44cfe8d268ccee757ed",'
    b'"outcome":"ok","policy_version":"sha256:abc123","purpose":"email.read",'
    b'"request_id":"req-0001","resources":[{"id":"18c2f0a1b2","kind":"message"},'
    b'{"id":"18c2f0a000","kind":"thread"}],"rule_id":"consent.specific-messages",'
    b'"seq":41,"time":"2025-01-31T09:30:00.123456Z","v":1}'
)
GOLDEN_LEAF_HASH = "9a3a70955b40897847e26f571f0af4bbd218ed19fa31435cfe9f887424449be9"


def test_canonical_bytes_are_stable() -> None:
    """A change here breaks every existing log's verification: bump ENTRY_FORMAT_VERSION."""
    entry = golden_entry()
    assert entry.canonical_bytes() == GOLDEN_BYTES
    assert entry.leaf_hash() == leaf_hash(GOLDEN_BYTES)
    assert entry.leaf_hash().hex() == GOLDEN_LEAF_HASH


def test_canonical_bytes_round_trip() -> None:
    entry = golden_entry()
    assert AuditEntry.from_canonical_bytes(entry.canonical_bytes()) == entry


def test_non_ascii_identifiers_are_kept_as_utf8() -> None:
    entry = AuditEntry.from_event(
        AuditEvent.from_dict(event_dict(actor_role="pôle-sécurité")), seq=0, time=WHEN,
        hasher=HASHER)
    assert "pôle-sécurité".encode() in entry.canonical_bytes()
    assert AuditEntry.from_canonical_bytes(entry.canonical_bytes()) == entry


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: json.dumps(d, sort_keys=True).encode(),
        lambda d: json.dumps(d, sort_keys=True, separators=(",", ":")).encode() + b" ",
        lambda d: json.dumps({**d, "subject": "hi"}, sort_keys=True,
                             separators=(",", ":")).encode(),
        lambda d: json.dumps({**d, "v": 2}, sort_keys=True, separators=(",", ":")).encode(),
        lambda d: json.dumps({**d, "time": "2025-01-31T09:30:00Z"}, sort_keys=True,
                             separators=(",", ":")).encode(),
        lambda d: b"\xff" + json.dumps(d).encode(),
        lambda d: b"[1, 2]",
    ],
    ids=["spaces", "trailing-space", "extra-field", "other-version", "short-time", "not-utf8",
         "not-object"],
)
def test_non_canonical_or_foreign_bytes_are_rejected(mutate: Any) -> None:
    with pytest.raises(InvalidEvent):
        AuditEntry.from_canonical_bytes(mutate(golden_entry().to_dict()))


def test_time_format() -> None:
    assert format_time(WHEN) == "2025-01-31T09:30:00.123456Z"
    plus_two = WHEN.astimezone(timezone(timedelta(hours=2)))
    assert format_time(plus_two) == "2025-01-31T09:30:00.123456Z"
    assert parse_time("2025-01-31T09:30:00.123456Z") == WHEN
    with pytest.raises(InvalidEvent, match="timezone-aware"):
        format_time(datetime(2025, 1, 1))  # noqa: DTZ001
    with pytest.raises(InvalidEvent):
        parse_time("2025-01-31 09:30:00")
