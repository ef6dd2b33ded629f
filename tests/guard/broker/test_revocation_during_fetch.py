"""A consent or grant revoked while Gmail is answering a staff view: nothing is shown.

Reproduces: the broker loaded the evidence once and handed that copy to every fetch of a
view, so a consented thread whose consent the user withdrew after its first message came
back went on to fetch the rest, each recorded as allowed under ``consent.allowed`` though
the consent had been revoked; and a view whose evidence was revoked while Gmail answered
handed the data over anyway. Now each fetch is decided on evidence read fresh, and the
evidence is read once more after the last fetch: revoked by then, the view is refused
(recorded) and the staff member gets nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
import requests

from audit import AuditQuery, ResourceKind
from fakegmail.pytest_plugin import FakeGmailAccount
from guard.broker import AccessBroker
from guard.errors import ConsentRequired, GrantRequired
from guard.policy import AccessBasis, Actor, GrantReference
from guard.service import Guard
from tests.guard.broker.conftest import ADMIN, staff_actor
from tests.guard.mail.conftest import (  # noqa: F401 - fixtures used here
    add_message,
    guard,
    owner,
    sleeps,
)

SUPPORT = staff_actor("sam@qontak.com", "support")
SEC1 = staff_actor("sec1@qontak.com", "security")
SEC2 = staff_actor("sec2@qontak.com", "security")


@pytest.fixture
def broker(guard: Guard) -> AccessBroker:  # noqa: F811 - the fixture above
    guard.staff.add(SUPPORT.id, roles=["support"], by=ADMIN)
    guard.staff.add(SEC1.id, roles=["security"], by=ADMIN)
    guard.staff.add(SEC2.id, roles=["security"], by=ADMIN)
    return guard.broker


class Fetches:
    """Record the Gmail paths the guard fetched in full, and run ``on_fetch`` on the first
    full fetch whose path holds ``trigger`` (the user withdrawing at that moment)."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        self.trigger: str | None = None
        self.on_fetch: Callable[[], None] | None = None

    def __call__(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        url = unquote(response.request.url or "")
        if "format=minimal" in url:
            return
        path = urlsplit(url).path
        self.paths.append(path)
        if self.trigger is not None and self.trigger in path and self.on_fetch is not None:
            action, self.on_fetch = self.on_fetch, None
            action()


@pytest.fixture
def fetches(guard: Guard) -> Iterator[Fetches]:  # noqa: F811
    seen = Fetches()
    guard.http_session.hooks["response"].append(seen)
    yield seen
    guard.http_session.hooks["response"].remove(seen)


def _thread_of_three(account: FakeGmailAccount) -> list[Any]:
    opening = "Please see the invoice."
    first = add_message(account, subject="Invoice 91", body=opening)
    reply_to = f"<{abs(hash('Invoice 91'))}.{len(opening)}@example.org>"
    threading = f"In-Reply-To: {reply_to}\r\nReferences: {reply_to}\r\n"
    rest = [add_message(account, subject="Re: Invoice 91", body=f"Answer number {n}.",
                        extra_headers=threading) for n in range(2)]
    messages = [first, *rest]
    assert len({m.thread_id for m in messages}) == 1
    return messages


def test_a_consent_withdrawn_during_a_thread_view_stops_it(
        guard: Guard, broker: AccessBroker, owner: Actor,  # noqa: F811
        account: FakeGmailAccount, fetches: Fetches) -> None:
    messages = _thread_of_three(account)
    consent = guard.consents.record(actor=owner, grantee="support",
                                    message_ids=[m.id for m in messages],
                                    wording="Support may read the invoice thread")
    first = min(m.id for m in messages)
    fetches.trigger = f"/messages/{first}"
    fetches.on_fetch = lambda: guard.consents.revoke(consent.id, actor=owner)

    with pytest.raises(ConsentRequired) as caught:
        broker.view_thread(SUPPORT, mailbox=owner.id, thread_id=messages[0].thread_id,
                           consent_id=consent.id, request_id="req-withdrawn")

    assert caught.value.rule_id == "consent.revoked"
    later = [m.id for m in messages if m.id != first]
    assert not [p for p in fetches.paths if any(p.endswith(f"/messages/{m}") for m in later)]
    logged = list(guard.audit.query(AuditQuery(request_id="req-withdrawn")))
    revoked_at = guard.consents.get(consent.id).revoked_at  # type: ignore[union-attr]
    assert revoked_at is not None
    # No view is recorded as allowed once the consent was withdrawn.
    allowed_after = [e for e in logged if e.decision == "allow" and e.action == "messages.get"
                     and {r.id for r in e.resources if r.kind is ResourceKind.MESSAGE}
                     & set(later)]
    assert allowed_after == []
    assert any(e.decision == "deny" and e.rule_id == "consent.revoked" for e in logged)


def test_a_consent_withdrawn_while_gmail_answers_a_message_view_shows_nothing(
        guard: Guard, broker: AccessBroker, owner: Actor,  # noqa: F811
        account: FakeGmailAccount, fetches: Fetches) -> None:
    message = add_message(account, subject="Receipt", body="Total 10 EUR.")
    consent = guard.consents.record(actor=owner, grantee="support", message_ids=[message.id],
                                    wording="Support may read the receipt")
    fetches.trigger = f"/messages/{message.id}"
    fetches.on_fetch = lambda: guard.consents.revoke(consent.id, actor=owner)

    with pytest.raises(ConsentRequired) as caught:
        broker.view_message(SUPPORT, mailbox=owner.id, message_id=message.id,
                            consent_id=consent.id, request_id="req-late")

    assert caught.value.rule_id == "consent.revoked"
    [refusal] = [e for e in guard.audit.query(AuditQuery(request_id="req-late"))
                 if e.decision == "deny"]
    assert (refusal.rule_id, refusal.basis_ref, refusal.action) == (
        "consent.revoked", consent.id, "messages.get")
    assert {r.id for r in refusal.resources if r.kind is ResourceKind.MESSAGE} == {message.id}


def test_a_grant_revoked_while_gmail_answers_a_thread_view_shows_nothing(
        guard: Guard, broker: AccessBroker, owner: Actor,  # noqa: F811
        account: FakeGmailAccount, fetches: Fetches) -> None:
    message = add_message(account, subject="Suspicious", body="Click here.")
    grant = guard.grants.request(actor=SEC1, mailbox=owner.id, basis=AccessBasis.SECURITY,
                                 reference=GrantReference(case_id="CASE-9", category="abuse"))
    guard.grants.approve(grant.id, actor=SEC2)
    fetches.trigger = f"/threads/{message.thread_id}"
    fetches.on_fetch = lambda: guard.grants.revoke(grant.id, actor=SEC2)

    with pytest.raises(GrantRequired) as caught:
        broker.view_thread(SEC1, mailbox=owner.id, thread_id=message.thread_id,
                           grant_id=grant.id, request_id="req-grant")

    assert caught.value.rule_id == "grant.revoked"
    [refusal] = [e for e in guard.audit.query(AuditQuery(request_id="req-grant"))
                 if e.decision == "deny"]
    assert (refusal.rule_id, refusal.basis_ref) == ("grant.revoked", grant.id)
