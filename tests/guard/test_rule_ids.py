"""Every rule id the guard can put into a decision or an audit entry has a reason."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from guard.policy import REASONS, AccessBasis
from guard.policy.vocabulary import PROHIBITED_FAMILIES

ROOT = Path(__file__).resolve().parents[2]

#: Functions that take a rule id, and the position of the rule id among their arguments.
RULE_ARGUMENT = {
    "Decision": 1, "_decide": 2, "_transfer_decision": 2, "decide": 0, "_refusal": 0,
    "_decision": 1, "refuse": 0, "_deny": 2, "_account_decision": 0, "_record": 2,
}


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _text(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def rule_ids_in(source: str) -> set[str]:
    """Return the rule ids written as literals in ``source``, wherever a rule id goes."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg == "rule_id" and (text := _text(keyword.value)) is not None:
                    found.add(text)
            position = RULE_ARGUMENT.get(_name(node.func))
            if position is not None and len(node.args) > position:
                if (text := _text(node.args[position])) is not None:
                    found.add(text)
        elif isinstance(node, ast.Subscript) and _name(node.value) == "REASONS":
            if (text := _text(node.slice)) is not None:
                found.add(text)
        elif isinstance(node, ast.Assign):
            names = [t.id for t in node.targets if isinstance(t, ast.Name)]
            if any(n.startswith("RULE_") or n == "NOT_REGISTERED" for n in names):
                if (text := _text(node.value)) is not None:
                    found.add(text)
    return found


def guard_rule_ids() -> dict[str, set[str]]:
    """Return each guard module's literal rule ids."""
    return {str(path.relative_to(ROOT)): rule_ids_in(path.read_text(encoding="utf-8"))
            for path in sorted((ROOT / "guard").rglob("*.py"))}


def test_every_rule_id_in_the_guard_has_a_reason() -> None:
    unknown = {module: sorted(ids - set(REASONS))
               for module, ids in guard_rule_ids().items() if ids - set(REASONS)}
    assert unknown == {}, f"add these rule ids to guard/policy/rules.py: {unknown}"


def test_rule_ids_built_at_run_time_have_reasons() -> None:
    for basis in (AccessBasis.SECURITY, AccessBasis.LEGAL):
        assert basis.value + ".allowed" in REASONS
    for family in PROHIBITED_FAMILIES:
        assert "prohibited." + family in REASONS


def test_the_scan_reaches_every_service_that_decides() -> None:
    found = guard_rule_ids()
    expected = {
        "guard/accounts.py": {"account.connected", "account.not_connected"},
        "guard/aggregates.py": {"staff.not_registered"},
        "guard/broker.py": {"staff.not_registered"},
        "guard/consents.py": {"consent.recorded", "transfer.consent_recorded"},
        "guard/grants.py": {"grant.request_lapsed", "grant.not_pending",
                            "grant.approver_not_eligible", "grant.revoker_not_eligible",
                            "grant.requester_not_eligible", "grant.self_approved"},
        "guard/transfers.py": {"transfer.no_provenance", "transfer.mailbox_mismatch",
                               "transfer.no_endpoint"},
        "guard/staff.py": {"staff.added", "staff.removed"},
        "guard/provenance.py": {"prohibited.advertising"},
        "guard/policy/decide.py": {"default.deny", "consent.message_not_covered",
                                   "transfer.consent_missing", "aggregate.below_k"},
    }
    for module, ids in expected.items():
        assert ids <= found[module], (module, sorted(ids - found[module]))


@pytest.mark.parametrize("source", [
    'Decision(False, "made.up", "why", "email.read", None, "v")',
    'record(log, actor=a, action="x.y", purpose="p", allowed=True, rule_id="made.up", '
    'policy_version="v")',
    'self._deny(actor, "grant.request", "made.up", basis)',
    'RULE_SOMETHING = "made.up"',
    'reason = REASONS["made.up"]',
])
def test_the_scan_sees_each_place_a_rule_id_is_written(source: str) -> None:
    assert rule_ids_in(source) == {"made.up"}


def test_the_scan_ignores_purposes_and_actions_beside_a_rule_id() -> None:
    source = ('Decision(False, "prohibited.advertising", REASONS["prohibited.advertising"], '
              '"advertising.serving", None, "v")\n'
              'self._deny(actor, "grant.request", "grant.requester_not_eligible", basis)')
    assert rule_ids_in(source) == {"prohibited.advertising", "grant.requester_not_eligible"}
