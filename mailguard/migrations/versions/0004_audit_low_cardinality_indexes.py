"""Drop the audit log's indexes on purpose and action.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25

Each durable append wrote one page of each index (one more WAL frame per index on
SQLite) for columns with a handful of values; searches by purpose or action go through
the time index instead (see ``audit.schema``). Dropped only where present: a log created
by ``AuditLog.open`` after this change never had them.
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Drop both indexes where they exist."""
    for name in ("ix_audit_entries_purpose", "ix_audit_entries_action"):
        op.execute(f"DROP INDEX IF EXISTS {name}")


def downgrade() -> None:
    """Refuse: MailGuard migrations go forward only."""
    raise NotImplementedError("MailGuard migrations go forward only; restore a backup instead")
