"""Sharing one message with Qontak support: what the page shows, what is stored, withdrawal."""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta

import pytest

from guard.errors import ConsentRequired
from tests.webclient.conftest import audit_entries, post
from tests.webclient.privacy.conftest import form_fields, page_of, text


def share_path(message_id: str) -> str:
    return f"/u/0/privacy/share/{message_id}"


def agree(client, message_id: str, **changes: str):
    """Open the share page, then agree to it (optionally with tampered fields)."""
    fields = form_fields(page_of(client, share_path(message_id)))
    fields.update(agree="yes")
    fields.update(changes)
    return post(client, share_path(message_id), fields)


def test_the_share_page_shows_what_who_and_until_with_nothing_ticked(signed_in, conversation):
    page = html.unescape(page_of(signed_in, share_path(conversation.first)))
    assert "Invoice 4471 for PT Maju" in page
    assert "Ann Sender <ann@example.org>" in page
    assert "Qontak support staff" in page
    assert "not even the others in the same conversation" in page
    assert '<input type="checkbox" name="agree" value="yes" required>' in page
    assert "checked" not in page.split('name="agree"')[1].split(">")[0]


def test_the_expiry_offered_stays_within_the_policy_maximum(signed_in, conversation, guard):
    now = datetime.now(UTC)
    one_day = form_fields(page_of(signed_in, share_path(conversation.first) + "?days=1"))
    until = datetime.fromisoformat(one_day["until"])
    assert timedelta(hours=23) < until - now <= timedelta(days=1)
    too_long = form_fields(page_of(signed_in, share_path(conversation.first) + "?days=400"))
    assert one_day["digest"] != too_long["digest"]
    assert datetime.fromisoformat(too_long["until"]) - now <= guard.policy.staff.max_consent


def test_nothing_is_stored_without_the_tick(signed_in, conversation, guard, mailbox):
    fields = form_fields(page_of(signed_in, share_path(conversation.first)))
    answer = post(signed_in, share_path(conversation.first), fields)
    assert answer.status_code == 400
    assert "Tick the box to agree" in text(answer)
    assert guard.consents.for_user(mailbox.email) == ()


def test_agreeing_stores_the_exact_wording_for_that_one_message(signed_in, conversation,
                                                                 guard, mailbox):
    page = page_of(signed_in, share_path(conversation.first))
    fields = form_fields(page)
    answer = post(signed_in, share_path(conversation.first), {**fields, "agree": "yes"})
    assert answer.status_code == 302
    [consent] = guard.consents.for_user(mailbox.email)
    assert answer.headers["Location"] == f"/u/0/privacy/#{consent.id}"
    assert consent.message_ids == frozenset({conversation.first})
    assert consent.grantee == "support"
    assert consent.expires_at == datetime.fromisoformat(fields["until"])
    shown = html.unescape(page)
    assert all(line in shown for line in consent.wording.split("\n"))
    assert "Subject: Invoice 4471 for PT Maju" in consent.wording
    [entry] = audit_entries(signed_in.application, mailbox=mailbox.email,
                            action="consent.record")
    assert entry.basis_ref == consent.id
    centre = html.unescape(page_of(signed_in, "/u/0/privacy/"))
    assert consent.id in centre and "Withdraw consent" in centre


def test_the_wording_is_stored_in_the_language_it_was_shown_in(signed_in, conversation, guard,
                                                               mailbox):
    post(signed_in, "/language", {"lang": "id"})
    answer = agree(signed_in, conversation.first)
    assert answer.status_code == 302
    [consent] = guard.consents.for_user(mailbox.email)
    assert consent.wording.startswith("Saya setuju bahwa Staf dukungan Qontak boleh melihat")
    assert "Pusat privasi" in page_of(signed_in, "/u/0/privacy/")


def test_a_form_whose_wording_changed_since_it_was_shown_is_refused(signed_in, conversation,
                                                                    guard, mailbox):
    fields = form_fields(page_of(signed_in, share_path(conversation.first)))
    post(signed_in, "/language", {"lang": "id"})
    answer = post(signed_in, share_path(conversation.first), {**fields, "agree": "yes"})
    assert answer.status_code == 409
    assert guard.consents.for_user(mailbox.email) == ()


@pytest.mark.parametrize("until", [
    lambda now: (now + timedelta(days=90)).isoformat(),
    lambda now: (now - timedelta(days=1)).isoformat(),
    lambda now: "tomorrow",
    lambda now: (now + timedelta(days=1)).replace(tzinfo=None).isoformat(),
])
def test_a_tampered_expiry_stores_nothing(signed_in, conversation, guard, mailbox, until):
    answer = agree(signed_in, conversation.first, until=until(datetime.now(UTC)))
    assert answer.status_code in (400, 409)
    assert guard.consents.for_user(mailbox.email) == ()


def test_the_agent_sees_the_consented_message_and_not_the_one_next_to_it(
        signed_in, conversation, guard, mailbox, support_agent):
    agree(signed_in, conversation.first)
    [consent] = guard.consents.for_user(mailbox.email)
    seen = guard.broker.view_message(support_agent, mailbox=mailbox.email,
                                     message_id=conversation.first, consent_id=consent.id)
    assert seen.headers.subject == "Invoice 4471 for PT Maju"
    with pytest.raises(ConsentRequired):
        guard.broker.view_message(support_agent, mailbox=mailbox.email,
                                  message_id=conversation.second, consent_id=consent.id)


def test_withdrawing_stops_the_agent_at_once(signed_in, conversation, guard, mailbox,
                                             support_agent):
    agree(signed_in, conversation.first)
    [consent] = guard.consents.for_user(mailbox.email)
    answer = post(signed_in, f"/u/0/privacy/consents/{consent.id}/withdraw",
                  follow_redirects=True)
    assert answer.status_code == 200
    assert "Consent withdrawn" in text(answer)
    assert "withdrawn on" in text(answer)
    assert guard.consents.get(consent.id).revoked_at is not None
    with pytest.raises(ConsentRequired):
        guard.broker.view_message(support_agent, mailbox=mailbox.email,
                                  message_id=conversation.first, consent_id=consent.id)
    assert audit_entries(signed_in.application, mailbox=mailbox.email, action="consent.revoke",
                         basis_ref=consent.id)


def test_withdrawing_a_consent_that_is_not_yours_is_a_404(signed_in, guard, mailbox):
    from guard.policy import Actor, ActorKind

    other = guard.consents.record(actor=Actor(kind=ActorKind.USER, id="someone@else.test"),
                                  grantee="support", message_ids=["m1"], wording="Agreed.")
    answer = post(signed_in, f"/u/0/privacy/consents/{other.id}/withdraw")
    assert answer.status_code == 404
    assert guard.consents.get(other.id).revoked_at is None
    assert post(signed_in, "/u/0/privacy/consents/cns_nothing/withdraw").status_code == 404


def test_a_message_that_is_not_in_the_mailbox_is_a_404(signed_in):
    assert signed_in.get(share_path("ffffffffffffffff")).status_code == 404


def test_an_account_that_is_not_connected_is_a_404(signed_in):
    assert signed_in.get("/u/3/privacy/").status_code == 404
    assert signed_in.get("/u/3/privacy/history").status_code == 404


@pytest.mark.parametrize("path", ["/u/0/privacy/", "/u/0/privacy/history",
                                  "/u/0/privacy/share/abc", "/u/0/privacy/crm/abc"])
def test_visitors_who_are_not_signed_in_get_the_sign_in_page(client, path):
    answer = client.get(path)
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/auth/signin")


def test_the_message_view_links_to_sharing_and_to_the_crm(signed_in, conversation):
    page = page_of(signed_in, f"/u/0/t/{conversation.thread_id}")
    assert f"/u/0/privacy/share/{conversation.first}" in page
    assert f"/u/0/privacy/crm/{conversation.thread_id}" in page
    assert "Share with Qontak support" in page and "/u/0/privacy/" in page


def test_privacy_pages_are_not_cached(signed_in, conversation):
    answer = signed_in.get(share_path(conversation.first))
    assert answer.headers["Cache-Control"] == "no-store"


def test_withdrawing_twice_says_it_was_already_withdrawn(signed_in, conversation, guard,
                                                        mailbox):
    agree(signed_in, conversation.first)
    [consent] = guard.consents.for_user(mailbox.email)
    path = f"/u/0/privacy/consents/{consent.id}/withdraw"
    first = post(signed_in, path, follow_redirects=True)
    again = post(signed_in, path, follow_redirects=True)
    assert "Consent withdrawn" in text(first)
    assert again.status_code == 200 and "already withdrawn" in text(again)
    assert "Consent withdrawn" not in text(again)
