"""`mailguard policy check` and `decide` use the policy the server loads, and say which file.

An operator following the README sets ``MAILGUARD_POLICY_PATH`` for the server; run with no
FILE in that environment, `policy check` printed the shipped policy instead, so a broken or
different policy file passed the check the operator thought covered it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from guard.policy import DEFAULT_POLICY_PATH
from mailguard.cli import cli

ACCESS = {
    "actor": {"kind": "staff", "id": "sam@qontak.com", "role": "support"},
    "action": "messages.get", "mailbox": "alice@example.com",
    "purpose": "support.consented_view", "basis": "consent",
    "resources": {"message_ids": ["m1"]},
    "consent": {"id": "c-1", "user": "alice@example.com", "grantee": "support",
                "message_ids": ["m1", "m2"], "expires_at": "2025-03-05T00:00:00Z"},
    "now": "2025-03-01T12:00:00Z",
}


def own_policy(tmp_path: Path, *, min_group_size: int) -> Path:
    """Write the shipped policy with another aggregate threshold, as a deployment might."""
    text = Path(DEFAULT_POLICY_PATH).read_text(encoding="utf-8")
    assert "min_group_size = 50" in text
    path = tmp_path / "deployment-policy.toml"
    path.write_text(text.replace("min_group_size = 50", f"min_group_size = {min_group_size}"),
                    encoding="utf-8")
    return path


def check(env: dict[str, str | None], *args: str) -> Result:
    base: dict[str, str | None] = {"MAILGUARD_POLICY_PATH": None, "MAILGUARD_POLICY": None}
    return CliRunner().invoke(cli, ["policy", "check", *args], env={**base, **env})


def content_and_trailer(output: str) -> tuple[dict[str, object], list[str]]:
    lines = output.rstrip("\n").split("\n")
    return json.loads("\n".join(lines[:-2])), lines[-2:]


@pytest.mark.parametrize("variable", ["MAILGUARD_POLICY_PATH", "MAILGUARD_POLICY"])
def test_check_without_a_file_checks_the_policy_the_server_loads(tmp_path, variable):
    path = own_policy(tmp_path, min_group_size=70)
    result = check({variable: str(path)})
    assert result.exit_code == 0, result.output
    content, (file_line, version_line) = content_and_trailer(result.output)
    assert content["aggregates"]["min_group_size"] == 70  # type: ignore[index]
    assert file_line == f"policy file: {path} ({variable})"
    assert version_line.startswith("policy version: ")


def test_the_server_variable_wins_over_the_older_name(tmp_path):
    path = own_policy(tmp_path, min_group_size=70)
    result = check({"MAILGUARD_POLICY_PATH": str(path),
                    "MAILGUARD_POLICY": str(tmp_path / "stale.toml")})
    assert result.exit_code == 0, result.output
    assert f"policy file: {path} (MAILGUARD_POLICY_PATH)" in result.output


def test_without_a_variable_the_shipped_policy_is_checked_and_named_so():
    result = check({})
    assert result.exit_code == 0, result.output
    content, (file_line, _) = content_and_trailer(result.output)
    assert content["aggregates"]["min_group_size"] == 50  # type: ignore[index]
    assert file_line == f"policy file: {DEFAULT_POLICY_PATH} (the shipped policy)"


def test_a_file_given_on_the_command_line_wins_and_is_named(tmp_path):
    path = own_policy(tmp_path, min_group_size=90)
    result = check({"MAILGUARD_POLICY_PATH": str(tmp_path / "missing.toml")}, str(path))
    assert result.exit_code == 0, result.output
    content, (file_line, _) = content_and_trailer(result.output)
    assert content["aggregates"]["min_group_size"] == 90  # type: ignore[index]
    assert file_line == f"policy file: {path}"


def test_a_missing_file_the_variable_names_fails_the_check_naming_the_variable(tmp_path):
    missing = tmp_path / "missing.toml"
    result = check({"MAILGUARD_POLICY_PATH": str(missing)})
    assert result.exit_code == 1
    assert str(missing) in result.output and "cannot read the policy file" in result.output
    assert "MAILGUARD_POLICY_PATH" in result.output
    assert result.output.count("\n") == 1


def test_decide_without_policy_decides_by_the_policy_the_server_loads(tmp_path):
    path = own_policy(tmp_path, min_group_size=70)
    shipped = CliRunner().invoke(cli, ["policy", "decide"], input=json.dumps(ACCESS),
                                 env={"MAILGUARD_POLICY_PATH": None, "MAILGUARD_POLICY": None})
    served = CliRunner().invoke(cli, ["policy", "decide"], input=json.dumps(ACCESS),
                                env={"MAILGUARD_POLICY_PATH": str(path)})
    assert shipped.exit_code == 0 and served.exit_code == 0, served.output
    version = content_and_trailer(check({"MAILGUARD_POLICY_PATH": str(path)}).output)[1][1]
    assert json.loads(served.output)["policy_version"] == version.removeprefix(
        "policy version: ")
    assert json.loads(shipped.output)["policy_version"] != json.loads(
        served.output)["policy_version"]
