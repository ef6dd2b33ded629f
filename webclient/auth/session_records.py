"""Server-side records of mail and staff sessions, so sign-out ends every copy of a cookie.

Both session cookies are signed and carry a random session id. Signing proves the cookie
was issued here, not that it is still wanted: a copy taken before sign-out would stay valid
until it expires. Each sign-in therefore writes a record (kind, hashed session id, keyed
hash of the user, created, last seen, revoked) to the app's database, every request looks
its record up by primary key, and sign-out marks it revoked, for all web processes at once.

Security caveats: only a SHA-256 of the session id and a keyed hash of the user are stored,
so the table holds neither a usable session id nor an address. A missing table or record
means "signed out" (fail closed). A kind may have limits: a mail session ends 12 hours
after sign-in however busy, and after 30 minutes without a request (OWASP ASVS 4.0 level
2, V3.3.2); the cookie's own expiry is no limit, since every answer renews it. The table
is web state, so it lives on its own ``MetaData`` like ``webclient.preferences``; it is
created when first needed.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    MetaData,
    String,
    Table,
    bindparam,
    select,
    update,
)

from guard.db import create_tables
from webclient.guard_link import current_guard

metadata = MetaData()

web_sessions = Table(
    "webclient_sessions", metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("user_digest", String(64), nullable=False, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_seen_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
)

EXTENSION = "mailguard.session_records"
#: How stale ``last_seen_at`` may grow before a request writes it again (one write at most
#: per session per interval, so a busy page costs one indexed read, not a write).
TOUCH_INTERVAL = timedelta(minutes=5)


class SessionKind(enum.Enum):
    """Which cookie a record belongs to."""

    MAIL = "mail"
    STAFF = "staff"


@dataclass(frozen=True, slots=True)
class SessionLimits:
    """How long a session of one kind may live, and how long it may go unused.

    ``idle`` is measured from ``last_seen_at``, which is written at most every
    ``TOUCH_INTERVAL``, so it must be longer than that interval.
    """

    lifetime: timedelta
    idle: timedelta

    def __post_init__(self) -> None:
        if self.idle <= TOUCH_INTERVAL or self.lifetime <= timedelta(0):
            raise ValueError(f"session limits need a positive lifetime and an idle time "
                             f"longer than {TOUCH_INTERVAL}")


#: The mail session's limits unless the app's configuration sets MAIL_SESSION_HOURS or
#: MAIL_SESSION_IDLE_MINUTES.
MAIL_LIMITS = SessionLimits(lifetime=timedelta(hours=12), idle=timedelta(minutes=30))
#: The staff session's limits unless STAFF_SESSION_HOURS or STAFF_SESSION_IDLE_MINUTES set
#: them: 8 hours however busy (the cookie's own lifetime too), 30 minutes unused.
STAFF_LIMITS = SessionLimits(lifetime=timedelta(hours=8), idle=timedelta(minutes=30))


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """One issued session as the server remembers it."""

    kind: SessionKind
    created_at: datetime
    last_seen_at: datetime
    revoked_at: datetime | None

    @property
    def live(self) -> bool:
        """Return whether the session has not been revoked."""
        return self.revoked_at is None


@dataclass(frozen=True, slots=True)
class LiveSession:
    """A session that would still be let in: when it began and was last used.

    ``id_hash`` tells the session it describes (``is_session``) without holding its id.
    """

    id_hash: str
    created_at: datetime
    last_seen_at: datetime

    def is_session(self, session_id: str) -> bool:
        """Return whether this record is the one of ``session_id``."""
        return bool(session_id) and hmac.compare_digest(self.id_hash, _hash(session_id))


class SessionStore:
    """Issue, look up and revoke session records on one database."""

    def __init__(self, engine: Engine, *, key: bytes, clock: Callable[[], datetime],
                 limits: Mapping[SessionKind, SessionLimits] | None = None) -> None:
        if not key:
            raise ValueError("session records need the app's secret key; set SECRET_KEY")
        self._engine = engine
        self._key = key
        self._clock = clock
        self._limits = dict(limits or {})
        create_tables(engine, metadata)

    def issue(self, kind: SessionKind, user: str) -> str:
        """Record a new session of ``user``; return its random id (for the cookie only)."""
        session_id = secrets.token_urlsafe(24)
        now = self._clock()
        with self._engine.begin() as conn:
            conn.execute(web_sessions.insert().values(
                id_hash=_hash(session_id), kind=kind.value,
                user_digest=self._user_digest(kind, user), created_at=now,
                last_seen_at=now, revoked_at=None))
        return session_id

    def check(self, kind: SessionKind, user: str, session_id: str) -> SessionRecord | None:
        """Return the live record of ``session_id`` for ``user``, or None (signed out)."""
        if not session_id:
            return None
        with self._engine.connect() as conn:
            row = conn.execute(_BY_ID, {"id_hash": _hash(session_id)}).first()
        if row is None or row.kind != kind.value or row.revoked_at is not None:
            return None
        if not hmac.compare_digest(row.user_digest, self._user_digest(kind, user)):
            return None
        record = SessionRecord(kind=kind, created_at=_aware(row.created_at),
                               last_seen_at=_aware(row.last_seen_at), revoked_at=None)
        now = self._clock()
        limits = self._limits.get(kind)
        if limits is not None and (now - record.created_at >= limits.lifetime
                                   or now - record.last_seen_at >= limits.idle):
            return None
        if now - record.last_seen_at >= TOUCH_INTERVAL:
            with self._engine.begin() as conn:
                conn.execute(update(web_sessions).where(
                    web_sessions.c.id_hash == _hash(session_id)).values(last_seen_at=now))
        return record

    def revoke(self, session_id: str) -> bool:
        """Mark ``session_id`` revoked; return whether a live record was revoked."""
        if not session_id:
            return False
        with self._engine.begin() as conn:
            done = conn.execute(update(web_sessions).where(
                web_sessions.c.id_hash == _hash(session_id),
                web_sessions.c.revoked_at.is_(None)).values(revoked_at=self._clock()))
        return bool(done.rowcount)

    def live_sessions(self, kind: SessionKind, user: str) -> list[LiveSession]:
        """Return ``user``'s sessions of ``kind`` that would still be let in, newest first."""
        now = self._clock()
        limits = self._limits.get(kind)
        with self._engine.connect() as conn:
            rows = conn.execute(select(web_sessions).where(
                web_sessions.c.user_digest == self._user_digest(kind, user),
                web_sessions.c.kind == kind.value,
                web_sessions.c.revoked_at.is_(None))).all()
        found = []
        for row in rows:
            created, seen = _aware(row.created_at), _aware(row.last_seen_at)
            if limits is not None and (now - created >= limits.lifetime
                                       or now - seen >= limits.idle):
                continue
            found.append(LiveSession(id_hash=row.id_hash, created_at=created,
                                     last_seen_at=seen))
        return sorted(found, key=lambda s: s.last_seen_at, reverse=True)

    def revoke_all(self, kind: SessionKind, user: str) -> int:
        """Revoke every live session of ``user`` of ``kind``; return how many."""
        with self._engine.begin() as conn:
            done = conn.execute(update(web_sessions).where(
                web_sessions.c.user_digest == self._user_digest(kind, user),
                web_sessions.c.kind == kind.value,
                web_sessions.c.revoked_at.is_(None)).values(revoked_at=self._clock()))
        return int(done.rowcount)

    def _user_digest(self, kind: SessionKind, user: str) -> str:
        text = f"{kind.value}\n{user.strip().lower()}".encode()
        return hmac.new(self._key, b"session-user\n" + text, hashlib.sha256).hexdigest()


#: The record of one session id (built once: every signed-in page reads it).
_BY_ID = select(web_sessions).where(web_sessions.c.id_hash == bindparam("id_hash"))


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def _aware(moment: datetime) -> datetime:
    """Return ``moment`` with UTC attached when the database dropped the zone (SQLite)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def store() -> SessionStore:
    """Return this app's session store (opened on the guard's database at first use)."""
    found: SessionStore | None = current_app.extensions.get(EXTENSION)
    if found is None:
        guard = current_guard()
        secret = current_app.secret_key or ""
        key = secret.encode() if isinstance(secret, str) else bytes(secret)
        hours = current_app.config.get("MAIL_SESSION_HOURS")
        minutes = current_app.config.get("MAIL_SESSION_IDLE_MINUTES")
        mail = SessionLimits(
            lifetime=timedelta(hours=float(hours)) if hours else MAIL_LIMITS.lifetime,
            idle=timedelta(minutes=float(minutes)) if minutes else MAIL_LIMITS.idle)
        staff_hours = current_app.config.get("STAFF_SESSION_HOURS")
        staff_minutes = current_app.config.get("STAFF_SESSION_IDLE_MINUTES")
        staff = SessionLimits(
            lifetime=timedelta(hours=float(staff_hours)) if staff_hours
            else STAFF_LIMITS.lifetime,
            idle=timedelta(minutes=float(staff_minutes)) if staff_minutes
            else STAFF_LIMITS.idle)
        found = SessionStore(guard.engine, key=key, clock=guard.settings.clock,
                             limits={SessionKind.MAIL: mail, SessionKind.STAFF: staff})
        current_app.extensions[EXTENSION] = found
    return found
