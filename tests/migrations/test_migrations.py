"""Migrations build exactly what create_all builds, adopt old databases and change nothing twice."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from audit import AuditEvent, AuditLog
from guard.service import Guard
from guard.settings import GuardSettings, OAuthClient
from guard.vault import generate_key
from mailguard.cli import cli
from mailguard.migrations import current, head, upgrade
from tests.migrations.schemas import HMAC_KEY, create_all, schema_of


def test_upgrade_of_an_empty_database_builds_what_create_all_builds(database_url, reference_url):
    assert current(database_url) is None
    assert upgrade(database_url) == head()
    migrated, reference = schema_of(database_url), schema_of(reference_url)
    assert migrated["tables"].keys() == reference["tables"].keys()
    for table in reference["tables"]:
        assert migrated["tables"][table] == reference["tables"][table], table
    assert migrated["objects"] == reference["objects"]
    assert migrated["head"] == reference["head"] == [(1, 0)]
    assert {"webclient_trusted_senders", "guard_oauth_tokens", "audit_entries", "consents",
            "grants", "staff_members", "guard_thread_cache"} <= migrated["tables"].keys()


def test_the_audit_triggers_of_a_migrated_database_refuse_rewrites(database_url):
    upgrade(database_url)
    log = AuditLog.open(database_url, hmac_key=HMAC_KEY)
    try:
        log.append(AuditEvent.from_dict({
            "actor_kind": "system", "actor_id": "sync", "mailbox": "a@example.com",
            "action": "message.list", "purpose": "email.sync", "decision": "allow",
            "rule_id": "sync", "policy_version": "p1"}))
    finally:
        log.close()
    engine = create_engine(database_url)
    try:
        for sql in ("UPDATE audit_entries SET action = 'x'", "DELETE FROM audit_entries",
                    "UPDATE audit_head SET size = 0", "DELETE FROM audit_head",
                    "UPDATE audit_meta SET value = 'x'", "DELETE FROM audit_meta"):
            with pytest.raises(Exception, match="append-only|only grows"), \
                    engine.begin() as conn:
                conn.execute(text(sql))
    finally:
        engine.dispose()


def test_upgrade_adopts_a_database_made_by_create_all_and_keeps_its_data(database_url):
    create_all(database_url)
    log = AuditLog.open(database_url, hmac_key=HMAC_KEY)
    try:
        for n in range(5):
            log.append(AuditEvent.from_dict({
                "actor_kind": "user", "actor_id": f"u{n}@example.com",
                "mailbox": f"u{n}@example.com", "action": "message.get",
                "purpose": "email.read", "decision": "allow", "rule_id": "owner",
                "policy_version": "p1"}))
    finally:
        log.close()
    before = schema_of(database_url)
    assert current(database_url) is None
    assert upgrade(database_url) == head()
    assert schema_of(database_url) == before
    log = AuditLog.open(database_url, hmac_key=HMAC_KEY)
    try:
        report = log.verify()
        assert report.ok, report.problems
        assert report.size == 5
    finally:
        log.close()


def test_upgrade_completes_a_database_that_has_only_the_audit_log(database_url, reference_url):
    AuditLog.open(database_url, hmac_key=HMAC_KEY).close()
    assert "grants" not in schema_of(database_url)["tables"]
    upgrade(database_url)
    assert schema_of(database_url) == schema_of(reference_url)


def test_guard_and_audit_log_create_nothing_on_a_migrated_database(database_url, tmp_path):
    upgrade(database_url)
    migrated = schema_of(database_url)
    settings = GuardSettings(
        database_url=database_url, token_keys=(generate_key(),), audit_hmac_key=HMAC_KEY,
        oauth_client=OAuthClient.for_root("http://127.0.0.1:9/", client_id="c",
                                          client_secret="s"),
        gmail_root_url="http://127.0.0.1:9/")
    with Guard.open(settings) as guard:
        assert guard.audit.verify().ok
    assert schema_of(database_url) == migrated
    assert current(database_url) == head()


def test_upgrade_twice_changes_nothing(database_url):
    upgrade(database_url)
    first = schema_of(database_url)
    assert upgrade(database_url) == head()
    assert schema_of(database_url) == first


def test_mailguard_db_commands(database_url):
    runner = CliRunner()
    env = {"MAILGUARD_DATABASE_URL": database_url}
    before = runner.invoke(cli, ["db", "current"], env=env)
    assert before.exit_code == 0, before.output
    assert "no revision" in before.output
    done = runner.invoke(cli, ["db", "upgrade"], env=env)
    assert done.exit_code == 0, done.output
    assert done.output.strip() == f"database upgraded from no revision to revision {head()}"
    again = runner.invoke(cli, ["db", "upgrade", "--db", database_url])
    assert again.output.strip() == f"database already at revision {head()}"
    now = runner.invoke(cli, ["db", "current"], env=env)
    assert now.output.strip() == f"{head()} (head)"
    listed = runner.invoke(cli, ["db", "history"])
    assert listed.exit_code == 0
    assert listed.output.startswith("<base> -> 0001: ")
    assert f" -> {head()}: " in listed.output


@pytest.mark.parametrize("url, reason", [
    ("nosuchdb://x", "SQLite or PostgreSQL, not nosuchdb"),
    ("postgresql+psycopg://nobody@127.0.0.1:port/none", "the database URL is not valid"),
    ("postgresql+psycopg://nobody@127.0.0.1:1/none", "names a reachable database"),
])
def test_mailguard_db_upgrade_refuses_with_one_line(url, reason):
    done = CliRunner().invoke(cli, ["db", "upgrade", "--db", url])
    assert done.exit_code == 1
    assert reason in done.output
    assert len(done.output.strip().splitlines()) == 1
