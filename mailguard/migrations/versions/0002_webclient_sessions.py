"""Add the web client's server-side session records.

Revision ID: 0002
Revises: 0001
Create Date: 2025-03-20

Idempotent like 0001: the web client created ``webclient_sessions`` on first use before this
revision, so the table and its index are created only when missing. The definition is a
frozen copy of ``webclient.auth.session_records`` at this revision.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)
_TABLE = "webclient_sessions"
_INDEX = "ix_webclient_sessions_user_digest"


def upgrade() -> None:
    """Create the session table and its index where missing."""
    inspector = sa.inspect(op.get_bind())
    if not inspector.has_table(_TABLE):
        op.create_table(
            _TABLE,
            sa.Column("id_hash", sa.String(64), primary_key=True),
            sa.Column("kind", sa.String(16), nullable=False),
            sa.Column("user_digest", sa.String(64), nullable=False),
            sa.Column("created_at", _TS, nullable=False),
            sa.Column("last_seen_at", _TS, nullable=False),
            sa.Column("revoked_at", _TS, nullable=True),
        )
        present: set[str] = set()
    else:
        present = {ix["name"] for ix in inspector.get_indexes(_TABLE) if ix["name"]}
    if _INDEX not in present:
        op.create_index(_INDEX, _TABLE, ["user_digest"])


def downgrade() -> None:
    """Refuse: MailGuard migrations go forward only."""
    raise NotImplementedError("MailGuard migrations go forward only; restore a backup instead")
