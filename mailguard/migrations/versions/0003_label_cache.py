"""Add the guard's sealed label cache (each mailbox's labels with their counters).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25

The definition is a frozen copy of ``guard.mail_cache.label_cache`` at this revision.
Created only when missing, like 0002: a guard opened on an unmigrated database builds
its tables with create_all first.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_TABLE = "guard_label_cache"


def upgrade() -> None:
    """Create the label cache table where missing."""
    if sa.inspect(op.get_bind()).has_table(_TABLE):
        return
    op.create_table(
        _TABLE,
        sa.Column("mailbox", sa.String(320), primary_key=True),
        sa.Column("key_id", sa.String(32), nullable=False),
        sa.Column("sealed", sa.LargeBinary, nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    """Refuse: MailGuard migrations go forward only."""
    raise NotImplementedError("MailGuard migrations go forward only; restore a backup instead")
