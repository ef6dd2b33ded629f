"""Consents recorded before wordings were sealed still open, apply and withdraw after upgrade."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, insert, select

from audit import AuditLog
from guard.consents import ConsentBook, TransferConsentBook, transfer_consents, view_consents
from guard.db import open_engine
from guard.policy import Actor, ActorKind, load_policy
from guard.vault import VaultKeyError, VaultKeys, generate_key
from mailguard.cli import cli
from mailguard.migrations import MigrationError, current, head, upgrade
from tests.migrations.schemas import HMAC_KEY

USER = "budi@sentosa.co.id"
WORDING = "I agree that Qontak support may read the message 'Invoice 42 overdue'."
KEY = generate_key()
AGREED = datetime.now(UTC) - timedelta(days=1)


def _plain(wording: str) -> dict[str, str]:
    """Return the wording columns as releases before sealing wrote them."""
    return {"wording": wording, "wording_sha256": hashlib.sha256(wording.encode()).hexdigest()}


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """Return a database at revision 0004 holding consents recorded in plain text."""
    assert upgrade(database_url, "0004") == "0004"
    eng = open_engine(database_url)
    with eng.begin() as conn:
        for consent_id in ("cns_plain", "cns_other"):
            conn.execute(insert(view_consents).values(
                id=consent_id, user=USER, grantee="support", message_ids=["m1", "m2"],
                agreed_at=AGREED, expires_at=AGREED + timedelta(days=30), revoked_at=None,
                **_plain(WORDING)))
        conn.execute(insert(transfer_consents).values(
            id="tcn_plain", user=USER, recipient_id="qontak-crm", agreed_at=AGREED,
            expires_at=None, revoked_at=None, **_plain("Qontak CRM may log this thread.")))
        conn.execute(insert(view_consents).values(
            id="cns_altered", user="someone@example.org", grantee="support",
            message_ids=["m9"], agreed_at=AGREED, expires_at=AGREED + timedelta(days=30),
            revoked_at=None, wording="Altered after agreeing.",
            wording_sha256=hashlib.sha256(b"What was agreed.").hexdigest()))
    yield eng
    eng.dispose()


def test_plain_wordings_are_sealed_by_upgrade_and_read_by_the_guard(database_url, engine):
    assert upgrade(database_url, token_keys=(KEY,)) == head()
    with engine.connect() as conn:
        stored = dict(conn.execute(select(view_consents.c.id, view_consents.c.wording)).all())
    assert WORDING not in stored["cns_plain"]
    assert stored["cns_altered"] == "Altered after agreeing."

    policy, keys = load_policy(), VaultKeys([KEY])
    log = AuditLog.open(database_url, hmac_key=HMAC_KEY)
    try:
        views = ConsentBook(engine, policy, log, keys=keys)
        found = views.get("cns_plain")
        assert found is not None and found.wording == WORDING
        assert found.in_force(datetime.now(UTC))
        assert views.evidence("cns_plain") is not None
        user = Actor(ActorKind.USER, USER)
        assert sorted(c.id for c in views.for_user(USER)) == ["cns_other", "cns_plain"]
        assert views.revoke("cns_other", actor=user).revoked_at is not None
        transfers = TransferConsentBook(engine, policy, log, keys=keys)
        moved = transfers.get("tcn_plain")
        assert moved is not None and moved.wording == "Qontak CRM may log this thread."
        with pytest.raises(VaultKeyError):
            views.get("cns_altered")
    finally:
        log.close()


def test_upgrade_without_the_keys_refuses_and_changes_nothing(database_url, engine):
    with pytest.raises(MigrationError, match="3 consent wordings are stored in plain text"):
        upgrade(database_url)
    assert current(database_url) == "0004"
    with engine.connect() as conn:
        assert conn.execute(select(view_consents.c.wording).where(
            view_consents.c.id == "cns_plain")).scalar() == WORDING


def test_mailguard_db_upgrade_reads_the_keys_from_the_environment(database_url, engine):
    runner = CliRunner()
    refused = runner.invoke(cli, ["db", "upgrade", "--db", database_url],
                            env={"MAILGUARD_TOKEN_KEYS": ""})
    assert refused.exit_code == 1
    assert "set MAILGUARD_TOKEN_KEYS" in refused.output
    done = runner.invoke(cli, ["db", "upgrade", "--db", database_url],
                         env={"MAILGUARD_TOKEN_KEYS": KEY})
    assert done.exit_code == 0, done.output
    assert done.output.strip() == f"database upgraded from 0004 to revision {head()}"
    assert KEY not in refused.output + done.output


def test_a_malformed_key_is_refused_without_being_echoed(database_url, engine):
    bad = "not-a-key-" + KEY[:20]
    done = CliRunner().invoke(cli, ["db", "upgrade", "--db", database_url],
                              env={"MAILGUARD_TOKEN_KEYS": bad})
    assert done.exit_code == 1
    assert done.output.startswith("Error: MAILGUARD_TOKEN_KEYS: token vault key #1 is not")
    assert bad not in done.output
    assert current(database_url) == "0004"
