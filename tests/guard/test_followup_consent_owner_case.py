"""Consents stored with a mixed-case owner before owners were lower-cased are found again.

Before c7c88b9 a consent's owner was stored as the web client gave it; ``for_user`` and
``revoke`` now look it up trimmed and lower-cased, so those consents vanished from their
owner's privacy centre (and could not be withdrawn there). Migration 0006 rewrites them.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, insert, select

from audit import AuditLog
from guard.consents import (
    ConsentBook,
    TransferConsentBook,
    _seal,
    transfer_consents,
    view_consents,
)
from guard.db import open_engine
from guard.policy import Actor, ActorKind, load_policy
from guard.vault import VaultKeys, generate_key
from mailguard.migrations import current, head, upgrade

HMAC_KEY = b"consent-owner-case-hmac-key-0123"
KEY = generate_key()
AGREED = datetime.now(UTC) - timedelta(days=1)
WORDING = "Qontak support may read the message you chose."

#: Owners as earlier releases stored them, and as the guard stores and looks them up now.
OWNERS = {
    "cns_upper": ("Owner@Example.COM", "owner@example.com"),
    "cns_spaced": (" owner@example.com ", "owner@example.com"),
    "cns_plain": ("owner@example.com", "owner@example.com"),
    "cns_accented": ("\u00c9lodie@Example.fr", "\u00e9lodie@example.fr"),
}


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """Return a database at 0005 holding consents with owners as earlier releases wrote."""
    assert upgrade(database_url, "0005", token_keys=(KEY,)) == "0005"
    eng = open_engine(database_url)
    keys = VaultKeys([KEY])
    with eng.begin() as conn:
        for consent_id, (stored, _) in OWNERS.items():
            sealed = _seal(keys, view_consents, consent_id, WORDING)
            conn.execute(insert(view_consents).values(
                id=consent_id, user=stored, grantee="support", message_ids=["m1"],
                wording=sealed.wording, wording_sha256=sealed.wording_sha256,
                agreed_at=AGREED, expires_at=AGREED + timedelta(days=30), revoked_at=None))
        sealed = _seal(keys, transfer_consents, "tcn_upper", "Qontak CRM may log this.")
        conn.execute(insert(transfer_consents).values(
            id="tcn_upper", user="Owner@Example.COM", recipient_id="qontak-crm",
            wording=sealed.wording, wording_sha256=sealed.wording_sha256, agreed_at=AGREED,
            expires_at=None, revoked_at=None))
    yield eng
    eng.dispose()


def test_upgrade_stores_every_owner_lower_cased_and_the_guard_finds_them(
        database_url: str, engine: Engine) -> None:
    assert upgrade(database_url, token_keys=(KEY,)) == head() and current(database_url) \
        == head()
    with engine.connect() as conn:
        owners = dict(conn.execute(select(view_consents.c.id, view_consents.c.user)).all())
        moved = conn.execute(select(transfer_consents.c.user)).scalar_one()
    assert owners == {consent_id: now for consent_id, (_, now) in OWNERS.items()}
    assert moved == "owner@example.com"

    policy, keys = load_policy(), VaultKeys([KEY])
    log = AuditLog.open(database_url, hmac_key=HMAC_KEY)
    try:
        views = ConsentBook(engine, policy, log, keys=keys)
        assert sorted(c.id for c in views.for_user("Owner@Example.com")) == [
            "cns_plain", "cns_spaced", "cns_upper"]
        assert [c.id for c in views.for_user("\u00c9lodie@example.fr")] == ["cns_accented"]
        assert views.get("cns_upper").wording == WORDING  # type: ignore[union-attr]
        owner = Actor(ActorKind.USER, "owner@example.com")
        assert views.revoke("cns_upper", actor=owner).revoked_at is not None
        transfers = TransferConsentBook(engine, policy, log, keys=keys)
        assert [c.id for c in transfers.for_user("owner@example.com")] == ["tcn_upper"]
    finally:
        log.close()

