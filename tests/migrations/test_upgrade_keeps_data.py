"""A deployment at the first revision keeps its accounts, tokens, consents, grants and log.

The rows are written as that revision's code wrote them (consent wordings in plain text
beside their SHA-256); after ``mailguard db upgrade`` today's guard opens on the database
and reads every one, and the audit log verifies against a checkpoint exported before.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from click.testing import CliRunner
from sqlalchemy import insert

from audit import AuditEvent, AuditLog
from guard.accounts import connected_accounts
from guard.consents import view_consents
from guard.db import open_engine
from guard.grants import grants
from guard.mail_cache import cache_state
from guard.policy import AccessBasis
from guard.service import Guard
from guard.settings import GuardSettings, OAuthClient
from guard.vault import StoredTokens, TokenVault, VaultKeys, generate_key
from mailguard.cli import cli
from mailguard.migrations import head, upgrade
from tests.migrations.schemas import HMAC_KEY

USER = "siti@sentosa.co.id"
WORDING = "I agree that Qontak support may read my message 'Order 7781'."
KEY = generate_key()
NOW = datetime.now(UTC)


def _fill_at_first_revision(url: str, signing_key: str, exported: str) -> None:
    """Write one deployment's rows into a database at revision 0001."""
    engine = open_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(insert(connected_accounts).values(
                user_id=USER, mailbox=USER, connected_at=NOW - timedelta(days=3),
                granted_scopes="https://www.googleapis.com/auth/gmail.modify openid",
                needs_reconnect=False))
            conn.execute(insert(view_consents).values(
                id="cns_first", user=USER, grantee="support", message_ids=["m1"],
                wording=WORDING, wording_sha256=hashlib.sha256(WORDING.encode()).hexdigest(),
                agreed_at=NOW - timedelta(days=1), expires_at=NOW + timedelta(days=20),
                revoked_at=None))
            conn.execute(insert(grants).values(
                id="grt_first", staff_id="alice@qontak.com", role="security",
                basis=AccessBasis.SECURITY.value, mailbox=USER, case_id="SEC-7",
                category="security_incident", legal_ref=None,
                requested_at=NOW - timedelta(hours=2), expires_at=NOW + timedelta(hours=20),
                pending_until=None, approved_by="bob@qontak.com",
                approved_at=NOW - timedelta(hours=1), revoked_at=None, revoked_by=None))
            conn.execute(insert(cache_state).values(
                mailbox=USER, history_id="1020", page_size=50, next_page_token=None,
                result_size_estimate=11, synced_at=NOW - timedelta(minutes=5)))
        TokenVault(engine, VaultKeys([KEY]), lambda: NOW).put(
            USER, StoredTokens(refresh_token="1//refresh-first", access_token="ya29.first",
                               expiry=NOW + timedelta(minutes=30), scopes=("openid",)))
    finally:
        engine.dispose()
    log = AuditLog.open(url, hmac_key=HMAC_KEY, signing_key=signing_key)
    try:
        for n in range(7):
            log.append(AuditEvent.from_dict({
                "actor_kind": "user", "actor_id": USER, "mailbox": USER,
                "action": "message.get", "purpose": "email.read", "decision": "allow",
                "rule_id": "owner", "policy_version": "p1", "request_id": f"r{n}"}))
        log.checkpoint()
        log.export_checkpoint(exported)
    finally:
        log.close()


def test_a_deployment_at_the_first_revision_is_read_whole_after_upgrade(database_url, tmp_path):
    signing_key, exported = str(tmp_path / "signing.key"), tmp_path / "checkpoint.txt"
    assert upgrade(database_url, "0001") == "0001"
    _fill_at_first_revision(database_url, signing_key, str(exported))

    done = CliRunner().invoke(cli, ["db", "upgrade", "--db", database_url],
                              env={"MAILGUARD_TOKEN_KEYS": KEY})
    assert done.exit_code == 0, done.output
    assert done.output.strip() == f"database upgraded from 0001 to revision {head()}"

    settings = GuardSettings(
        database_url=database_url, token_keys=(KEY,), audit_hmac_key=HMAC_KEY,
        audit_signing_key_path=signing_key,
        oauth_client=OAuthClient.for_root("http://127.0.0.1:9/", client_id="c",
                                          client_secret="s"),
        gmail_root_url="http://127.0.0.1:9/")
    with Guard.open(settings) as guard:
        [account] = guard.accounts.list_for(USER)
        assert not account.needs_reconnect
        assert guard.accounts.credentials_for(USER).refresh_token == "1//refresh-first"
        consent = guard.consents.get("cns_first")
        assert consent is not None and consent.wording == WORDING
        assert consent.in_force(datetime.now(UTC))
        grant = guard.grants.get("grt_first")
        assert grant is not None and guard.grants.status(grant).value == "active"
        assert guard.cache is not None and guard.cache.state(USER) is not None
        report = guard.audit.verify([exported.read_text()])
        assert report.ok, report.problems
        assert report.size == 7
        latest = guard.audit.latest_checkpoint()
        assert latest is not None and latest.size == 7
