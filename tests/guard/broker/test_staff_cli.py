"""`mailguard staff add/remove/list`: exit codes, one-line reasons, audited changes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from audit import AuditLog
from guard.staff_cli import staff
from tests.guard.broker.conftest import HMAC_KEY, entries

Invoke = Callable[..., Result]


@pytest.fixture
def run(tmp_path: Path) -> tuple[str, Invoke]:
    url = f"sqlite:///{tmp_path / 'instance' / 'mailguard.db'}"
    runner = CliRunner()

    def invoke(*args: str, key: str | None = HMAC_KEY.hex(), domain: str = "") -> Result:
        env = {"MAILGUARD_DATABASE_URL": url, "MAILGUARD_AUDIT_HMAC_KEY": key or "",
               "MAILGUARD_STAFF_DOMAIN": domain}
        return runner.invoke(staff, list(args), env=env)

    return url, invoke


def test_add_list_remove_round_trip_is_audited(run: tuple[str, Invoke]) -> None:
    url, invoke = run
    added = invoke("add", "Alice@Qontak.com", "--role", "security", "--role", "support")
    assert added.exit_code == 0, added.output
    assert added.output == "alice@qontak.com: security, support\n"
    assert invoke("add", "bob@qontak.com", "--role", "legal").exit_code == 0
    listed = invoke("list")
    assert listed.exit_code == 0
    assert listed.output.splitlines() == ["alice@qontak.com\tsecurity,support\tactive",
                                          "bob@qontak.com\tlegal\tactive"]
    removed = invoke("remove", "bob@qontak.com")
    assert (removed.exit_code, removed.output) == (0, "bob@qontak.com: removed\n")
    assert invoke("list").output == "alice@qontak.com\tsecurity,support\tactive\n"
    assert "bob@qontak.com\t-\tremoved" in invoke("list", "--all").output
    with AuditLog.open(url, hmac_key=HMAC_KEY) as log:
        changes = entries(log, purpose="guard.administration")
    assert [(e.action, e.outcome) for e in changes] == [
        ("staff.add", "roles=security,support"), ("staff.add", "roles=legal"),
        ("staff.remove", "roles=legal")]
    assert all(e.basis_ref.startswith("stf_") and "qontak.com" not in e.basis_ref
               for e in changes)


@pytest.mark.parametrize(("args", "key", "reason"), [
    (("add", "a@qontak.com", "--role", "janitor"), HMAC_KEY.hex(),
     "unknown role 'janitor'; allowed roles: legal, ops, security, support"),
    (("add", "not-an-address", "--role", "ops"), HMAC_KEY.hex(), "work email address"),
    (("remove", "nobody@qontak.com"), HMAC_KEY.hex(), "no active staff member"),
    (("add", "a@qontak.com", "--role", "ops"), None, "set MAILGUARD_AUDIT_HMAC_KEY"),
    (("add", "a@qontak.com", "--role", "ops"), "zz-not-a-key", "hex or base64"),
    (("add", "budi+second@qontak.com", "--role", "ops"), HMAC_KEY.hex(), "without a +tag"),
])
def test_failures_exit_non_zero_with_one_line(run: tuple[str, Invoke], args: tuple[str, ...],
                                              key: str | None, reason: str) -> None:
    _url, invoke = run
    result = invoke(*args, key=key)
    assert result.exit_code != 0
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and reason in lines[0], result.output


def test_help_names_the_commands(run: tuple[str, Invoke]) -> None:
    _url, invoke = run
    result = invoke("--help")
    assert result.exit_code == 0
    assert all(word in result.output for word in ("add", "remove", "list"))


def test_add_refuses_an_address_outside_the_staff_domain(run: tuple[str, Invoke]) -> None:
    url, invoke = run
    refused = invoke("add", "mallory@gmail.com", "--role", "security", domain="qontak.com")
    assert refused.exit_code == 1
    assert "outside the staff domain qontak.com (MAILGUARD_STAFF_DOMAIN)" in refused.output
    assert "mallory" not in invoke("list", "--all").output  # nobody was added
    lookalike = invoke("add", "eve@qontak.com.evil.example", "--role", "support",
                       domain="qontak.com")
    assert lookalike.exit_code == 1
    added = invoke("add", "Alice@Qontak.com", "--role", "security", domain="Qontak.com")
    assert added.exit_code == 0, added.output
    assert invoke("add", "bob@gmail.com", "--role", "legal").exit_code == 0  # no domain set
