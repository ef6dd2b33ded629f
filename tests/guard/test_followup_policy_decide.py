"""``mailguard policy decide``: repeated keys are refused, transfers can be asked about too."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from guard.cli import policy as policy_group
from guard.policy import Policy

ACCESS = {
    "actor": {"kind": "staff", "id": "sam@qontak.com", "role": "support"},
    "action": "messages.get",
    "mailbox": "alice@example.com",
    "purpose": "support.consented_view",
    "basis": "consent",
    "resources": {"message_ids": ["m1"]},
    "consent": {"id": "c-1", "user": "alice@example.com", "grantee": "support",
                "message_ids": ["m1", "m2"], "expires_at": "2025-03-05T00:00:00Z"},
    "now": "2025-03-01T12:00:00Z",
}

TRANSFER = {
    "kind": "transfer",
    "recipient_id": "qontak-crm",
    "basis": "feature",
    "data_classes": ["metadata", "content"],
    "mailbox": "alice@example.com",
    "consent": {"id": "tcn-1", "user": "alice@example.com", "recipient_id": "qontak-crm"},
    "now": "2025-03-01T12:00:00Z",
}


def decide(text: str) -> tuple[int, str]:
    result = CliRunner().invoke(policy_group, ["decide"], input=text)
    return result.exit_code, result.output


@pytest.mark.parametrize(("text", "key"), [
    # The later "m9" would be decided on, and refused; the earlier "m1" was meant.
    (json.dumps(ACCESS)[:-1] + ', "now": "2030-01-01T00:00:00Z"}', "now"),
    (json.dumps(ACCESS).replace('"action": "messages.get"',
                                '"action": "messages.get", "action": "messages.send"'),
     "action"),
    (json.dumps(ACCESS).replace('"role": "support"', '"role": "support", "role": "legal"'),
     "role"),
    (json.dumps(TRANSFER).replace('"basis": "feature"', '"basis": "feature", "basis": "legal"'),
     "basis"),
], ids=["top-level now", "action", "nested actor role", "transfer basis"])
def test_a_key_given_twice_is_refused_naming_the_key(text: str, key: str) -> None:
    code, output = decide(text)
    assert code == 1
    assert output.startswith(f"error: the request gives the key {key!r} more than once")
    assert "allowed" not in output


def test_keys_given_once_are_still_decided() -> None:
    code, output = decide(json.dumps(ACCESS))
    assert code == 0, output
    assert json.loads(output)["rule_id"] == "consent.allowed"


def test_an_explicit_access_kind_is_an_access_request() -> None:
    code, output = decide(json.dumps(dict(ACCESS, kind="access")))
    assert code == 0, output
    assert json.loads(output)["rule_id"] == "consent.allowed"


@pytest.mark.parametrize(("changes", "allowed", "rule"), [
    ({}, True, "transfer.allowed"),
    ({"recipient_id": "adnet"}, False, "transfer.unlisted_recipient"),
    ({"basis": "merger"}, False, "transfer.basis_mismatch"),
    ({"data_classes": []}, False, "transfer.no_data_classes"),
    ({"data_classes": ["metadata", "attachments"]}, False,
     "transfer.data_class_not_allowed"),
    ({"consent": None}, False, "transfer.consent_missing"),
    ({"consent": dict(TRANSFER["consent"], user="bob@example.com")}, False,  # type: ignore[arg-type]
     "transfer.consent_mismatch"),
    ({"consent": dict(TRANSFER["consent"], revoked_at="2025-03-01T00:00:00Z")},  # type: ignore[arg-type]
     False, "transfer.consent_revoked"),
    ({"consent": dict(TRANSFER["consent"], expires_at="2025-02-01T00:00:00Z")},  # type: ignore[arg-type]
     False, "transfer.consent_expired"),
], ids=["allowed", "unlisted recipient", "wrong basis", "no data class",
        "data class not allowed", "no consent", "consent of another user",
        "consent revoked", "consent expired"])
def test_a_transfer_request_gets_the_transfer_gates_decision(
        policy: Policy, changes: dict[str, object], allowed: bool, rule: str) -> None:
    request = {k: v for k, v in dict(TRANSFER, **changes).items() if v is not None}
    code, output = decide(json.dumps(request))
    assert code == 0, output
    decision = json.loads(output)
    assert (decision["allowed"], decision["rule_id"]) == (allowed, rule)
    assert decision["basis"] == request["basis"]
    assert decision["purpose"] == f"transfer.{request['basis']}"
    assert decision["policy_version"] == policy.version


@pytest.mark.parametrize(("changes", "message"), [
    ({"kind": "export"}, "request.kind: 'export' is not one of ['access', 'transfer']"),
    ({"data_classes": ["metadata", "bodies"]}, "request.data_classes: 'bodies' is not one of"),
    ({"basis": "advertising"}, "request.basis: 'advertising' is not one of"),
    ({"purpose": "email.read"}, "request: unknown fields ['purpose']"),
    ({"consent": {"id": "t", "user": "a@b.c", "recipient_id": "qontak-crm", "grantee": "x"}},
     "request.consent: unknown fields ['grantee']"),
    ({"mailbox": None}, "request.mailbox: required"),
])
def test_a_malformed_transfer_request_is_refused_naming_the_field(
        changes: dict[str, object], message: str) -> None:
    request = {k: v for k, v in dict(TRANSFER, **changes).items() if v is not None}
    code, output = decide(json.dumps(request))
    assert code == 1
    assert output.startswith(f"error: {message}")
