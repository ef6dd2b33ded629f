"""Store every consent's owner trimmed and lower-cased, as the guard has since c7c88b9.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26

``guard.consents`` stores and looks up a consent's owner (the ``user`` column of
``consents`` and ``transfer_consents``) trimmed and lower-cased, but consents recorded
before that stored the address as the web client gave it (``Owner@Example.COM``): the
owner's privacy centre no longer listed them, so they could not be seen or withdrawn
there, while staff could still use them. Each such owner is rewritten to the stored form,
in Python (SQLite's ``lower`` leaves non-ASCII capitals alone), one row at a time; lookups
stay exact and indexed. A frozen copy of ``guard.consents._mailbox`` at this revision.

Security caveat: only the owner column changes; a sealed wording is bound to its table and
consent id, not to the owner, so it still opens. No address is logged or shown here.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_TABLES = ("consents", "transfer_consents")


def _stored_form(address: str) -> str:
    """Return an owner as ``guard.consents`` stores it: trimmed, lower-cased."""
    return address.strip().lower()


def upgrade() -> None:
    """Rewrite every owner not already in its stored form."""
    bind = op.get_bind()
    for name in _TABLES:
        table = sa.table(name, sa.column("id", sa.String), sa.column("user", sa.String))
        rows = bind.execute(sa.select(table.c.id, table.c.user)).all()
        for row in rows:
            stored = _stored_form(row.user)
            if stored != row.user:
                bind.execute(sa.update(table).where(table.c.id == row.id)
                             .values(user=stored))


def downgrade() -> None:
    """Refuse: MailGuard migrations go forward only."""
    raise NotImplementedError("MailGuard migrations go forward only; restore a backup instead")
