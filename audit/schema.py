"""The audit log's tables, indexes and append-only triggers, for SQLite and PostgreSQL.

Every table but the head only ever gets rows inserted; the triggers reject UPDATE and
DELETE (and TRUNCATE on PostgreSQL) on them and any shrinking of the head. Anyone who can
drop a trigger can still rewrite rows: that is what verification and exported checkpoints
are for. ``mailguard.migrations`` upgrades existing databases to this schema.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)

_SeqType = BigInteger().with_variant(Integer(), "sqlite")

metadata = MetaData()

entries = Table(
    "audit_entries",
    metadata,
    Column("seq", _SeqType, primary_key=True, autoincrement=False),
    Column("time", String(32), nullable=False),
    Column("actor_kind", String(16), nullable=False),
    Column("actor_id_h", String(80), nullable=False),
    Column("actor_role", String(256), nullable=False),
    Column("mailbox_h", String(80), nullable=False),
    Column("action", String(256), nullable=False),
    Column("purpose", String(256), nullable=False),
    Column("basis", String(256), nullable=False),
    Column("basis_ref", String(256), nullable=False),
    Column("decision", String(8), nullable=False),
    Column("rule_id", String(256), nullable=False),
    Column("request_id", String(256), nullable=False),
    Column("entry", LargeBinary, nullable=False),
    Column("leaf_hash", LargeBinary(32), nullable=False),
    # No index on purpose or action: a handful of values each, so searches by them go
    # through the time index (review searches are bounded in time), while every append
    # paid one more B-tree page (one more WAL frame on SQLite) per index. Logs created
    # with them keep them; they only cost appends.
    Index("ix_audit_entries_time", "time"),
    Index("ix_audit_entries_mailbox_h", "mailbox_h"),
    Index("ix_audit_entries_actor_id_h", "actor_id_h"),
    Index("ix_audit_entries_request_id", "request_id"),
)

resources = Table(
    "audit_resources",
    metadata,
    Column("seq", _SeqType, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("resource_id", String(256), nullable=False),
    Index("ix_audit_resources_resource_id", "resource_id"),
    Index("ix_audit_resources_seq", "seq"),
)

nodes = Table(
    "audit_nodes",
    metadata,
    Column("level", Integer, nullable=False),
    Column("idx", BigInteger, nullable=False),
    Column("hash", LargeBinary(32), nullable=False),
    PrimaryKeyConstraint("level", "idx"),
    sqlite_with_rowid=False,
)

checkpoints = Table(
    "audit_checkpoints",
    metadata,
    Column("size", _SeqType, primary_key=True, autoincrement=False),
    Column("root", LargeBinary(32), nullable=False),
    Column("note", Text, nullable=False),
    Column("created_at", String(32), nullable=False),
)

head = Table(
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("size", BigInteger, nullable=False),
)

meta = Table(
    "audit_meta",
    metadata,
    Column("key", String(128), primary_key=True),
    Column("value", Text, nullable=False),
)

#: Rows are only ever inserted. audit_meta is among them: it holds the identifier-hashing
#: key's id and the verifier keys trusted so far (``meta_setdefault`` never overwrites).
APPEND_ONLY_TABLES = ("audit_entries", "audit_resources", "audit_nodes", "audit_checkpoints",
                      "audit_meta")

SQLITE_TRIGGERS = [
    *(
        f"CREATE TRIGGER IF NOT EXISTS {t}_no_{op.lower()} BEFORE {op} ON {t} "
        f"BEGIN SELECT RAISE(ABORT, '{t} is append-only'); END"
        for t in APPEND_ONLY_TABLES
        for op in ("UPDATE", "DELETE")
    ),
    "CREATE TRIGGER IF NOT EXISTS audit_head_no_shrink BEFORE UPDATE ON audit_head "
    "WHEN NEW.size < OLD.size OR NEW.id <> OLD.id "
    "BEGIN SELECT RAISE(ABORT, 'audit_head only grows'); END",
    "CREATE TRIGGER IF NOT EXISTS audit_head_no_delete BEFORE DELETE ON audit_head "
    "BEGIN SELECT RAISE(ABORT, 'audit_head only grows'); END",
]

PG_TRIGGERS = [
    "CREATE OR REPLACE FUNCTION audit_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME "
    "USING ERRCODE = 'insufficient_privilege'; END $$",
    "CREATE OR REPLACE FUNCTION audit_reject_shrink() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN IF TG_OP <> 'UPDATE' OR NEW.size < OLD.size OR NEW.id <> OLD.id THEN "
    "RAISE EXCEPTION 'audit_head only grows' USING ERRCODE = 'insufficient_privilege'; "
    "END IF; RETURN NEW; END $$",
    *(
        f"CREATE OR REPLACE TRIGGER {t}_append_only BEFORE UPDATE OR DELETE ON {t} "
        f"FOR EACH ROW EXECUTE FUNCTION audit_reject_change()"
        for t in APPEND_ONLY_TABLES
    ),
    *(
        f"CREATE OR REPLACE TRIGGER {t}_no_truncate BEFORE TRUNCATE ON {t} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION audit_reject_change()"
        for t in (*APPEND_ONLY_TABLES, "audit_head")
    ),
    "CREATE OR REPLACE TRIGGER audit_head_only_grows BEFORE UPDATE OR DELETE ON audit_head "
    "FOR EACH ROW EXECUTE FUNCTION audit_reject_shrink()",
]

# Any constant shared by every process creating the schema; serialises CREATE on PostgreSQL.
PG_SCHEMA_LOCK = 0x6D61696C67617564

#: The entry table's columns, in the order the hot-path INSERT names them.
ENTRY_COLUMNS = tuple(c.name for c in entries.columns)
