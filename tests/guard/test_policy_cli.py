"""The ``policy`` command group, as an operator uses it."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from guard.cli import policy as policy_group
from guard.policy import Policy

REQUEST = {
    "actor": {"kind": "staff", "id": "staff-7", "role": "support"},
    "action": "messages.get",
    "mailbox": "alice@example.com",
    "purpose": "support.consented_view",
    "basis": "consent",
    "resources": {"message_ids": ["m1"]},
    "consent": {"id": "c-1", "user": "alice@example.com", "grantee": "support",
                "message_ids": ["m1", "m2"], "expires_at": "2025-03-05T00:00:00Z"},
    "now": "2025-03-01T12:00:00Z",
}


def test_check_prints_effective_content_and_version(policy: Policy) -> None:
    result = CliRunner().invoke(policy_group, ["check"])
    assert result.exit_code == 0, result.output
    body, _, version_line = result.output.rstrip().rpartition("\n")
    body, _, file_line = body.rpartition("\n")
    content = json.loads(body)
    assert file_line.startswith("policy file: ")
    assert version_line == f"policy version: {policy.version}"
    assert content["aggregates"]["min_group_size"] == 50
    assert content["transfers"]["recipients"][0]["id"] == "qontak-crm"


def test_check_fills_defaults(tmp_path: Path) -> None:
    minimal = tmp_path / "minimal.toml"
    minimal.write_text('[purposes."email.read"]\nactors = ["user"]\nactions = ["messages.get"]\n'
                       '[staff.roles]\nsupport = ["consent"]\n', encoding="utf-8")
    result = CliRunner().invoke(policy_group, ["check", str(minimal)])
    assert result.exit_code == 0, result.output
    content = json.loads(result.output.rstrip().rsplit("\n", 2)[0])  # then file, version
    assert content["staff"]["max_grant_hours"] == 72
    assert content["staff"]["require_second_approval"] == ["legal", "security"]
    assert content["aggregates"]["min_group_size"] == 50
    assert content["transfers"] == {"allow_security_basis": False, "recipients": []}


def test_check_reports_the_error_line_and_exits_1(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[purposes."email.read"]\nactors = ["user"]\nactions = ["messages.get"]\n'
                   '[purposes."advertising.retargeting"]\nactors = ["user"]\n'
                   'actions = ["messages.get"]\n', encoding="utf-8")
    result = CliRunner().invoke(policy_group, ["check", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:4: purposes.\"advertising.retargeting\"" in result.output
    assert "prohibited" in result.output


def test_check_a_missing_file_exits_1(tmp_path: Path) -> None:
    result = CliRunner().invoke(policy_group, ["check", str(tmp_path / "nope.toml")])
    assert result.exit_code == 1
    assert "cannot read the policy file" in result.output


def test_decide_reads_stdin_and_prints_the_decision(policy: Policy) -> None:
    result = CliRunner().invoke(policy_group, ["decide"], input=json.dumps(REQUEST))
    assert result.exit_code == 0, result.output
    decision = json.loads(result.output)
    assert decision == {"allowed": True, "rule_id": "consent.allowed",
                        "reason": "the user consented to this grantee viewing these messages",
                        "purpose": "support.consented_view", "basis": "consent",
                        "policy_version": policy.version}


def test_decide_reads_a_request_file_and_denies(tmp_path: Path) -> None:
    request = dict(REQUEST, resources={"message_ids": ["m3"]})
    path = tmp_path / "request.json"
    path.write_text(json.dumps(request), encoding="utf-8")
    result = CliRunner().invoke(policy_group, ["decide", "--request", str(path),
                                               "--policy", "config/policy.toml"])
    assert result.exit_code == 0, result.output
    decision = json.loads(result.output)
    assert (decision["allowed"], decision["rule_id"]) == (False, "consent.message_not_covered")


def test_decide_names_a_bad_field() -> None:
    request = dict(REQUEST, actor={"kind": "robot", "id": "r"})
    result = CliRunner().invoke(policy_group, ["decide"], input=json.dumps(request))
    assert result.exit_code == 1
    assert "request.actor.kind" in result.output and "'staff'" in result.output


def test_decide_rejects_invalid_json() -> None:
    result = CliRunner().invoke(policy_group, ["decide"], input="{not json")
    assert result.exit_code == 1
    assert "not valid JSON" in result.output
