"""Keep the registry of Qontak staff members and the roles they hold.

A staff member is known by their work email; the roles come from the policy's
``[staff.roles]``. Removing a member deactivates them (the row stays, so past grants and
audit entries keep pointing at a known id). Every change is appended to the audit log
before it is committed; if the log cannot record it, the change is refused.

Security caveat: the audit log names a member by the registry's opaque id (``stf_...``),
never by their address; the address is looked up here.
"""

from __future__ import annotations

import secrets
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    DateTime,
    Engine,
    ForeignKey,
    Row,
    String,
    Table,
    delete,
    insert,
    select,
    update,
)

from audit import AuditLog
from guard.db import metadata
from guard.errors import GuardError
from guard.policy import Actor, ActorKind, Policy
from guard.recording import record

Clock = Callable[[], datetime]

#: The purpose every registry change is recorded under.
ADMIN_PURPOSE = "guard.administration"

staff_members = Table(
    "staff_members", metadata,
    Column("email", String(320), primary_key=True),
    Column("id", String(40), nullable=False, unique=True),
    Column("active", Boolean, nullable=False),
    Column("added_at", DateTime(timezone=True), nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False),
)

staff_roles = Table(
    "staff_roles", metadata,
    Column("email", String(320), ForeignKey("staff_members.email"), primary_key=True),
    Column("role", String(64), primary_key=True),
)


class StaffError(GuardError, ValueError):
    """A staff registry request is invalid: an unknown role, a malformed address."""


class UnknownStaff(GuardError, LookupError):
    """No active staff member has this address."""


@dataclass(frozen=True, slots=True)
class StaffMember:
    """A staff member: work email, opaque id, the roles they hold, and whether active."""

    email: str
    id: str
    roles: frozenset[str]
    active: bool
    added_at: datetime
    changed_at: datetime

    def actor(self, role: str) -> Actor:
        """Return the staff actor acting in ``role``; raise StaffError if not held."""
        if not self.active:
            raise UnknownStaff("this staff member was removed; add them again to act")
        if role not in self.roles:
            raise StaffError(f"this staff member does not hold the role {role!r}; "
                             f"their roles: {', '.join(sorted(self.roles)) or 'none'}")
        return Actor(kind=ActorKind.STAFF, id=self.email, role=role)


def normalise_email(email: str) -> str:
    """Return the address trimmed and lower-cased; raise StaffError if it is not one.

    A staff address is plain ASCII: a full-width plus (U+FF0B), a full-width letter or
    any other compatibility character could make one person's address pass for another's
    (``alice\uff0bx@`` is not ``alice+x@`` to a string comparison), and Google Workspace
    addresses never hold one.
    """
    value = email.strip().lower()
    foreign = next((c for c in value if not c.isascii()), None)
    if foreign is not None:
        name = unicodedata.name(foreign, "a non-ASCII character")
        raise StaffError(f"a staff address is a plain ASCII work address (name@qontak.com); "
                         f"this one holds U+{ord(foreign):04X} ({name}), which can pass for "
                         "another character; type the address again")
    local, at, domain = value.partition("@")
    if not at or not local or "." not in domain or any(c.isspace() for c in value) \
            or len(value) > 320:
        raise StaffError("give a staff member's work email address, e.g. name@qontak.com")
    if "+" in local:
        # name+tag@ delivers to name@: one person under two addresses could approve their
        # own grant. Google Workspace accounts have no such address to sign in with.
        raise StaffError("give the staff member's own address, without a +tag "
                         "(name@qontak.com, not name+tag@qontak.com)")
    return value


def _removable(email: str) -> str:
    """Return the address ``remove`` looks for: normalised, or as stored when non-ASCII.

    Releases before addresses had to be ASCII may have stored a look-alike one; it can
    no longer act (``get`` finds nothing for it), and can still be removed.
    """
    try:
        return normalise_email(email)
    except StaffError:
        value = email.strip().lower()
        if value.isascii():
            raise
        return value


class StaffRegistry:
    """Add, remove and look up staff members; every change is audited first."""

    def __init__(self, engine: Engine, policy: Policy, audit: AuditLog, *,
                 clock: Clock | None = None) -> None:
        self._engine = engine
        self._policy = policy
        self._audit = audit
        self._clock = clock or (lambda: datetime.now(UTC))

    @property
    def allowed_roles(self) -> tuple[str, ...]:
        """Return the role names the policy defines, sorted."""
        return tuple(sorted(self._policy.staff.roles))

    def add(self, email: str, *, roles: Iterable[str], by: Actor,
            request_id: str = "") -> StaffMember:
        """Add ``email`` with ``roles`` (or add roles to, and reactivate, a known member)."""
        address = normalise_email(email)
        if isinstance(roles, str | bytes):
            raise StaffError(f"give the roles as a list, e.g. [{roles!r}]; allowed: "
                             f"{', '.join(self.allowed_roles)}")
        wanted = frozenset(roles)
        if not wanted:
            raise StaffError(f"give at least one role; allowed: {', '.join(self.allowed_roles)}")
        unknown = sorted(wanted - set(self._policy.staff.roles))
        if unknown:
            raise StaffError(f"unknown role {unknown[0]!r}; allowed roles: "
                             f"{', '.join(self.allowed_roles)}")
        now = self._clock()
        with self._engine.begin() as conn:
            existing = self._load(conn, address)
            member_id = existing.id if existing else "stf_" + secrets.token_hex(10)
            self._record(by, "staff.add", "staff.added", member_id, sorted(wanted), request_id)
            if existing is None:
                conn.execute(insert(staff_members).values(
                    email=address, id=member_id, active=True, added_at=now, changed_at=now))
                new_roles = wanted
            else:
                conn.execute(update(staff_members).where(staff_members.c.email == address)
                             .values(active=True, changed_at=now))
                new_roles = wanted - existing.roles
            if new_roles:
                conn.execute(insert(staff_roles),
                             [{"email": address, "role": r} for r in sorted(new_roles)])
            member = self._load(conn, address)
        assert member is not None
        return member

    def remove(self, email: str, *, by: Actor, request_id: str = "") -> StaffMember:
        """Deactivate ``email`` and drop their roles; raise UnknownStaff if not active."""
        address = _removable(email)
        with self._engine.begin() as conn:
            existing = self._load(conn, address)
            if existing is None or not existing.active:
                raise UnknownStaff("no active staff member has this address; "
                                   "see `mailguard staff list`")
            self._record(by, "staff.remove", "staff.removed", existing.id,
                         sorted(existing.roles), request_id)
            conn.execute(update(staff_members).where(staff_members.c.email == address)
                         .values(active=False, changed_at=self._clock()))
            conn.execute(delete(staff_roles).where(staff_roles.c.email == address))
            member = self._load(conn, address)
        assert member is not None
        return member

    def get(self, email: str) -> StaffMember | None:
        """Return the member with this address (active or not), or None."""
        try:
            address = normalise_email(email)
        except StaffError:
            return None
        with self._engine.connect() as conn:
            return self._load(conn, address)

    def members(self, *, include_inactive: bool = False,
                role: str | None = None) -> tuple[StaffMember, ...]:
        """Return members sorted by address; only active ones unless asked otherwise."""
        with self._engine.connect() as conn:
            rows = conn.execute(select(staff_members).order_by(staff_members.c.email)).all()
            role_rows = conn.execute(select(staff_roles.c.email, staff_roles.c.role)).all()
        held: dict[str, set[str]] = {}
        for email, r in role_rows:
            held.setdefault(email, set()).add(r)
        found = (_member(row, held.get(row.email, set())) for row in rows)
        return tuple(m for m in found if (include_inactive or m.active)
                     and (role is None or role in m.roles))

    def require_actor(self, actor: Actor) -> StaffMember:
        """Return the active member behind a staff ``actor`` holding ``actor.role``.

        Raise UnknownStaff or StaffError otherwise.
        """
        member = self.get(actor.id) if actor.kind is ActorKind.STAFF else None
        if member is None or not member.active:
            raise UnknownStaff("the actor is not an active staff member; "
                               "add them with `mailguard staff add`")
        member.actor(actor.role or "")
        return member

    def _record(self, by: Actor, action: str, rule_id: str, member_id: str,
                roles: list[str], request_id: str) -> None:
        """Append the change to the audit log; AuditUnavailable aborts the transaction."""
        record(self._audit, actor=by, action=action, purpose=ADMIN_PURPOSE, allowed=True,
               rule_id=rule_id, policy_version=self._policy.version, basis_ref=member_id,
               request_id=request_id, outcome="roles=" + ",".join(roles))

    @staticmethod
    def _load(conn: Connection, address: str) -> StaffMember | None:
        row = conn.execute(select(staff_members).where(staff_members.c.email == address)).first()
        if row is None:
            return None
        roles = conn.execute(
            select(staff_roles.c.role).where(staff_roles.c.email == address)).scalars().all()
        return _member(row, set(roles))


def _member(row: Row[Any], roles: set[str]) -> StaffMember:
    return StaffMember(email=row.email, id=row.id, roles=frozenset(roles),
                       active=bool(row.active), added_at=aware(row.added_at),
                       changed_at=aware(row.changed_at))


def aware(moment: datetime) -> datetime:
    """Return ``moment`` as aware UTC (SQLite hands back naive datetimes)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
