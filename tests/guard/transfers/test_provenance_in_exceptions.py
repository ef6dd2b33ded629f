"""A Gmail-derived value carried by an exception still reaches no ad sink; every refusal
is recorded.

Reproduces: an exception holding a marked value (``ValueError(summary)``, a ``KeyError``
with a mapping, an error raised from another that held one) passed the advertising sink
as plain data: the provenance check looked into mappings, collections, dataclasses,
``__dict__`` and ``__slots__``, but an exception keeps its arguments and its cause in
neither, and error reports are just what gets shipped to analytics.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from audit import AuditLog
from guard.errors import TransferBlocked
from guard.policy import DataClass, Policy
from guard.provenance import AdvertisingSink, GmailDerived, carries_gmail_data
from tests.guard.broker.conftest import USER, entries
from tests.guard.transfers.test_provenance import body


def _chained() -> Exception:
    try:
        raise LookupError(body())
    except LookupError as inner:
        outer = RuntimeError("sync failed")
        outer.__cause__ = inner
        return outer


@pytest.mark.parametrize("make", [
    pytest.param(lambda: ValueError(body()), id="argument"),
    pytest.param(lambda: {"report": KeyError({"segment": body()})}, id="mapping argument"),
    pytest.param(_chained, id="cause"),
])
def test_a_marked_value_inside_an_exception_is_refused(
        policy: Policy, audit_log: AuditLog, make: Callable[[], Any]) -> None:
    delivered: list[Any] = []
    sink = AdvertisingSink(name="ad-crash-analytics", policy=policy, audit=audit_log,
                           deliver=delivered.append)
    value = make()
    assert carries_gmail_data(value)
    with pytest.raises(TransferBlocked):
        sink.accept(value)
    assert delivered == []


def test_an_ad_sink_refusal_of_many_messages_is_recorded_naming_each(
        policy: Policy, audit_log: AuditLog) -> None:
    # Reproduces: a value drawn from more than 1,000 messages was refused, but its entry
    # could not name them all, so the refusal raised AuditUnavailable and went unrecorded.
    delivered: list[Any] = []
    sink = AdvertisingSink(name="ad-audience-export", policy=policy, audit=audit_log,
                           deliver=delivered.append)
    ids = [f"m{n:05d}" for n in range(2500)]
    value = GmailDerived.of("audience", mailbox=USER, message_ids=ids,
                            data_class=DataClass.METADATA)
    with pytest.raises(TransferBlocked):
        sink.accept(value, request_id="req-bulk")
    recorded = entries(audit_log, request_id="req-bulk")
    assert {e.rule_id for e in recorded} == {"prohibited.advertising"}
    assert sorted(r.id for e in recorded for r in e.resources) == ids
    assert delivered == []
