"""Aggregate decisions at the edge of k, and group sizes that are not whole numbers.

Reproduces: a NaN group size passed the minimum-group-size check (NaN compares false with
k), and fractional or boolean sizes were compared as if they were counts.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from guard.policy import Policy, check_aggregate, parse_policy

SHIPPED = Path("config/policy.toml").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def floor_policy() -> Policy:
    return parse_policy(SHIPPED.replace("min_group_size = 50", "min_group_size = 10"))


@pytest.mark.parametrize(("sizes", "allowed", "rule_id"), [
    ([49], False, "aggregate.below_k"),
    ([50], True, "aggregate.allowed"),
    ([51], True, "aggregate.allowed"),
    ([51, 50, 49], False, "aggregate.below_k"),
])
def test_shipped_k_at_its_edges(policy: Policy, sizes: list[int], allowed: bool,
                                rule_id: str) -> None:
    decision = check_aggregate(policy, sizes, fields=["mailbox_count"])
    assert (decision.allowed, decision.rule_id) == (allowed, rule_id)


@pytest.mark.parametrize(("sizes", "allowed"), [([9], False), ([10], True), ([11], True)])
def test_k_at_its_floor_at_its_edges(floor_policy: Policy, sizes: list[int],
                                     allowed: bool) -> None:
    assert check_aggregate(floor_policy, sizes).allowed is allowed


@pytest.mark.parametrize("sizes", [[float("nan")], [50, float("nan")], [50.5], [True],
                                   [float("inf")], ["60"]])
def test_group_size_that_is_not_a_whole_number_is_malformed(
        policy: Policy, sizes: list[object]) -> None:
    decision = check_aggregate(policy, sizes)  # type: ignore[arg-type]
    assert (decision.allowed, decision.rule_id) == (False, "request.malformed")


def test_fields_given_as_one_string_are_malformed(policy: Policy) -> None:
    decision = check_aggregate(policy, [60], fields="mailbox_count")
    assert (decision.allowed, decision.rule_id) == (False, "request.malformed")
