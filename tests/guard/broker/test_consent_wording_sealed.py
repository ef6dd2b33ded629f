"""The wording a user was shown is kept sealed at rest, bound to its consent, and rotatable."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, Table, select, update

from audit import AuditLog
from guard.consents import (
    ConsentBook,
    TransferConsentBook,
    view_consents,
)
from guard.consents import (
    transfer_consents as transfer_table,
)
from guard.keys_cli import keys
from guard.policy import Policy
from guard.vault import VaultKeyError, VaultKeys, generate_key
from tests.guard.broker.conftest import VAULT_KEY, Clock, user_actor

SUBJECT = "Kontrak rahasia 7731 untuk PT Sentosa"
WORDING = f"I agree that Qontak support may read: Subject: {SUBJECT} From: budi@sentosa.co.id"
CRM = "qontak-crm"


def _stored(engine: Engine, consent_id: str, table: Table = view_consents) -> tuple[str, str]:
    with engine.connect() as conn:
        row = conn.execute(select(table.c.wording, table.c.wording_sha256)
                           .where(table.c.id == consent_id)).one()
    return row.wording, row.wording_sha256


def _record_both(consents: ConsentBook, transfer_consents: TransferConsentBook
                 ) -> tuple[str, str]:
    view = consents.record(actor=user_actor(), grantee="support", message_ids=["m1"],
                           wording=WORDING)
    transfer = transfer_consents.record(actor=user_actor(), recipient_id=CRM, wording=WORDING)
    return view.id, transfer.id


def test_the_stored_wording_is_sealed_and_opens_for_every_reader(
        engine: Engine, consents: ConsentBook, transfer_consents: TransferConsentBook,
        vault_keys: VaultKeys) -> None:
    view_id, transfer_id = _record_both(consents, transfer_consents)
    for consent_id, table in ((view_id, view_consents), (transfer_id, transfer_table)):
        sealed, mac = _stored(engine, consent_id, table)
        assert sealed.startswith(f"v1:{vault_keys.newest_id}:")
        assert SUBJECT not in sealed and "sentosa" not in sealed.lower()
        # Not a plain hash: a guessed wording cannot be confirmed without the key.
        assert mac != hashlib.sha256(WORDING.encode()).hexdigest()
        assert len(mac) == 64
    assert consents.get(view_id).wording == WORDING  # type: ignore[union-attr]
    assert [c.wording for c in consents.for_user(user_actor().id)] == [WORDING]
    assert consents.revoke(view_id, actor=user_actor()).wording == WORDING
    assert transfer_consents.get(transfer_id).wording == WORDING  # type: ignore[union-attr]
    assert [c.wording for c in transfer_consents.for_user(user_actor().id)] == [WORDING]
    assert transfer_consents.revoke(transfer_id, actor=user_actor()).wording == WORDING
    assert SUBJECT not in repr(consents.get(view_id))


def test_the_database_file_holds_no_wording(tmp_path, policy: Policy, clock: Clock) -> None:
    from guard.db import create_schema, open_engine

    db = tmp_path / "consents.db"
    engine = open_engine(f"sqlite:///{db}")
    create_schema(engine)
    log = AuditLog.open(f"sqlite:///{db}", hmac_key=b"k" * 32, clock=clock)
    try:
        book = ConsentBook(engine, policy, log, keys=VaultKeys([VAULT_KEY]), clock=clock)
        book.record(actor=user_actor(), grantee="support", message_ids=["m1"], wording=WORDING)
    finally:
        log.close()
        engine.dispose()
    raw = db.read_bytes()
    assert SUBJECT.encode() not in raw and b"budi@sentosa" not in raw


def test_a_wording_moved_to_another_consent_does_not_open(
        engine: Engine, consents: ConsentBook) -> None:
    first = consents.record(actor=user_actor(), grantee="support", message_ids=["m1"],
                            wording=WORDING)
    second = consents.record(actor=user_actor(), grantee="support", message_ids=["m2"],
                             wording="I agree that Qontak support may read another message")
    sealed, mac = _stored(engine, first.id)
    with engine.begin() as conn:
        conn.execute(update(view_consents).where(view_consents.c.id == second.id)
                     .values(wording=sealed, wording_sha256=mac))
    with pytest.raises(VaultKeyError, match="moved to another row"):
        consents.get(second.id)
    assert consents.get(first.id).wording == WORDING  # type: ignore[union-attr]


def test_a_wording_moved_between_the_two_tables_does_not_open(
        engine: Engine, consents: ConsentBook, transfer_consents: TransferConsentBook) -> None:
    view_id, transfer_id = _record_both(consents, transfer_consents)
    sealed, mac = _stored(engine, view_id)
    with engine.begin() as conn:
        conn.execute(update(transfer_table).where(transfer_table.c.id == transfer_id)
                     .values(id=view_id, wording=sealed, wording_sha256=mac))
    with pytest.raises(VaultKeyError, match="moved to another row"):
        transfer_consents.get(view_id)


@pytest.mark.parametrize("tamper", ["clear", "mac"])
def test_an_unsealed_or_altered_row_is_refused(engine: Engine, consents: ConsentBook,
                                               tamper: str) -> None:
    made = consents.record(actor=user_actor(), grantee="support", message_ids=["m1"],
                           wording=WORDING)
    values = ({"wording": WORDING} if tamper == "clear"
              else {"wording_sha256": hmac.new(b"guess", WORDING.encode(), "sha256").hexdigest()})
    with engine.begin() as conn:
        conn.execute(update(view_consents).where(view_consents.c.id == made.id).values(**values))
    with pytest.raises(VaultKeyError, match="not sealed text" if tamper == "clear"
                       else "does not match"):
        consents.get(made.id)


def test_keys_rotate_re_seals_consent_wordings(engine: Engine, db_url: str, policy: Policy,
                                               audit_log: AuditLog, clock: Clock) -> None:
    old, new = generate_key(), generate_key()
    old_keys = VaultKeys([old])
    view_id, transfer_id = _record_both(
        ConsentBook(engine, policy, audit_log, keys=old_keys, clock=clock),
        TransferConsentBook(engine, policy, audit_log, keys=old_keys, clock=clock))
    runner = CliRunner()
    result = runner.invoke(keys, ["rotate", "--database-url", db_url],
                           env={"MAILGUARD_TOKEN_KEYS": f"{new},{old}"})
    assert result.exit_code == 0, result.output
    assert "re-sealed 2 of 2 consent wordings; 0 were current" in result.output
    assert "no row uses an older key" in result.output
    new_keys = VaultKeys([new])
    assert _stored(engine, view_id)[0].startswith(f"v1:{new_keys.newest_id}:")
    assert ConsentBook(engine, policy, audit_log, keys=new_keys,
                       clock=clock).get(view_id).wording == WORDING  # type: ignore[union-attr]
    assert TransferConsentBook(engine, policy, audit_log, keys=new_keys, clock=clock
                               ).get(transfer_id).wording == WORDING  # type: ignore[union-attr]
    again = runner.invoke(keys, ["rotate", "--database-url", db_url],
                          env={"MAILGUARD_TOKEN_KEYS": new})
    assert again.exit_code == 0, again.output
    assert "re-sealed 0 of 2 consent wordings; 2 were current" in again.output


def test_keys_rotate_fails_when_a_wording_key_is_missing(
        engine: Engine, db_url: str, consents: ConsentBook) -> None:
    consents.record(actor=user_actor(), grantee="support", message_ids=["m1"], wording=WORDING)
    result = CliRunner().invoke(keys, ["rotate", "--database-url", db_url],
                                env={"MAILGUARD_TOKEN_KEYS": generate_key()})
    assert result.exit_code == 1
    assert "not configured" in result.output
    assert SUBJECT not in result.output
