"""Record users' consents: staff viewing specific messages, and transfers to a recipient.

A view consent says that a named grantee (a staff role such as ``support``, or one staff
member by address) may view exactly the listed message ids of the user's mailbox until an
expiry no later than the policy allows. A transfer consent says that the user's data may
go to one listed recipient. Both keep the exact wording the user was shown, when and by
whom they agreed, and are revocable at any time; nothing is cached, so a revocation takes
effect on the next request. Every record is audited before it is stored; a revocation
takes effect once however many requests ask at the same moment, and stands only with
its audit entry (``guard.revocation``).

Security caveat: only the user themselves (a user actor whose id is the mailbox) can record
or revoke their consent; the wording is stored here, never in the audit log. The wording
names messages (subjects, senders), so it is sealed at rest with the token vault's keys
(AES-256-GCM, bound to the table and consent id: a wording moved to another row does not
open). The ``wording_sha256`` column holds an HMAC under a key derived from the sealing key,
never a plain hash, which would let anyone confirm a guessed subject.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Engine, Row, String, Table, Text, insert, select
from sqlalchemy import update as sql_update

from audit import AuditLog, ResourceKind, ResourceRef
from guard.db import metadata
from guard.errors import GuardError
from guard.policy import AccessBasis, Actor, ActorKind, Consent, Policy, TransferConsent
from guard.recording import record, ref, refs_of
from guard.revocation import revoke_once
from guard.staff import StaffError, aware, normalise_email
from guard.vault import RotationReport, VaultKeyError, VaultKeys, sealed_key_id

Clock = Callable[[], datetime]

#: The purpose consent changes are recorded under.
CONSENT_PURPOSE = "privacy.consent"
MAX_WORDING = 20_000
MAX_ID = 256
#: The most message ids one consent may name: its record and every staff view of it are
#: audited as one entry naming each id (the log takes at most 1,000 resources an entry).
MAX_MESSAGES = 500

view_consents = Table(
    "consents", metadata,
    Column("id", String(40), primary_key=True),
    Column("user", String(320), nullable=False, index=True),
    Column("grantee", String(320), nullable=False),
    Column("message_ids", JSON, nullable=False),
    Column("wording", Text, nullable=False),
    Column("wording_sha256", String(64), nullable=False),
    Column("agreed_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
)

transfer_consents = Table(
    "transfer_consents", metadata,
    Column("id", String(40), primary_key=True),
    Column("user", String(320), nullable=False, index=True),
    Column("recipient_id", String(128), nullable=False),
    Column("wording", Text, nullable=False),
    Column("wording_sha256", String(64), nullable=False),
    Column("agreed_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True)),
    Column("revoked_at", DateTime(timezone=True)),
)


class InvalidConsent(GuardError, ValueError):
    """A consent cannot be recorded as asked: bad grantee, ids, wording or expiry."""


class ConsentNotFound(GuardError, LookupError):
    """No consent of this user has this id."""


@dataclass(frozen=True, slots=True)
class ConsentRecord:
    """A stored view consent, with the wording the user was shown and when they agreed."""

    id: str
    user: str
    grantee: str
    message_ids: frozenset[str]
    wording: str = field(repr=False)
    agreed_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    #: Set only on what ``revoke`` returns: True when an earlier (or a simultaneous)
    #: revocation had already revoked it, so that call changed nothing.
    already_revoked: bool = field(default=False, compare=False)

    def as_consent(self, now: datetime | None = None) -> Consent:
        """Return the value the policy decides over.

        Given ``now`` (a live decision), a recorded revocation is in force from ``now`` at
        the latest: one written by a host whose clock runs ahead is no future revocation.
        """
        return Consent(id=self.id, user=self.user, grantee=self.grantee,
                       message_ids=self.message_ids, expires_at=self.expires_at,
                       revoked_at=revoked_by(self.revoked_at, now))

    def in_force(self, now: datetime) -> bool:
        """Return True when not revoked (at whatever time a host recorded it) and not
        expired at ``now``."""
        return self.revoked_at is None and self.expires_at > now


@dataclass(frozen=True, slots=True)
class TransferConsentRecord:
    """A stored transfer consent, with the wording shown and when the user agreed."""

    id: str
    user: str
    recipient_id: str
    wording: str = field(repr=False)
    agreed_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    #: Set only on what ``revoke`` returns: True when an earlier (or a simultaneous)
    #: revocation had already revoked it, so that call changed nothing.
    already_revoked: bool = field(default=False, compare=False)

    def as_consent(self, now: datetime | None = None) -> TransferConsent:
        """Return the value the policy decides over (``now``: as ``ConsentRecord``'s)."""
        return TransferConsent(id=self.id, user=self.user, recipient_id=self.recipient_id,
                               expires_at=self.expires_at,
                               revoked_at=revoked_by(self.revoked_at, now))


def revoked_by(revoked_at: datetime | None, now: datetime | None) -> datetime | None:
    """Return when a revocation is in force for a decision at ``now``.

    Several hosts write revocations, each with its own clock; a ``revoked_at`` later than
    this host's ``now`` was still written before this decision, so it counts from ``now``.
    Without ``now`` (a what-if at another time) it stays as recorded.
    """
    if revoked_at is None or now is None:
        return revoked_at
    return min(revoked_at, now)


def _check_user(actor: Actor) -> str:
    """Return the mailbox of the user ``actor`` as the guard stores it (trimmed, lower-case)."""
    if actor.kind is not ActorKind.USER or not actor.id or not actor.id.strip():
        raise InvalidConsent("only the mailbox owner can give or revoke consent; "
                             "act as the user whose mailbox it is")
    return _mailbox(actor.id)


def _mailbox(address: str) -> str:
    return address.strip().lower()


def _check_expiry(expires_at: datetime) -> datetime:
    """Return ``expires_at`` in UTC; refuse a time without a zone.

    Stored in UTC, since SQLite keeps no offset: 13:00+07:00 would come back as 13:00 UTC.
    """
    if not isinstance(expires_at, datetime) or expires_at.tzinfo is None \
            or expires_at.utcoffset() is None:
        raise InvalidConsent("give the expiry as a timezone-aware time, e.g. with tzinfo=UTC")
    return expires_at.astimezone(UTC)


def _check_message_ids(message_ids: Iterable[str]) -> frozenset[str]:
    if isinstance(message_ids, str | bytes | bytearray):
        raise InvalidConsent("give the message ids as a list of ids, not one string")
    return frozenset(_check_id(m, "each message id") for m in message_ids)


def _check_wording(wording: str) -> str:
    if not wording.strip():
        raise InvalidConsent("store the exact wording the user was shown; it is empty")
    if len(wording) > MAX_WORDING:
        raise InvalidConsent(f"the consent wording is over {MAX_WORDING} characters; "
                             "show the user a shorter text")
    return wording


def _check_id(value: str, what: str) -> str:
    if not isinstance(value, str) or not value or len(value) > MAX_ID \
            or not value.isprintable() or value != value.strip():
        raise InvalidConsent(f"{what} must be a non-empty single-line id of at most "
                             f"{MAX_ID} characters")
    return value


_WORDING_CONTEXT = b"mailguard/consent-wording/v1\x00"


def _context(table: Table, consent_id: str) -> bytes:
    return _WORDING_CONTEXT + table.name.encode("ascii") + b"\x00" + consent_id.encode("utf-8")


@dataclass(frozen=True, slots=True)
class _SealedWording:
    """A wording as stored: sealed text and its keyed MAC."""

    wording: str
    wording_sha256: str


def _seal(keys: VaultKeys, table: Table, consent_id: str, wording: str) -> _SealedWording:
    context = _context(table, consent_id)
    sealed = keys.seal_text(wording, context=context)
    return _SealedWording(sealed, keys.mac(sealed_key_id(sealed), wording.encode("utf-8"),
                                           context=context))


def _open(keys: VaultKeys, table: Table, row: Row[Any]) -> str:
    context = _context(table, row.id)
    wording = keys.open_text(row.wording, context=context)
    expected = keys.mac(sealed_key_id(row.wording), wording.encode("utf-8"), context=context)
    if not hmac.compare_digest(expected, row.wording_sha256):
        raise VaultKeyError(f"the wording MAC of consent {row.id} does not match its wording; "
                            "the row was altered")
    return wording


class ConsentBook:
    """Record, revoke and load users' consents to staff viewing specific messages."""

    def __init__(self, engine: Engine, policy: Policy, audit: AuditLog, *, keys: VaultKeys,
                 clock: Clock | None = None) -> None:
        self._engine = engine
        self._keys = keys
        self._policy = policy
        self._audit = audit
        self._clock = clock or (lambda: datetime.now(UTC))

    def grantable_roles(self) -> tuple[str, ...]:
        """Return the roles a user may name as grantee (roles allowed the consent basis)."""
        return tuple(sorted(name for name, role in self._policy.staff.roles.items()
                            if AccessBasis.CONSENT in role.bases))

    def record(self, *, actor: Actor, grantee: str, message_ids: Iterable[str], wording: str,
               expires_at: datetime | None = None, request_id: str = "") -> ConsentRecord:
        """Record that the user agreed ``grantee`` may view ``message_ids`` until ``expires_at``.

        ``grantee`` is a role from ``grantable_roles()`` or a staff member's address;
        ``expires_at`` defaults to, and may not exceed, now plus the policy's maximum.
        """
        user = _check_user(actor)
        now = aware(self._clock())
        ids = _check_message_ids(message_ids)
        if not ids:
            raise InvalidConsent("name at least one message id the user agreed to show")
        if len(ids) > MAX_MESSAGES:
            raise InvalidConsent(f"a consent names at most {MAX_MESSAGES} messages; ask for "
                                 "several consents, or a narrower selection")
        grantee = grantee.strip() if isinstance(grantee, str) else grantee
        if isinstance(grantee, str) and "@" in grantee:
            try:  # the rules staff addresses follow: ASCII, no +tag
                grantee = _check_id(normalise_email(grantee), "the grantee")
            except StaffError as error:
                raise InvalidConsent(f"the grantee: {error}") from None
        elif grantee not in self.grantable_roles():
            raise InvalidConsent(f"the grantee must be a staff address or one of the roles "
                                 f"{', '.join(self.grantable_roles())}")
        latest = now + self._policy.staff.max_consent
        expiry = _check_expiry(expires_at) if expires_at is not None else latest
        if expiry <= now or expiry > latest:
            raise InvalidConsent(f"the expiry must be in the future and at most "
                                 f"{self._policy.staff.max_consent.days} days away")
        consent_id = "cns_" + secrets.token_hex(12)
        wording = _check_wording(wording)
        with self._engine.begin() as conn:
            record(self._audit, actor=actor, action="consent.record", purpose=CONSENT_PURPOSE,
                   allowed=True, rule_id="consent.recorded",
                   policy_version=self._policy.version, mailbox=user,
                   basis=AccessBasis.CONSENT.value, basis_ref=consent_id,
                   resources=(ResourceRef(ResourceKind.CONSENT, consent_id),
                              *refs_of(ResourceKind.MESSAGE, ids)),
                   request_id=request_id, outcome=_grantee_label(grantee))
            sealed = _seal(self._keys, view_consents, consent_id, wording)
            conn.execute(insert(view_consents).values(
                id=consent_id, user=user, grantee=grantee, message_ids=sorted(ids),
                wording=sealed.wording, wording_sha256=sealed.wording_sha256, agreed_at=now,
                expires_at=expiry, revoked_at=None))
        return ConsentRecord(consent_id, user, grantee, ids, wording, now, expiry, None)

    def revoke(self, consent_id: str, *, actor: Actor, request_id: str = "") -> ConsentRecord:
        """Revoke the user's consent now, once.

        Revoking an already revoked one (earlier, or by a request at the same moment)
        changes nothing: the consent keeps its first ``revoked_at``, the attempt is recorded
        as ``consent.already_revoked`` and the record comes back with ``already_revoked``.
        """
        user = _check_user(actor)
        found = self.get(consent_id)
        if found is None or _mailbox(found.user) != user:
            # Another user's consent id, or a guessed one: refused, and recorded as such.
            record(self._audit, actor=actor, action="consent.revoke", purpose=CONSENT_PURPOSE,
                   allowed=False,
                   rule_id="consent.missing" if found is None else "consent.other_mailbox",
                   policy_version=self._policy.version,
                   mailbox=found.user if found is not None else user,
                   basis=AccessBasis.CONSENT.value, basis_ref=consent_id,
                   resources=(ref(ResourceKind.CONSENT, consent_id),),
                   request_id=request_id, outcome="not_found")
            raise ConsentNotFound("this user has no consent with that id; list their "
                                  "consents to find it")
        now = aware(self._clock())

        def recorded(rule_id: str, outcome: str = "") -> None:
            record(self._audit, actor=actor, action="consent.revoke", purpose=CONSENT_PURPOSE,
                   allowed=True, rule_id=rule_id, policy_version=self._policy.version,
                   mailbox=user, basis=AccessBasis.CONSENT.value, basis_ref=consent_id,
                   resources=(ref(ResourceKind.CONSENT, consent_id),),
                   request_id=request_id, outcome=outcome)

        if revoke_once(self._engine, view_consents, consent_id, values={"revoked_at": now},
                       record=lambda: recorded("consent.revoked")):
            return replace(found, revoked_at=now)
        recorded("consent.already_revoked", "already_revoked")
        current = self.get(consent_id)
        assert current is not None
        return replace(current, already_revoked=True)

    def get(self, consent_id: str) -> ConsentRecord | None:
        """Return the consent with this id, fresh from the database, or None."""
        with self._engine.connect() as conn:
            row = conn.execute(select(view_consents)
                               .where(view_consents.c.id == consent_id)).first()
        return _view_record(row, self._keys) if row is not None else None

    def evidence(self, consent_id: str) -> Consent | None:
        """Return the consent as policy evidence now, or None when there is no such id."""
        found = self.get(consent_id)
        return found.as_consent(aware(self._clock())) if found is not None else None

    def for_user(self, user: str) -> tuple[ConsentRecord, ...]:
        """Return the user's consents, newest first."""
        with self._engine.connect() as conn:
            rows = conn.execute(select(view_consents)
                                .where(view_consents.c.user == _mailbox(user))
                                .order_by(view_consents.c.agreed_at.desc())).all()
        return tuple(_view_record(r, self._keys) for r in rows)


class TransferConsentBook:
    """Record, revoke and load users' consents to transfers to a listed recipient."""

    def __init__(self, engine: Engine, policy: Policy, audit: AuditLog, *, keys: VaultKeys,
                 clock: Clock | None = None) -> None:
        self._engine = engine
        self._keys = keys
        self._policy = policy
        self._audit = audit
        self._clock = clock or (lambda: datetime.now(UTC))

    def record(self, *, actor: Actor, recipient_id: str, wording: str,
               expires_at: datetime | None = None, request_id: str = ""
               ) -> TransferConsentRecord:
        """Record that the user agreed their data may go to ``recipient_id``."""
        user = _check_user(actor)
        if recipient_id not in self._policy.transfers.recipients:
            raise InvalidConsent("the recipient is not listed in the policy; a user can only "
                                 "consent to transfers to a listed recipient")
        now = aware(self._clock())
        if expires_at is not None:
            expires_at = _check_expiry(expires_at)
            if expires_at <= now:
                raise InvalidConsent("give the expiry as a timezone-aware time in the future")
        wording = _check_wording(wording)
        consent_id = "tcn_" + secrets.token_hex(12)
        with self._engine.begin() as conn:
            record(self._audit, actor=actor, action="transfer_consent.record",
                   purpose=CONSENT_PURPOSE, allowed=True, rule_id="transfer.consent_recorded",
                   policy_version=self._policy.version, mailbox=user, basis_ref=consent_id,
                   resources=(ResourceRef(ResourceKind.CONSENT, consent_id),
                              ResourceRef(ResourceKind.RECIPIENT, recipient_id)),
                   request_id=request_id)
            sealed = _seal(self._keys, transfer_consents, consent_id, wording)
            conn.execute(insert(transfer_consents).values(
                id=consent_id, user=user, recipient_id=recipient_id, wording=sealed.wording,
                wording_sha256=sealed.wording_sha256, agreed_at=now, expires_at=expires_at,
                revoked_at=None))
        return TransferConsentRecord(consent_id, user, recipient_id, wording, now, expires_at,
                                     None)

    def revoke(self, consent_id: str, *, actor: Actor, request_id: str = ""
               ) -> TransferConsentRecord:
        """Revoke the user's transfer consent now, once.

        As ``ConsentBook.revoke``: a second revocation changes nothing, is recorded as
        ``transfer.consent_already_revoked`` and comes back with ``already_revoked``.
        """
        user = _check_user(actor)
        found = self.get(consent_id)
        if found is None or _mailbox(found.user) != user:
            # Another user's transfer consent id, or a guessed one: refused and recorded.
            record(self._audit, actor=actor, action="transfer_consent.revoke",
                   purpose=CONSENT_PURPOSE, allowed=False,
                   rule_id=("transfer.consent_missing" if found is None
                            else "transfer.consent_mismatch"),
                   policy_version=self._policy.version,
                   mailbox=found.user if found is not None else user, basis_ref=consent_id,
                   resources=(ref(ResourceKind.CONSENT, consent_id),),
                   request_id=request_id, outcome="not_found")
            raise ConsentNotFound("this user has no transfer consent with that id")
        now = aware(self._clock())

        def recorded(rule_id: str, outcome: str = "") -> None:
            record(self._audit, actor=actor, action="transfer_consent.revoke",
                   purpose=CONSENT_PURPOSE, allowed=True, rule_id=rule_id,
                   policy_version=self._policy.version, mailbox=user, basis_ref=consent_id,
                   resources=(ResourceRef(ResourceKind.CONSENT, consent_id),
                              ResourceRef(ResourceKind.RECIPIENT, found.recipient_id)),
                   request_id=request_id, outcome=outcome)

        if revoke_once(self._engine, transfer_consents, consent_id,
                       values={"revoked_at": now},
                       record=lambda: recorded("transfer.consent_revoked")):
            return replace(found, revoked_at=now)
        recorded("transfer.consent_already_revoked", "already_revoked")
        current = self.get(consent_id)
        assert current is not None
        return replace(current, already_revoked=True)

    def get(self, consent_id: str) -> TransferConsentRecord | None:
        """Return the transfer consent with this id, fresh from the database, or None."""
        with self._engine.connect() as conn:
            row = conn.execute(select(transfer_consents)
                               .where(transfer_consents.c.id == consent_id)).first()
        return _transfer_record(row, self._keys) if row is not None else None

    def for_user(self, user: str) -> tuple[TransferConsentRecord, ...]:
        """Return the user's transfer consents, newest first."""
        with self._engine.connect() as conn:
            rows = conn.execute(select(transfer_consents)
                                .where(transfer_consents.c.user == _mailbox(user))
                                .order_by(transfer_consents.c.agreed_at.desc())).all()
        return tuple(_transfer_record(r, self._keys) for r in rows)


def _grantee_label(grantee: str) -> str:
    """Return what the audit log may say about a grantee: a role name, or 'staff_member'."""
    return "grantee=staff_member" if "@" in grantee else f"grantee={grantee}"


def _maybe(moment: datetime | None) -> datetime | None:
    return aware(moment) if moment is not None else None


def _view_record(row: Row[Any], keys: VaultKeys) -> ConsentRecord:
    return ConsentRecord(id=row.id, user=row.user, grantee=row.grantee,
                         message_ids=frozenset(row.message_ids),
                         wording=_open(keys, view_consents, row),
                         agreed_at=aware(row.agreed_at), expires_at=aware(row.expires_at),
                         revoked_at=_maybe(row.revoked_at))


def _transfer_record(row: Row[Any], keys: VaultKeys) -> TransferConsentRecord:
    return TransferConsentRecord(id=row.id, user=row.user, recipient_id=row.recipient_id,
                                 wording=_open(keys, transfer_consents, row),
                                 agreed_at=aware(row.agreed_at),
                                 expires_at=_maybe(row.expires_at),
                                 revoked_at=_maybe(row.revoked_at))



def reseal_wordings(engine: Engine, keys: VaultKeys) -> RotationReport:
    """Re-seal every consent wording not under the newest key, one short transaction per row.

    Each update is conditional on the row still holding what was read. Raise
    ``VaultKeyError`` when a wording does not open (altered, unsealed or its key missing).
    """
    rows = changed = 0
    for table in (view_consents, transfer_consents):
        with engine.connect() as conn:
            stored = conn.execute(select(table)).all()
        rows += len(stored)
        for row in stored:
            if sealed_key_id(row.wording) == keys.newest_id:
                continue
            sealed = _seal(keys, table, row.id, _open(keys, table, row))
            with engine.begin() as conn:
                changed += conn.execute(
                    sql_update(table).where(table.c.id == row.id,
                                            table.c.wording == row.wording)
                    .values(wording=sealed.wording,
                            wording_sha256=sealed.wording_sha256)).rowcount
    return RotationReport(rows=rows, re_encrypted=changed, already_current=rows - changed)


def wording_key_usage(engine: Engine) -> dict[str, int]:
    """Return how many consent wordings each key id seals (to know when an old key can go)."""
    usage: dict[str, int] = {}
    with engine.connect() as conn:
        for table in (view_consents, transfer_consents):
            for stored in conn.execute(select(table.c.wording)).scalars():
                key_id = sealed_key_id(stored)
                usage[key_id] = usage.get(key_id, 0) + 1
    return usage
