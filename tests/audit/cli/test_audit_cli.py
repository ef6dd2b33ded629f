"""The ``audit`` CLI against real SQLite logs: verify, search, export, checkpoint, prove, stats."""

from __future__ import annotations

import base64
import csv
import io
import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from audit.checkpoint import CheckpointSigner, load_or_create_signing_key, open_signed_checkpoint
from audit.cli import audit
from audit.entry import AuditEntry, AuditEvent, IdentifierHasher
from audit.log import AuditLog
from audit.merkle import verify_inclusion
from audit.query import read_csv, read_jsonl
from tests.audit.stepping_clock import SteppingClock

HMAC_KEY = bytes(range(32))
HASHER = IdentifierHasher(HMAC_KEY)
ORIGIN = "mailguard.test/audit"
START = datetime(2025, 3, 1, 22, 0, tzinfo=UTC)

EVENTS: list[dict[str, Any]] = [
    {"actor_kind": "user", "actor_id": "bob@example.com", "mailbox": "bob@example.com",
     "action": "message.get", "purpose": "email.read", "decision": "allow",
     "rule_id": "owner.read", "resources": [{"kind": "message", "id": "m-1"}]},
    {"actor_kind": "staff", "actor_id": "eve@qontak.example", "actor_role": "support",
     "mailbox": "bob@example.com", "action": "message.get", "purpose": "email.read",
     "basis": "consent", "basis_ref": "consent-1", "decision": "allow",
     "rule_id": "consent.messages", "resources": [{"kind": "message", "id": "m-2"}]},
    {"actor_kind": "system", "actor_id": "adsync", "mailbox": "carol@example.com",
     "action": "message.list", "purpose": "advertising.targeting", "decision": "deny",
     "rule_id": "ads.never"},
    {"actor_kind": "staff", "actor_id": "Carol@Example.com", "actor_role": "security",
     "mailbox": "dan@example.com", "action": "thread.get", "purpose": "security.investigate",
     "basis": "security", "basis_ref": "case-7", "decision": "allow", "rule_id": "security.case",
     "resources": [{"kind": "thread", "id": "t-9"}, {"kind": "label", "id": "INBOX"}]},
    {"actor_kind": "system", "actor_id": "sync", "mailbox": "dan@example.com",
     "action": "history.list", "purpose": "email.sync", "decision": "allow",
     "rule_id": "owner.sync"},
]


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    db = tmp_path / "mailguard.db"
    key_file = tmp_path / "keys" / "audit-signing.pem"
    url = f"sqlite:///{db}"
    log = AuditLog.open(url, hmac_key=HMAC_KEY, signing_key=str(key_file), origin=ORIGIN,
                        checkpoint_every=0, checkpoint_seconds=0,
                        clock=SteppingClock(START, timedelta(hours=1)))  # over two days
    try:
        for event in EVENTS:
            log.append(AuditEvent.from_dict(event))
        log.checkpoint()
    finally:
        log.close()
    vkey = CheckpointSigner(ORIGIN, load_or_create_signing_key(key_file)).verifier_key()
    monkeypatch.setenv("MAILGUARD_DATABASE_URL", url)
    monkeypatch.setenv("MAILGUARD_AUDIT_HMAC_KEY", HMAC_KEY.hex())
    monkeypatch.setenv("MAILGUARD_AUDIT_SIGNING_KEY_FILE", str(key_file))
    monkeypatch.setenv("MAILGUARD_AUDIT_VERIFIER_KEY", vkey)
    monkeypatch.setenv("MAILGUARD_AUDIT_ORIGIN", ORIGIN)
    return {"db": db, "url": url, "vkey": vkey, "key_file": key_file, "tmp": tmp_path}


def run(*args: str) -> Result:
    return CliRunner().invoke(audit, list(args), catch_exceptions=False)


def search_seqs(*args: str) -> list[int]:
    result = run("search", "--format", "jsonl", *args)
    assert result.exit_code == 0, result.output
    return [e.seq for e in read_jsonl(result.stdout.splitlines()) if e.purpose != "audit.review"]


def tamper(db: Path, sql: str, *params: Any) -> None:
    """Do what an attacker with database access can: drop the triggers, rewrite rows."""
    conn = sqlite3.connect(db)
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='trigger'")]
        for name in names:
            conn.execute(f"DROP TRIGGER {name}")
        conn.execute(sql, params)
        conn.commit()
    finally:
        conn.close()


def test_help_documents_settings() -> None:
    result = run("--help")
    assert result.exit_code == 0
    for word in ("MAILGUARD_DATABASE_URL", "MAILGUARD_AUDIT_HMAC_KEY",
                 "MAILGUARD_AUDIT_SIGNING_KEY_FILE", "verify", "search", "export", "checkpoint",
                 "prove", "stats"):
        assert word in result.output
    assert "--address" in run("search", "--help").output


def test_verify_clean_log(env: dict[str, Any]) -> None:
    result = run("verify")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("OK: 5 entries")
    assert len(result.stdout.splitlines()) == 1
    assert "\r" not in result.output  # no progress bar when not on a terminal


def test_verify_and_stats_read_a_read_only_copy(env: dict[str, Any]) -> None:
    before = env["db"].read_bytes()
    url = f"sqlite:///file:{env['db']}?mode=ro&uri=true"
    result = run("verify", "--db", url)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("OK: 5 entries")
    assert run("stats", "--db", url, "--json").exit_code == 0
    assert env["db"].read_bytes() == before  # nothing written, not even a review entry


def test_verify_and_stats_read_a_copy_in_rollback_journal_mode(env: dict[str, Any]) -> None:
    """A copy made with VACUUM INTO (or by a backup tool) is not in WAL mode."""
    copy = env["tmp"] / "copy.db"
    conn = sqlite3.connect(env["db"])
    conn.execute("VACUUM INTO ?", (str(copy),))
    conn.close()
    before = copy.read_bytes()
    result = run("verify", "--db", f"sqlite:///{copy}")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("OK: 5 entries")
    assert run("stats", "--db", f"sqlite:///{copy}", "--json").exit_code == 0
    assert copy.read_bytes() == before


def test_verify_trusts_the_signing_key_file_it_is_given(env: dict[str, Any],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MAILGUARD_AUDIT_VERIFIER_KEY")
    result = run("verify")
    assert result.exit_code == 0, result.output
    assert "keys read from the database" not in result.output
    monkeypatch.setenv("MAILGUARD_AUDIT_SIGNING_KEY_FILE", str(env["tmp"] / "absent.pem"))
    warned = run("verify")
    assert warned.exit_code == 0 and "keys read from the database" in warned.output
    assert not (env["tmp"] / "absent.pem").exists()  # verify creates no key


def test_verify_with_exported_checkpoint(env: dict[str, Any]) -> None:
    note_file = env["tmp"] / "cp.note"
    assert run("checkpoint", "--export", str(note_file)).exit_code == 0
    result = run("verify", "--checkpoint", str(note_file))
    assert result.exit_code == 0, result.output
    assert "1 exported checkpoints" in result.stdout


def test_verify_names_the_modified_entry(env: dict[str, Any]) -> None:
    conn = sqlite3.connect(env["db"])
    raw = conn.execute("SELECT entry FROM audit_entries WHERE seq = 2").fetchone()[0]
    conn.close()
    forged = bytes(raw).replace(b'"decision":"deny"', b'"decision":"allow"')
    assert forged != bytes(raw)
    tamper(env["db"], "UPDATE audit_entries SET entry = ?, decision = 'allow' WHERE seq = 2",
           forged)
    result = run("verify")
    assert result.exit_code == 1
    assert result.stdout.startswith("TAMPERED: first bad entry is entry 2:")
    assert len(result.stdout.splitlines()) == 1


def test_verify_names_a_deleted_entry(env: dict[str, Any]) -> None:
    tamper(env["db"], "DELETE FROM audit_entries WHERE seq = 3")
    result = run("verify")
    assert result.exit_code == 1
    assert "entry 3" in result.stdout


def test_verify_rejects_a_forged_exported_checkpoint(env: dict[str, Any]) -> None:
    note_file = env["tmp"] / "cp.note"
    assert run("checkpoint", "--export", str(note_file)).exit_code == 0
    note_file.write_text(note_file.read_text().replace("\n5\n", "\n6\n"))
    result = run("verify", "--checkpoint", str(note_file))
    assert result.exit_code == 1
    assert result.stdout.startswith("TAMPERED")
    assert "the exported checkpoint 1 carries this log's signature but it does not " \
           "verify: the note was altered or forged" in result.stdout


def test_verify_names_truncation_behind_an_exported_checkpoint(env: dict[str, Any]) -> None:
    note_file = env["tmp"] / "cp.note"
    assert run("checkpoint", "--export", str(note_file)).exit_code == 0
    tamper(env["db"], "DELETE FROM audit_entries WHERE seq >= 3")
    tamper(env["db"], "DELETE FROM audit_checkpoints")
    tamper(env["db"], "UPDATE audit_head SET size = 3")
    result = run("verify", "--checkpoint", str(note_file))
    assert result.exit_code == 1
    assert result.stdout.startswith("TAMPERED: first bad entry is entry 3: truncated: an "
                                    "exported checkpoint covers 5 entries but the log has 3")


def _note_of_another_log(tmp: Path, *, origin: str, key_file: Path) -> Path:
    """Export a checkpoint of a separate one-entry log (its own database)."""
    log = AuditLog.open(f"sqlite:///{tmp / 'other.db'}", hmac_key=HMAC_KEY,
                        signing_key=str(key_file), origin=origin, checkpoint_every=0,
                        checkpoint_seconds=0)
    try:
        log.append(AuditEvent.from_dict(EVENTS[0]))
        log.export_checkpoint(tmp / "other.note")
    finally:
        log.close()
    return tmp / "other.note"


@pytest.mark.parametrize("case", ["another key", "another origin", "not a note"])
def test_verify_refuses_a_checkpoint_of_another_log_or_key(env: dict[str, Any],
                                                           case: str) -> None:
    """A note that this log never signed is refused as input, not reported as tampering."""
    tmp = env["tmp"]
    if case == "another key":
        note_file = _note_of_another_log(tmp, origin=ORIGIN, key_file=tmp / "other.pem")
        reason = "no signature by the key"
    elif case == "another origin":
        note_file = _note_of_another_log(tmp, origin="other.test/audit",
                                         key_file=env["key_file"])
        reason = "no signature by the key"
    else:
        note_file = tmp / "other.note"
        note_file.write_text("hello\n")
        reason = "a signed note is text"
    result = run("verify", "--checkpoint", str(note_file))
    assert result.exit_code == 2, result.output
    assert "TAMPERED" not in result.output
    line = result.output.strip().splitlines()[-1]
    assert line.startswith("Error: Invalid value for '--checkpoint': ")
    assert f"{note_file} is not a checkpoint of this log" in line and reason in line


@pytest.mark.parametrize("url", [
    "postgresql+psycopg://reviewer:pw-not-shown@127.0.0.1:1/audit",  # nothing listens
    "postgresql+nonsense://reviewer@127.0.0.1:1/audit",  # no such driver
    "postgresql+asyncpg://reviewer@127.0.0.1:1/audit",  # a driver that is not installed
    "postgresql+psycopg://reviewer:pw-not-shown@[::1/audit",  # a malformed host and port
])
@pytest.mark.parametrize("command", ["verify", "search", "stats"])
def test_an_unusable_database_url_is_one_line_without_a_traceback(
        env: dict[str, Any], url: str, command: str) -> None:
    result = run(command, "--db", url)
    assert result.exit_code == 1, result.output
    assert result.output.startswith("Error: ") and len(result.output.splitlines()) == 1
    assert "pw-not-shown" not in result.output


def test_verify_refuses_a_missing_database(tmp_path: Path) -> None:
    result = CliRunner().invoke(audit, ["verify", "--db", f"sqlite:///{tmp_path}/none.db"])
    assert result.exit_code == 1
    assert "no audit database" in result.output
    assert not (tmp_path / "none.db").exists()


@pytest.mark.parametrize("command", [("search",), ("export",), ("checkpoint",),
                                     ("prove", "0"), ("verify",), ("stats",)])
@pytest.mark.parametrize("content", ["empty file", "another application's database"])
def test_a_database_without_an_audit_log_is_not_made_into_one(
        env: dict[str, Any], command: tuple[str, ...], content: str) -> None:
    """A mistyped --db naming an existing file must not get an empty audit log created."""
    other = env["tmp"] / "other.db"
    conn = sqlite3.connect(other)
    if content != "empty file":
        conn.execute("CREATE TABLE accounts (id INTEGER PRIMARY KEY)")
        conn.commit()
    conn.close()
    result = run(*command, "--db", f"sqlite:///{other}")
    assert result.exit_code == 1, result.output
    assert "no audit log" in result.output and len(result.output.splitlines()) == 1
    conn = sqlite3.connect(other)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    conn.close()
    assert not any(name.startswith("audit_") for name in tables), tables


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((), [0, 1, 2, 3, 4]),
        (("--actor", "eve@qontak.example"), [1]),
        (("--actor-kind", "system"), [2, 4]),
        (("--mailbox", " BOB@example.com"), [0, 1]),
        (("--address", "carol@example.com"), [2, 3]),
        (("--purpose", "email.read"), [0, 1]),
        (("--purpose", "advertising.*"), [2]),
        (("--basis", "security"), [3]),
        (("--decision", "deny"), [2]),
        (("--rule", "consent.messages"), [1]),
        (("--resource", "INBOX"), [3]),
        (("--since", "2025-03-02"), [2, 3, 4]),
        (("--since", "2025-03-01T23:00:00Z", "--until", "2025-03-02T01:00:00Z"), [1, 2]),
        (("--decision", "allow", "--limit", "2"), [0, 1]),
        (("--address", "dan@example.com", "--purpose", "email.*"), [4]),
    ],
)
def test_search_filters(env: dict[str, Any], args: tuple[str, ...], expected: list[int]) -> None:
    assert search_seqs(*args) == expected


def test_search_is_itself_audited(env: dict[str, Any]) -> None:
    run("search", "--decision", "deny")
    result = run("search", "--format", "jsonl", "--purpose", "audit.review")
    reviews = list(read_jsonl(result.stdout.splitlines()))
    assert [e.action for e in reviews] == ["audit.search", "audit.search"]
    assert all(e.actor_kind == "staff" for e in reviews)


def test_search_table_shows_rows_without_identifiers(env: dict[str, Any]) -> None:
    result = run("search", "--mailbox", "bob@example.com")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split()[:3] == ["seq", "time", "actor_kind"]
    assert [line.split()[0] for line in lines[1:]] == ["0", "1"]
    assert "bob@example.com" not in result.stdout


def test_search_without_hmac_key_says_what_to_set(env: dict[str, Any],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MAILGUARD_AUDIT_HMAC_KEY")
    result = CliRunner().invoke(audit, ["search"])
    assert result.exit_code == 1
    assert "MAILGUARD_AUDIT_HMAC_KEY" in result.output


def test_search_rejects_a_bad_date(env: dict[str, Any]) -> None:
    result = CliRunner().invoke(audit, ["search", "--since", "last tuesday"])
    assert result.exit_code == 2
    assert "--since" in result.output


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_export_parses_back_to_the_stored_entries(env: dict[str, Any], fmt: str) -> None:
    out = env["tmp"] / f"export.{fmt}"
    result = run("export", "--format", fmt, "--output", str(out))
    assert result.exit_code == 0, result.output
    text = out.read_text()
    entries = list(read_jsonl(text.splitlines()) if fmt == "jsonl"
                   else read_csv(io.StringIO(text)))
    assert [e.seq for e in entries] == [0, 1, 2, 3, 4, 5]
    assert entries[5].action == "audit.export"
    conn = sqlite3.connect(env["db"])
    stored = [AuditEntry.from_canonical_bytes(bytes(r[0])) for r in
              conn.execute("SELECT entry FROM audit_entries ORDER BY seq")]
    conn.close()
    assert entries == stored
    assert entries[0].mailbox_h == HASHER.hash("bob@example.com")
    assert "bob@example.com" not in text
    if fmt == "csv":
        assert next(csv.reader(io.StringIO(text)))[:3] == ["seq", "time", "actor_kind"]


def test_export_to_stdout_streams_jsonl(env: dict[str, Any]) -> None:
    result = run("export")
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) == 6
    assert all(json.loads(line)["v"] == 1 for line in result.stdout.splitlines())


def test_checkpoint_prints_a_note_that_verifies(env: dict[str, Any]) -> None:
    result = run("checkpoint")
    assert result.exit_code == 0, result.output
    cp = open_signed_checkpoint(result.stdout, env["vkey"], origin=ORIGIN)
    assert cp.size == 5


def test_prove_output_verifies(env: dict[str, Any]) -> None:
    result = run("prove", "3")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["leaf_index"] == 3
    cp = open_signed_checkpoint(data["checkpoint"], env["vkey"], origin=ORIGIN)
    assert data["tree_size"] == cp.size >= 4
    assert base64.b64decode(data["root_hash"]) == cp.root_hash
    leaf = base64.b64decode(data["leaf_hash"])
    assert AuditEntry.from_dict(data["entry"]).leaf_hash() == leaf
    verify_inclusion(leaf, 3, data["tree_size"], [base64.b64decode(h) for h in data["proof"]],
                     cp.root_hash)


def test_prove_in_an_explicit_tree_size(env: dict[str, Any]) -> None:
    data = json.loads(run("prove", "1", "--tree-size", "3").stdout)
    assert data["tree_size"] == 3
    assert len(data["proof"]) == 2
    verify_inclusion(base64.b64decode(data["leaf_hash"]), 1, 3,
                     [base64.b64decode(h) for h in data["proof"]],
                     base64.b64decode(data["root_hash"]))


def test_prove_unknown_entry_fails_with_a_reason(env: dict[str, Any]) -> None:
    result = CliRunner().invoke(audit, ["prove", "99"])
    assert result.exit_code == 1
    assert "no entry 99" in result.output


def test_stats_json(env: dict[str, Any]) -> None:
    result = run("stats", "--json")
    assert result.exit_code == 0, result.output
    stats = json.loads(result.stdout)
    assert stats["total"] == 5
    assert stats["by_day"] == {"2025-03-01": 2, "2025-03-02": 3}
    assert stats["by_actor_kind"] == {"staff": 2, "system": 2, "user": 1}
    assert stats["by_decision"] == {"allow": 4, "deny": 1}
    assert stats["by_basis"] == {"-": 3, "consent": 1, "security": 1}
    assert stats["by_purpose"]["email.read"] == 2


def test_stats_table_with_window(env: dict[str, Any]) -> None:
    result = run("stats", "--since", "2025-03-02")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("entries: 3\n")
    assert "by actor kind" in result.stdout


def test_prove_the_next_seq_is_refused_not_answered_with_its_own_review_entry(
        env: dict[str, Any]) -> None:
    """The log holds 0..4; proving 5 must not prove the entry that recording this review
    appends at 5."""
    result = CliRunner().invoke(audit, ["prove", "5"])
    assert result.exit_code == 1, result.output
    assert "no entry 5" in result.output
    assert "leaf_index" not in result.output


@pytest.mark.parametrize("command", [("search",), ("export",), ("prove", "1")])
def test_reading_commands_on_a_read_only_copy_say_why_they_need_write_access(
        env: dict[str, Any], command: tuple[str, ...]) -> None:
    before = env["db"].read_bytes()
    url = f"sqlite:///file:{env['db']}?mode=ro&uri=true"
    result = CliRunner().invoke(audit, [*command, "--db", url])
    assert result.exit_code == 1, result.output
    assert f"{command[0]} records this review in the log before it shows anything" in \
        result.output
    assert "verify and stats read a read-only copy" in result.output
    assert env["db"].read_bytes() == before


def test_verify_refuses_a_checkpoint_file_that_is_not_text(env: dict[str, Any]) -> None:
    note_file = env["tmp"] / "photo.jpg"
    note_file.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\xe1\x80")
    result = CliRunner().invoke(audit, ["verify", "--checkpoint", str(note_file)])
    assert result.exit_code == 2, result.output
    assert f"{note_file} is not a checkpoint of this log: it is not UTF-8 text" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("suffix", ["", "-wal"])
def test_export_refuses_to_write_over_the_database_itself(env: dict[str, Any],
                                                          suffix: str) -> None:
    """A slip of the keyboard must not replace the audit log with an export of it."""
    target = Path(f"{env['db']}{suffix}")
    before = env["db"].read_bytes()
    result = CliRunner().invoke(audit, ["export", "--output", str(target)])
    assert result.exit_code == 2, result.output
    assert "is the audit database" in result.output
    assert env["db"].read_bytes() == before
    assert run("verify").exit_code == 0


def test_prove_says_when_no_signed_checkpoint_backs_the_root(env: dict[str, Any]) -> None:
    unsigned = CliRunner().invoke(audit, ["prove", "1", "--tree-size", "3"])
    assert unsigned.exit_code == 0, unsigned.output
    assert json.loads(unsigned.stdout)["checkpoint"] is None
    assert "no signed checkpoint of 3 entries" in unsigned.stderr
    signed = CliRunner().invoke(audit, ["prove", "1"])
    assert signed.exit_code == 0, signed.output
    assert "no signed checkpoint" not in signed.stderr
