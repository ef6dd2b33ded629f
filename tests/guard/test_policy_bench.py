"""The policy benchmark runs, and Cedar agrees with our evaluator on its whole mix."""

from __future__ import annotations

from bench.policy import request_mix, run


def test_quick_run_reports_both_engines_and_full_agreement() -> None:
    rows = {row["name"]: row for row in run(quick=True)}
    assert set(rows) == {"policy.decision.median", "policy.cedar.median",
                         "policy.cedar_to_ours_ratio", "policy.cedar_agreement"}
    for row in rows.values():
        assert set(row) == {"name", "value", "unit", "goal", "notes"}
    assert rows["policy.cedar_agreement"]["value"] == 1.0
    assert 0 < rows["policy.decision.median"]["value"] < 100


def test_the_mix_has_allowed_and_denied_requests() -> None:
    from guard.policy import check_access, load_policy

    policy = load_policy()
    outcomes = {check_access(policy, r).allowed for r in request_mix()}
    assert outcomes == {True, False}
