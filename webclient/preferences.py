"""The reader's own choices that outlive a session: senders whose remote images load.

Only a keyed hash of (user, sender address) is stored, so the table never holds an address.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import Flask, current_app
from sqlalchemy import Column, DateTime, Engine, MetaData, String, Table, func, insert, select
from sqlalchemy.exc import IntegrityError

from guard.db import create_tables, open_engine

metadata = MetaData()

trusted_senders = Table(
    "webclient_trusted_senders", metadata,
    Column("digest", String(64), primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

EXTENSION = "mailguard.preferences"


def init_app(app: Flask) -> None:
    """Open the preferences table on the app's database."""
    engine = open_engine(str(app.config["DATABASE_URL"]))
    create_tables(engine, metadata)
    app.extensions[EXTENSION] = engine


def _engine() -> Engine:
    engine: Engine = current_app.extensions[EXTENSION]
    return engine


def _digest(user: str, sender: str) -> str:
    key = (current_app.secret_key or "").encode() if isinstance(
        current_app.secret_key, str) else bytes(current_app.secret_key or b"")
    text = f"{user}\n{sender.strip().lower()}".encode()
    return hmac.new(key, b"trusted-sender\n" + text, hashlib.sha256).hexdigest()


def trusts_sender(user: str, sender: str) -> bool:
    """Return whether ``user`` chose to always load remote images from ``sender``."""
    if not user or not sender:
        return False
    with _engine().connect() as conn:
        row = conn.execute(select(trusted_senders.c.digest).where(
            trusted_senders.c.digest == _digest(user, sender))).first()
    return row is not None


def trust_sender(user: str, sender: str) -> None:
    """Remember that ``user`` wants remote images from ``sender`` loaded."""
    try:
        with _engine().begin() as conn:
            conn.execute(insert(trusted_senders).values(digest=_digest(user, sender)))
    except IntegrityError:
        pass  # already trusted
