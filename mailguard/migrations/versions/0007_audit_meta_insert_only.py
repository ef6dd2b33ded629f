"""Refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL) on the audit log's audit_meta table.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26

``audit_meta`` holds the identifier-hashing key's id and the verifier keys the log has
trusted; the audit log only ever inserts into it. Without a trigger, deleting the key id
let a writer reopen the log under another hashing key, so searches by a clear address
silently missed every earlier entry. The same triggers as on the entry tables (frozen
copies; ``audit.store`` creates them too whenever it opens a log).
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_SQLITE = [
    f"CREATE TRIGGER IF NOT EXISTS audit_meta_no_{op_name.lower()} BEFORE {op_name} ON "
    f"audit_meta BEGIN SELECT RAISE(ABORT, 'audit_meta is append-only'); END"
    for op_name in ("UPDATE", "DELETE")
]
# audit_reject_change() exists since the baseline revision.
_PG = [
    "CREATE OR REPLACE TRIGGER audit_meta_append_only BEFORE UPDATE OR DELETE ON audit_meta "
    "FOR EACH ROW EXECUTE FUNCTION audit_reject_change()",
    "CREATE OR REPLACE TRIGGER audit_meta_no_truncate BEFORE TRUNCATE ON audit_meta "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_reject_change()",
]


def upgrade() -> None:
    """Create the triggers where they are missing."""
    bind = op.get_bind()
    for ddl in _PG if bind.dialect.name == "postgresql" else _SQLITE:
        bind.exec_driver_sql(ddl)


def downgrade() -> None:
    """Refuse: MailGuard migrations go forward only."""
    raise NotImplementedError("MailGuard migrations go forward only; restore a backup instead")
