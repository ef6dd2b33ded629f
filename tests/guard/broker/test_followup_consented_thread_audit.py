"""A consented thread view records exactly what the staff member saw, and fetches no more.

The broker used to fetch every consented message in full (up to 500) to find those of the
thread, each recorded as a staff ``messages.get``, so the log (and the owner's access
history) said staff had seen messages they never saw. Now it reads only the consented
messages' thread ids (``format=minimal``, recorded as ``messages.thread_ids``) and fetches,
and records as viewed, exactly the messages it shows.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

import pytest
import requests

from audit import AuditQuery, ResourceKind
from fakegmail.pytest_plugin import FakeGmailAccount
from guard.broker import AccessBroker
from guard.errors import ConsentRequired
from guard.mail_decisions import THREAD_IDS_ACTION
from guard.policy import Actor
from guard.policy.vocabulary import INVESTIGATION_ACTIONS
from guard.service import Guard
from tests.guard.broker.conftest import ADMIN, staff_actor
from tests.guard.mail.conftest import (  # noqa: F401 - fixtures used here
    add_message,
    guard,
    owner,
    sleeps,
)

SUPPORT = staff_actor("sam@qontak.com", "support")


@pytest.fixture
def broker(guard: Guard) -> AccessBroker:  # noqa: F811 - the fixture above
    guard.staff.add(SUPPORT.id, roles=["support"], by=ADMIN)
    return guard.broker


@pytest.fixture
def gmail_requests(guard: Guard) -> Iterator[list[str]]:  # noqa: F811
    """Record every request the guard sends Gmail (a batch's parts one by one)."""
    seen: list[str] = []

    def hook(response: requests.Response, *args: Any, **kwargs: Any) -> None:
        request = response.request
        body = request.body or b""
        text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
        parts = [line for line in text.splitlines() if line.startswith("GET ")]
        seen.extend(unquote(p) for p in parts) if parts else seen.append(
            f"{request.method} {unquote(request.url or '')}")

    guard.http_session.hooks["response"].append(hook)
    yield seen
    guard.http_session.hooks["response"].remove(hook)


def _message_id(subject: str, body: str) -> str:
    """Return the Message-ID ``add_message`` gives a message (see its conftest)."""
    return f"<{abs(hash(subject))}.{len(body)}@example.org>"


def _fetched_in_full(seen: list[str], message_id: str) -> bool:
    return any(f"/messages/{message_id}" in line and "format=minimal" not in line
               for line in seen)


def test_the_log_names_as_seen_exactly_the_messages_shown(
        guard: Guard, broker: AccessBroker, owner: Actor,  # noqa: F811
        account: FakeGmailAccount, gmail_requests: list[str]) -> None:
    opening = "Please see the invoice."
    first = add_message(account, subject="Invoice 77", body=opening)
    threading = (f"In-Reply-To: {_message_id('Invoice 77', opening)}\r\n"
                 f"References: {_message_id('Invoice 77', opening)}\r\n")
    private = add_message(account, subject="Re: Invoice 77", body="My card number is...",
                          extra_headers=threading)
    answer = add_message(account, subject="Re: Invoice 77", body="Paid, thanks.",
                         extra_headers=threading)
    elsewhere = [add_message(account, subject=f"Lunch {n}", body=f"Noon on day {n}?")
                 for n in range(3)]
    assert first.thread_id == private.thread_id == answer.thread_id
    assert all(m.thread_id != first.thread_id for m in elsewhere)
    consented = [first.id, answer.id, *(m.id for m in elsewhere)]
    consent = guard.consents.record(actor=owner, grantee="support", message_ids=consented,
                                    wording="Support may read the invoice and lunch notes")

    thread = broker.view_thread(SUPPORT, mailbox=owner.id, thread_id=first.thread_id,
                                consent_id=consent.id, request_id="req-view")

    shown = {m.id for m in thread.messages}
    assert shown == {first.id, answer.id}
    logged = list(guard.audit.query(AuditQuery(request_id="req-view")))
    seen = [e for e in logged if e.action in INVESTIGATION_ACTIONS]
    assert seen and all(e.decision == "allow" for e in seen)
    assert {r.id for e in seen for r in e.resources if r.kind is ResourceKind.MESSAGE} \
        == shown
    assert sorted(r.id for e in seen if e.action == "messages.get"
                  for r in e.resources if r.kind is ResourceKind.MESSAGE) == sorted(shown)
    lookups = [e for e in logged if e.action == THREAD_IDS_ACTION]
    assert lookups and all(e.basis_ref == consent.id for e in lookups)
    assert {r.id for r in lookups[-1].resources if r.kind is ResourceKind.MESSAGE} \
        == set(consented)
    assert {e.action for e in logged} == {"threads.get", "messages.get", THREAD_IDS_ACTION}
    # Content was fetched only for what was shown; the rest gave its thread id alone.
    assert not any(_fetched_in_full(gmail_requests, m.id) for m in (*elsewhere, private))
    assert _fetched_in_full(gmail_requests, first.id)
    assert _fetched_in_full(gmail_requests, answer.id)


def test_a_thread_with_no_consented_message_is_refused_having_fetched_no_content(
        guard: Guard, broker: AccessBroker, owner: Actor,  # noqa: F811
        account: FakeGmailAccount, gmail_requests: list[str]) -> None:
    inside = add_message(account, subject="Contract", body="Signed copy attached.")
    outside = add_message(account, subject="Holiday", body="Back on Monday.")
    consent = guard.consents.record(actor=owner, grantee="support", message_ids=[outside.id],
                                    wording="Support may read the holiday note")
    with pytest.raises(ConsentRequired) as caught:
        broker.view_thread(SUPPORT, mailbox=owner.id, thread_id=inside.thread_id,
                           consent_id=consent.id, request_id="req-refused")
    assert caught.value.rule_id == "consent.thread_not_covered"
    logged = list(guard.audit.query(AuditQuery(request_id="req-refused")))
    assert not [e for e in logged if e.action in INVESTIGATION_ACTIONS
                and e.decision == "allow"]
    assert not _fetched_in_full(gmail_requests, outside.id)
