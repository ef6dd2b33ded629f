"""Consents as an integrator records them: other time zones, mixed-case owners, bad ids."""

from __future__ import annotations

from datetime import UTC, timedelta, timezone

import pytest

from guard.broker import AccessBroker
from guard.consents import ConsentBook, InvalidConsent, TransferConsentBook
from guard.errors import ConsentRequired
from tests.guard.broker.conftest import USER, Clock, StandInMail, staff_actor, user_actor

SUPPORT = staff_actor("sam@qontak.com", "support")
JAKARTA = timezone(timedelta(hours=7))
WORDING = "I let Qontak support read this message"


def test_an_expiry_given_in_another_time_zone_ends_the_consent_at_that_instant(
        consents: ConsentBook, broker: AccessBroker, clock: Clock) -> None:
    expiry = (clock.now + timedelta(hours=1)).astimezone(JAKARTA)
    consent = consents.record(actor=user_actor(), grantee="support", message_ids=["m1"],
                              wording=WORDING, expires_at=expiry)

    assert consents.get(consent.id).expires_at == expiry  # type: ignore[union-attr]
    broker.view_message(SUPPORT, mailbox=USER, message_id="m1", consent_id=consent.id)
    clock.advance(hours=2)
    with pytest.raises(ConsentRequired) as refused:
        broker.view_message(SUPPORT, mailbox=USER, message_id="m1", consent_id=consent.id)
    assert refused.value.rule_id == "consent.expired"


def test_a_transfer_consent_expiry_in_another_time_zone_is_kept_as_that_instant(
        transfer_consents: TransferConsentBook, clock: Clock) -> None:
    expiry = (clock.now + timedelta(hours=1)).astimezone(JAKARTA)
    consent = transfer_consents.record(actor=user_actor(), recipient_id="qontak-crm",
                                       wording="Log my conversations to Qontak CRM",
                                       expires_at=expiry)

    stored = transfer_consents.get(consent.id)
    assert stored is not None and stored.expires_at == expiry
    assert stored.expires_at.utcoffset() == timedelta(0)


def test_a_mixed_case_owner_finds_and_revokes_their_consent_under_any_case(
        consents: ConsentBook, broker: AccessBroker) -> None:
    consent = consents.record(actor=user_actor("Owner@Example.COM"), grantee="support",
                              message_ids=["m1"], wording=WORDING)

    assert consent.user == USER
    assert [c.id for c in consents.for_user(USER)] == [consent.id]
    assert [c.id for c in consents.for_user(" OWNER@example.com ")] == [consent.id]
    consents.revoke(consent.id, actor=user_actor(USER))
    with pytest.raises(ConsentRequired) as refused:
        broker.view_message(SUPPORT, mailbox=USER, message_id="m1", consent_id=consent.id)
    assert refused.value.rule_id == "consent.revoked"


def test_a_mixed_case_owner_finds_and_revokes_their_transfer_consent(
        transfer_consents: TransferConsentBook) -> None:
    consent = transfer_consents.record(actor=user_actor("Owner@Example.COM"),
                                       recipient_id="qontak-crm",
                                       wording="Log my conversations to Qontak CRM")

    assert [c.id for c in transfer_consents.for_user(USER)] == [consent.id]
    revoked = transfer_consents.revoke(consent.id, actor=user_actor(USER))
    assert revoked.revoked_at is not None


@pytest.mark.parametrize("ids", ["m1", b"m1"], ids=["str", "bytes"])
def test_message_ids_given_as_one_string_are_refused_not_split_into_characters(
        consents: ConsentBook, ids: object, mail: StandInMail) -> None:
    with pytest.raises(InvalidConsent, match="list"):
        consents.record(actor=user_actor(), grantee="support", message_ids=ids,  # type: ignore[arg-type]
                        wording=WORDING)
    assert consents.for_user(USER) == ()


def test_a_non_string_message_id_is_refused_with_a_clear_error(consents: ConsentBook) -> None:
    with pytest.raises(InvalidConsent, match="message id"):
        consents.record(actor=user_actor(), grantee="support", message_ids=["m1", 7],  # type: ignore[list-item]
                        wording=WORDING)
    assert consents.for_user(USER) == ()


def test_a_naive_expiry_is_refused_and_nothing_is_stored(consents: ConsentBook,
                                                         clock: Clock) -> None:
    naive = (clock.now + timedelta(hours=1)).astimezone(UTC).replace(tzinfo=None)
    with pytest.raises(InvalidConsent, match="timezone-aware"):
        consents.record(actor=user_actor(), grantee="support", message_ids=["m1"],
                        wording=WORDING, expires_at=naive)
    assert consents.for_user(USER) == ()


def test_a_consent_naming_more_messages_than_one_audit_entry_holds_is_refused_clearly(
        consents: ConsentBook) -> None:
    with pytest.raises(InvalidConsent, match="at most 500 messages"):
        consents.record(actor=user_actor(), grantee="support",
                        message_ids=[f"{n:016x}" for n in range(1000)], wording=WORDING)
    assert consents.for_user(USER) == ()


def test_a_consent_of_the_most_messages_allowed_is_recorded_and_viewable(
        consents: ConsentBook, broker: AccessBroker) -> None:
    ids = [f"{n:016x}" for n in range(500)]
    consent = consents.record(actor=user_actor(), grantee="support", message_ids=ids,
                              wording=WORDING)
    broker.view_message(SUPPORT, mailbox=USER, message_id=ids[-1], consent_id=consent.id)
