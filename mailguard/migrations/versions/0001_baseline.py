"""Create every table, index and audit trigger; adopt a database made by create_all.

Revision ID: 0001
Revises:
Create Date: 2025-03-01

Idempotent on purpose: a deployment that ran before migrations existed already has some
or all of these objects (``Guard.open`` and ``AuditLog.open`` create them), so each table,
index and trigger is created only when it is missing. The definitions are a frozen copy of
``guard``, ``audit.store`` and ``webclient.preferences`` at this revision; a test compares
the migrated schema with ``create_all``'s, so a change there needs a new revision.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TS = sa.DateTime(timezone=True)

APPEND_ONLY = ("audit_entries", "audit_resources", "audit_nodes", "audit_checkpoints")

SQLITE_TRIGGERS = [
    *(
        f"CREATE TRIGGER IF NOT EXISTS {t}_no_{op_.lower()} BEFORE {op_} ON {t} "
        f"BEGIN SELECT RAISE(ABORT, '{t} is append-only'); END"
        for t in APPEND_ONLY
        for op_ in ("UPDATE", "DELETE")
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
        for t in APPEND_ONLY
    ),
    *(
        f"CREATE OR REPLACE TRIGGER {t}_no_truncate BEFORE TRUNCATE ON {t} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION audit_reject_change()"
        for t in (*APPEND_ONLY, "audit_head")
    ),
    "CREATE OR REPLACE TRIGGER audit_head_only_grows BEFORE UPDATE OR DELETE ON audit_head "
    "FOR EACH ROW EXECUTE FUNCTION audit_reject_shrink()",
]


def _table(name: str, *columns: Any, indexes: tuple[tuple[str, tuple[str, ...]], ...] = (),
           **kwargs: Any) -> None:
    """Create table ``name`` unless it exists, then each of its indexes that is missing."""
    inspector = sa.inspect(op.get_bind())
    if not inspector.has_table(name):
        op.create_table(name, *columns, **kwargs)
        present: set[str] = set()
    else:
        present = {ix["name"] for ix in inspector.get_indexes(name) if ix["name"]}
    for index_name, index_columns in indexes:
        if index_name not in present:
            op.create_index(index_name, name, list(index_columns))


def _guard_tables() -> None:
    _table("guard_connected_accounts",
           sa.Column("user_id", sa.String(320), primary_key=True),
           sa.Column("mailbox", sa.String(320), primary_key=True),
           sa.Column("granted_scopes", sa.Text, nullable=False),
           sa.Column("connected_at", _TS, nullable=False),
           sa.Column("needs_reconnect", sa.Boolean, nullable=False))
    _table("consents",
           sa.Column("id", sa.String(40), primary_key=True),
           sa.Column("user", sa.String(320), nullable=False),
           sa.Column("grantee", sa.String(320), nullable=False),
           sa.Column("message_ids", sa.JSON, nullable=False),
           sa.Column("wording", sa.Text, nullable=False),
           sa.Column("wording_sha256", sa.String(64), nullable=False),
           sa.Column("agreed_at", _TS, nullable=False),
           sa.Column("expires_at", _TS, nullable=False),
           sa.Column("revoked_at", _TS),
           indexes=(("ix_consents_user", ("user",)),))
    _table("transfer_consents",
           sa.Column("id", sa.String(40), primary_key=True),
           sa.Column("user", sa.String(320), nullable=False),
           sa.Column("recipient_id", sa.String(128), nullable=False),
           sa.Column("wording", sa.Text, nullable=False),
           sa.Column("wording_sha256", sa.String(64), nullable=False),
           sa.Column("agreed_at", _TS, nullable=False),
           sa.Column("expires_at", _TS),
           sa.Column("revoked_at", _TS),
           indexes=(("ix_transfer_consents_user", ("user",)),))
    _table("staff_members",
           sa.Column("email", sa.String(320), primary_key=True),
           sa.Column("id", sa.String(40), nullable=False, unique=True),
           sa.Column("active", sa.Boolean, nullable=False),
           sa.Column("added_at", _TS, nullable=False),
           sa.Column("changed_at", _TS, nullable=False))
    _table("staff_roles",
           sa.Column("email", sa.String(320), sa.ForeignKey("staff_members.email"),
                     primary_key=True),
           sa.Column("role", sa.String(64), primary_key=True))
    _table("grants",
           sa.Column("id", sa.String(40), primary_key=True),
           sa.Column("staff_id", sa.String(320), nullable=False),
           sa.Column("role", sa.String(64), nullable=False),
           sa.Column("basis", sa.String(16), nullable=False),
           sa.Column("mailbox", sa.String(320), nullable=False),
           sa.Column("case_id", sa.String(256)),
           sa.Column("category", sa.String(64)),
           sa.Column("legal_ref", sa.String(256)),
           sa.Column("requested_at", _TS, nullable=False),
           sa.Column("expires_at", _TS, nullable=False),
           sa.Column("pending_until", _TS),
           sa.Column("approved_by", sa.String(320)),
           sa.Column("approved_at", _TS),
           sa.Column("revoked_at", _TS),
           sa.Column("revoked_by", sa.String(320)),
           indexes=(("ix_grants_staff_id", ("staff_id",)),
                    ("ix_grants_mailbox", ("mailbox",))))
    _table("guard_oauth_tokens",
           sa.Column("mailbox", sa.String(320), primary_key=True),
           sa.Column("key_id", sa.String(32), nullable=False),
           sa.Column("sealed", sa.LargeBinary, nullable=False),
           sa.Column("updated_at", _TS, nullable=False),
           indexes=(("ix_guard_oauth_tokens_key_id", ("key_id",)),))
    _table("guard_mail_cache_state",
           sa.Column("mailbox", sa.String(320), primary_key=True),
           sa.Column("history_id", sa.String(64), nullable=False),
           sa.Column("page_size", sa.Integer, nullable=False),
           sa.Column("next_page_token", sa.String(512), nullable=True),
           sa.Column("result_size_estimate", sa.Integer, nullable=False),
           sa.Column("synced_at", _TS, nullable=False))
    _table("guard_thread_cache",
           sa.Column("mailbox", sa.String(320), primary_key=True),
           sa.Column("thread_id", sa.String(128), primary_key=True),
           sa.Column("last_ms", sa.BigInteger, nullable=False),
           sa.Column("key_id", sa.String(32), nullable=False),
           sa.Column("sealed", sa.LargeBinary, nullable=False),
           indexes=(("ix_guard_thread_cache_last_ms", ("last_ms",)),))


def _audit_tables() -> None:
    _table("audit_entries",
           sa.Column("seq", _SEQ, primary_key=True, autoincrement=False),
           sa.Column("time", sa.String(32), nullable=False),
           sa.Column("actor_kind", sa.String(16), nullable=False),
           sa.Column("actor_id_h", sa.String(80), nullable=False),
           sa.Column("actor_role", sa.String(256), nullable=False),
           sa.Column("mailbox_h", sa.String(80), nullable=False),
           sa.Column("action", sa.String(256), nullable=False),
           sa.Column("purpose", sa.String(256), nullable=False),
           sa.Column("basis", sa.String(256), nullable=False),
           sa.Column("basis_ref", sa.String(256), nullable=False),
           sa.Column("decision", sa.String(8), nullable=False),
           sa.Column("rule_id", sa.String(256), nullable=False),
           sa.Column("request_id", sa.String(256), nullable=False),
           sa.Column("entry", sa.LargeBinary, nullable=False),
           sa.Column("leaf_hash", sa.LargeBinary(32), nullable=False),
           indexes=tuple((f"ix_audit_entries_{c}", (c,)) for c in (
               "time", "mailbox_h", "actor_id_h", "purpose", "action", "request_id")))
    _table("audit_resources",
           sa.Column("seq", _SEQ, nullable=False),
           sa.Column("kind", sa.String(16), nullable=False),
           sa.Column("resource_id", sa.String(256), nullable=False),
           indexes=(("ix_audit_resources_resource_id", ("resource_id",)),
                    ("ix_audit_resources_seq", ("seq",))))
    _table("audit_nodes",
           sa.Column("level", sa.Integer, nullable=False),
           sa.Column("idx", sa.BigInteger, nullable=False),
           sa.Column("hash", sa.LargeBinary(32), nullable=False),
           sa.PrimaryKeyConstraint("level", "idx"),
           sqlite_with_rowid=False)
    _table("audit_checkpoints",
           sa.Column("size", _SEQ, primary_key=True, autoincrement=False),
           sa.Column("root", sa.LargeBinary(32), nullable=False),
           sa.Column("note", sa.Text, nullable=False),
           sa.Column("created_at", sa.String(32), nullable=False))
    _table("audit_head",
           sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
           sa.Column("size", sa.BigInteger, nullable=False))
    _table("audit_meta",
           sa.Column("key", sa.String(128), primary_key=True),
           sa.Column("value", sa.Text, nullable=False))
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for ddl in PG_TRIGGERS:
            bind.exec_driver_sql(ddl.replace("%", "%%"))  # the driver's parameter marker
    else:
        for ddl in SQLITE_TRIGGERS:
            bind.exec_driver_sql(ddl)
    if bind.execute(sa.text("SELECT size FROM audit_head WHERE id = 1")).first() is None:
        bind.execute(sa.text("INSERT INTO audit_head (id, size) VALUES (1, 0)"))


def _webclient_tables() -> None:
    _table("webclient_trusted_senders",
           sa.Column("digest", sa.String(64), primary_key=True),
           sa.Column("created_at", _TS, nullable=False, server_default=sa.func.now()))


def upgrade() -> None:
    """Create whatever of the baseline schema is missing."""
    _guard_tables()
    _audit_tables()
    _webclient_tables()


def downgrade() -> None:
    """Refuse: the audit log only grows, so MailGuard migrations go forward only."""
    raise NotImplementedError("MailGuard migrations go forward only; restore a backup instead")
