"""Prohibited-purpose attempts are alerted and reported in any spelling the guard refuses."""

from __future__ import annotations

import pytest

from tests.webclient.review.test_charts_alerts import NAMES, entry
from webclient.review.activity import count_activity
from webclient.review.alerts import AlertKind, AlertRules, find_alerts


@pytest.mark.parametrize("purpose", [
    "advertising.targeting", "Advertising.Targeting", "ads.targeting", "data-sale.broker",
    "AI_Training", "credit-scoring",
])
def test_an_attempt_in_any_spelling_alerts_and_is_counted(purpose):
    attempt = entry(1, kind="user", decision="deny", purpose=purpose)
    found = find_alerts([attempt], AlertRules(), NAMES)
    assert [(a.kind, a.detail, a.count) for a in found] == [
        (AlertKind.PROHIBITED_PURPOSE, purpose, 1)]
    assert dict(count_activity([attempt], NAMES).prohibited) == {purpose: 1}


@pytest.mark.parametrize("purpose", ["email.read", "support.consented_view", "transfer.feature"])
def test_an_ordinary_purpose_is_not_prohibited(purpose):
    ordinary = entry(1, kind="user", decision="deny", purpose=purpose)
    assert find_alerts([ordinary], AlertRules(denials_per_actor=5), NAMES) == ()
    assert not count_activity([ordinary], NAMES).prohibited


@pytest.mark.parametrize(("attempts", "alerted"), [(2, True), (1, False)])
def test_the_attempt_threshold_holds_for_another_spelling(attempts, alerted):
    entries = [entry(i, kind="user", decision="deny", purpose="Ads.Retargeting")
               for i in range(attempts)]
    found = find_alerts(entries, AlertRules(prohibited_attempts=2), NAMES)
    assert (AlertKind.PROHIBITED_PURPOSE in [a.kind for a in found]) is alerted
