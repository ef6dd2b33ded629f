"""Gmail provenance survives transformations and nesting; ad sinks refuse it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from audit import AuditLog, ResourceKind, ResourceRef
from guard.errors import TransferBlocked
from guard.policy import DataClass, Policy
from guard.provenance import (
    AdvertisingSink,
    GmailDerived,
    Source,
    carries_gmail_data,
    combine,
    derived,
    find_provenance,
    unwrap,
)
from tests.guard.broker.conftest import USER, entries

BODY = "Let's meet at the clinic on Tuesday"


def body(mailbox: str = USER, ids: tuple[str, ...] = ("m1",)) -> GmailDerived[str]:
    return GmailDerived.of(BODY, mailbox=mailbox, message_ids=ids,
                           data_class=DataClass.CONTENT)


@dataclass(frozen=True)
class Campaign:
    name: str
    keywords: tuple[Any, ...]


def test_derive_keeps_provenance_and_can_reclass() -> None:
    words = body().derive(str.split)
    assert words.value[0] == "Let's"
    assert words.sources == body().sources
    label = words.derive(len, data_class=DataClass.METADATA)
    assert label.value == 7
    assert label.data_classes == frozenset({DataClass.METADATA})
    assert label.message_ids == frozenset({"m1"})


def test_derived_functions_merge_their_arguments_provenance() -> None:
    @derived
    def summarise(a: str, b: str, *, limit: int) -> str:
        return (a + " " + b)[:limit]

    result = summarise(body(), body(ids=("m2",)), limit=9)
    assert isinstance(result, GmailDerived)
    assert result.value == "Let's mee"
    assert result.message_ids == frozenset({"m1", "m2"})
    assert summarise("plain", "text", limit=5) == "plain"


def test_combine_and_find_look_inside_structures() -> None:
    nested = {"k": [1, (2, Campaign("c", (body(ids=("m9",)),)))]}
    assert find_provenance(nested) == frozenset({
        Source(USER, frozenset({"m9"}), DataClass.CONTENT)})
    wrapped = combine("report", nested)
    assert isinstance(wrapped, GmailDerived) and wrapped.message_ids == frozenset({"m9"})
    assert combine("report", {"k": [1, 2]}) == "report"
    assert unwrap(nested) == {"k": [1, [2, {"name": "c", "keywords": [BODY]}]]}


def test_repr_never_shows_the_value() -> None:
    text = repr(body())
    assert BODY not in text and "content" in text


@pytest.fixture
def sink(policy: Policy, audit_log: AuditLog) -> tuple[AdvertisingSink, list[Any]]:
    delivered: list[Any] = []
    return AdvertisingSink(name="ad-audience-export", policy=policy, audit=audit_log,
                           deliver=delivered.append), delivered


@pytest.mark.parametrize("value", [
    pytest.param(lambda: body(), id="the value itself"),
    pytest.param(lambda: body().derive(str.upper), id="a derived value"),
    pytest.param(lambda: [1, {"segment": body()}], id="inside a list of dicts"),
    pytest.param(lambda: Campaign("spring", ("shoes", body())), id="inside a dataclass"),
    pytest.param(lambda: {frozenset({body()})}.pop(), id="inside a frozenset"),
])
def test_advertising_sink_refuses_gmail_data_however_nested(
        sink: tuple[AdvertisingSink, list[Any]], audit_log: AuditLog, value: Any) -> None:
    ad_sink, delivered = sink
    with pytest.raises(TransferBlocked) as caught:
        ad_sink.accept(value())
    assert caught.value.rule_id == "prohibited.advertising"
    assert delivered == []
    [entry] = entries(audit_log, mailbox=USER, action="advertising.accept")
    assert (entry.decision, entry.rule_id) == ("deny", "prohibited.advertising")
    assert ResourceRef(ResourceKind.MESSAGE, "m1") in entry.resources


def test_advertising_sink_accepts_data_without_gmail_provenance(
        sink: tuple[AdvertisingSink, list[Any]]) -> None:
    ad_sink, delivered = sink
    campaign = Campaign("spring", ("shoes", "boots"))
    ad_sink.accept(campaign)
    assert delivered == [campaign]
    assert not carries_gmail_data(campaign)
