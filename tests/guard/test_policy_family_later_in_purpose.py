"""A prohibited family named after the purpose's first word is still named and counted.

Reproduces: ``email.advertising``, ``email.ads``, ``crm.ai_training`` or
``sync.data-broker`` were denied only as unknown purposes: the family check looked at the
start of the purpose alone, so such attempts were never counted under their prohibited
family, which is what reviewers count.
"""

from __future__ import annotations

import pytest

from guard.policy import Policy, check_access
from tests.guard.test_policy_decide import user


@pytest.mark.parametrize(("purpose", "family"), [
    ("email.advertising", "advertising"),
    ("email.ads", "advertising"),
    ("email.ad-targeting", "advertising"),
    ("crm.ai_training", "ai_training"),
    ("sync.data-broker", "data_sale"),
    ("email.lending_score", "credit"),
    ("Email.\uff41\uff44\uff53", "advertising"),
])
def test_a_family_later_in_the_purpose_is_named(policy: Policy, purpose: str,
                                                family: str) -> None:
    decision = check_access(policy, user(purpose))
    assert (decision.allowed, decision.rule_id) == (False, "prohibited." + family)


@pytest.mark.parametrize("purpose", ["email.read", "email.adsync", "email.address",
                                     "email.loading", "support.consented_view"])
def test_ordinary_words_later_in_a_purpose_are_not_a_family(policy: Policy,
                                                            purpose: str) -> None:
    assert not check_access(policy, user(purpose)).rule_id.startswith("prohibited.")
