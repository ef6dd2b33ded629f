"""Transformations that used to drop Gmail provenance, and values the ad sink let through.

Reproduces: ``str()``, f-strings, ``format`` and ``%`` turned a marked value into a plain
string the advertising sink accepted (it read ``GmailDerived(<hidden>...)``, the mark
gone); slicing and ``+`` were impossible, pushing callers to unwrap; a marked value inside a
deque, an object with ``__slots__``, a generator or a closure reached the sink unseen; and
the guard's own mail values (a ``Message``, a ``Thread``, a ``ThreadSummary``) carried no
mark at all.
"""

from __future__ import annotations

import collections
import functools
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from audit import AuditLog, ResourceKind, ResourceRef
from guard.errors import TransferBlocked
from guard.mail_values import Message, MessageHeaders, Thread, ThreadSummary
from guard.policy import DataClass, Policy
from guard.provenance import AdvertisingSink, GmailDerived, carries_gmail_data
from tests.guard.broker.conftest import USER, entries
from tests.guard.transfers.test_provenance import BODY, body


class Slotted:
    __slots__ = ("segment",)

    def __init__(self, segment: Any) -> None:
        self.segment = segment


def message(message_id: str = "m7") -> Message:
    return Message(id=message_id, thread_id="t7", label_ids=("INBOX",),
                   headers=MessageHeaders(subject="Clinic visit", from_="dr@example.com"),
                   snippet="Let's meet", text_body=BODY, html_body=None, attachments=(),
                   size_estimate=120, internal_date=datetime(2025, 3, 1, tzinfo=UTC))


@pytest.fixture
def sink(policy: Policy, audit_log: AuditLog) -> tuple[AdvertisingSink, list[Any]]:
    delivered: list[Any] = []
    return AdvertisingSink(name="ad-audience-export", policy=policy, audit=audit_log,
                           deliver=delivered.append), delivered


@pytest.mark.parametrize("make", [
    pytest.param(lambda: str(body()), id="str"),
    pytest.param(lambda: f"summary: {body()}", id="f-string"),
    pytest.param(lambda: f"{body()}", id="f-string alone"),
    pytest.param(lambda: "summary: {}".format(body()), id="str.format"),  # noqa: UP032
    pytest.param(lambda: "summary: %s" % (body(),), id="percent"),  # noqa: UP031
    pytest.param(lambda: json.dumps({"summary": body()}, default=str), id="json default=str"),
])
def test_turning_a_marked_value_into_a_plain_string_raises(make: Callable[[], Any]) -> None:
    with pytest.raises(TypeError, match="derive"):
        make()


@pytest.mark.parametrize(("make", "plain"), [
    pytest.param(lambda: body()[:5], BODY[:5], id="slice"),
    pytest.param(lambda: body()[0], BODY[0], id="index"),
    pytest.param(lambda: body() + " (summary)", BODY + " (summary)", id="append"),
    pytest.param(lambda: "Summary: " + body(), "Summary: " + BODY, id="prepend"),
    pytest.param(lambda: body().derive(str.split)[1:3], BODY.split()[1:3], id="keywords"),
    pytest.param(lambda: body().derive(json.dumps).derive(json.loads), BODY,
                 id="json round trip"),
    pytest.param(lambda: GmailDerived.of({"k": [BODY]}, mailbox=USER, message_ids=["m1"],
                                         data_class=DataClass.CONTENT)["k"][0], BODY,
                 id="nested item"),
])
def test_slicing_indexing_and_concatenation_keep_the_mark(
        sink: tuple[AdvertisingSink, list[Any]], audit_log: AuditLog,
        make: Callable[[], GmailDerived[Any]], plain: Any) -> None:
    value = make()
    assert isinstance(value, GmailDerived)
    assert value.value == plain
    assert value.message_ids == frozenset({"m1"})
    ad_sink, delivered = sink
    with pytest.raises(TransferBlocked):
        ad_sink.accept(value)
    assert delivered == []
    [entry] = entries(audit_log, mailbox=USER, action="advertising.accept")
    assert ResourceRef(ResourceKind.MESSAGE, "m1") in entry.resources


def test_concatenating_two_marked_values_keeps_both_sources() -> None:
    joined = body(ids=("m1",)) + " / " + body(ids=("m2",))
    assert isinstance(joined, GmailDerived)
    assert joined.value == BODY + " / " + BODY
    assert joined.message_ids == frozenset({"m1", "m2"})


@pytest.mark.parametrize("make", [
    pytest.param(lambda: collections.deque([body()]), id="deque"),
    pytest.param(lambda: Slotted(body()), id="object with __slots__"),
    pytest.param(lambda: {"audience": Slotted([body().derive(str.lower)])}, id="nested slots"),
    pytest.param(lambda: collections.OrderedDict(a=collections.deque([[body()]])),
                 id="deque in an ordered dict"),
])
def test_marked_values_in_other_containers_are_refused(
        sink: tuple[AdvertisingSink, list[Any]], make: Callable[[], Any]) -> None:
    ad_sink, delivered = sink
    value = make()
    assert carries_gmail_data(value)
    with pytest.raises(TransferBlocked):
        ad_sink.accept(value)
    assert delivered == []


@pytest.mark.parametrize("make", [
    pytest.param(lambda: (b for b in [body()]), id="generator"),
    pytest.param(lambda: iter([body()]), id="iterator"),
    pytest.param(lambda: (lambda: body()), id="closure"),
    pytest.param(lambda: functools.partial(print, body()), id="partial"),
])
def test_values_the_check_cannot_look_inside_are_refused_and_recorded(
        sink: tuple[AdvertisingSink, list[Any]], audit_log: AuditLog,
        make: Callable[[], Any]) -> None:
    ad_sink, delivered = sink
    before = audit_log.size()
    with pytest.raises(TransferBlocked) as caught:
        ad_sink.accept(make())
    assert caught.value.rule_id == "prohibited.advertising"
    assert delivered == []
    [entry] = entries(audit_log, after_seq=before - 1, action="advertising.accept")
    assert (entry.decision, entry.rule_id) == ("deny", "prohibited.advertising")


@pytest.mark.parametrize("make", [
    pytest.param(lambda: message(), id="a message"),
    pytest.param(lambda: Thread(id="t7", messages=(message(),), label_ids=("INBOX",)),
                 id="a thread"),
    pytest.param(lambda: {"audience": [message().headers]}, id="headers in a dict"),
    pytest.param(lambda: ThreadSummary(id="t7", subject="Clinic visit", snippet="Let's",
                                       participants=("dr@example.com",), message_count=1,
                                       last_date=None, unread=False, starred=False,
                                       important=False, has_attachments=False,
                                       label_ids=()), id="a thread summary"),
])
def test_the_guards_mail_values_count_as_gmail_derived(
        sink: tuple[AdvertisingSink, list[Any]], make: Callable[[], Any]) -> None:
    ad_sink, delivered = sink
    assert carries_gmail_data(make())
    with pytest.raises(TransferBlocked):
        ad_sink.accept(make())
    assert delivered == []


def test_plain_values_of_many_kinds_still_pass(
        sink: tuple[AdvertisingSink, list[Any]]) -> None:
    ad_sink, delivered = sink
    plain = {"day": datetime(2025, 3, 1, tzinfo=UTC), "segment": collections.deque(["shoes"]),
             "class": DataClass.METADATA, "holder": Slotted("boots")}
    ad_sink.accept(plain)
    assert delivered == [plain]
