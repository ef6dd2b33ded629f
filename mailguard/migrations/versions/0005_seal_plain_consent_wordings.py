"""Seal the consent wordings that releases before sealing stored in plain text.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26

Consent wordings have been sealed at rest since after 0001 (``guard.consents``), but no
revision converted the ones already stored: the guard refuses a plain wording as unsealed,
so a deployment's existing consents could no longer be shown, withdrawn or applied. Each
plain wording whose SHA-256 (what those releases stored beside it) still matches is sealed
with the newest token vault key, bound to its table and consent id, and gets the keyed
MAC in place of the plain hash: a frozen copy of ``guard.consents`` at this revision.

The keys come from ``mailguard db upgrade`` (``MAILGUARD_TOKEN_KEYS``); without them a
database holding plain wordings is refused and left unchanged. A wording whose hash does not
match was altered and is left as it is; the guard goes on refusing it as altered.

Security caveat: wordings can quote message subjects; none is logged or shown here.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import context, op

from guard.vault import VaultKeyError, VaultKeys, sealed_key_id
from mailguard.migrations import TOKEN_KEYS_ATTRIBUTE, MigrationError

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_WORDING_CONTEXT = b"mailguard/consent-wording/v1\x00"
_TABLES = ("consents", "transfer_consents")


def _plain_rows(table: sa.TableClause) -> list[sa.Row[Any, Any, Any]]:
    """Return the rows whose wording is plain text that still matches its stored hash."""
    rows = op.get_bind().execute(
        sa.select(table.c.id, table.c.wording, table.c.wording_sha256)).all()
    return [row for row in rows
            if hashlib.sha256(row.wording.encode("utf-8")).hexdigest() == row.wording_sha256]


def _keys(count: int) -> VaultKeys:
    given: Sequence[str] = context.config.attributes.get(TOKEN_KEYS_ATTRIBUTE) or ()
    if not given:
        raise MigrationError(
            f"{count} consent wordings are stored in plain text and must be sealed with the "
            "token vault keys; set MAILGUARD_TOKEN_KEYS as the web processes have it and run "
            "mailguard db upgrade again (nothing was changed)")
    try:
        return VaultKeys(given)
    except VaultKeyError as error:
        raise MigrationError(f"MAILGUARD_TOKEN_KEYS: {error}") from None


def upgrade() -> None:
    """Seal every plain, unaltered consent wording with the newest vault key."""
    tables = {name: sa.table(name, sa.column("id", sa.String), sa.column("wording", sa.Text),
                             sa.column("wording_sha256", sa.String)) for name in _TABLES}
    plain = {name: _plain_rows(table) for name, table in tables.items()}
    count = sum(len(rows) for rows in plain.values())
    if not count:
        return
    keys = _keys(count)
    for name, rows in plain.items():
        table = tables[name]
        for row in rows:
            bound = _WORDING_CONTEXT + name.encode("ascii") + b"\x00" + row.id.encode("utf-8")
            sealed = keys.seal_text(row.wording, context=bound)
            mac = keys.mac(sealed_key_id(sealed), row.wording.encode("utf-8"), context=bound)
            op.get_bind().execute(
                sa.update(table).where(table.c.id == row.id)
                .values(wording=sealed, wording_sha256=mac))


def downgrade() -> None:
    """Refuse: MailGuard migrations go forward only."""
    raise NotImplementedError("MailGuard migrations go forward only; restore a backup instead")
