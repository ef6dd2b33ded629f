"""Describe what the audit log records: events as callers give them, entries as stored.

An ``AuditEvent`` says who did what to which resources, why and with which decision. An
``AuditEntry`` is that event at a position (``seq``) and time, with the personal identifiers
reviewers search by (mailbox, actor id, client IP) replaced by keyed hashes. Its canonical
bytes are the Merkle leaf.

Security caveat: the log must never hold message content, subjects, bodies, addresses in
the clear or credentials; ``AuditEvent.from_dict`` rejects such fields by name, and every
value is a short single-line identifier.
"""

from __future__ import annotations

import enum
import functools
import hashlib
import hmac
import ipaddress
import json
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Any

from audit.errors import ForbiddenField, InvalidEvent
from audit.merkle import leaf_hash

MAX_IDENTIFIER_LENGTH = 256
MAX_RESOURCES = 1000
ENTRY_FORMAT_VERSION = 1
HASH_PREFIX = "h1:"
MIN_HMAC_KEY_BYTES = 16

FORBIDDEN_FIELDS = frozenset({
    "subject", "body", "snippet", "content", "raw", "payload", "headers", "header", "html",
    "text", "plain", "data", "attachment_data", "filename", "message", "messages",
    "from", "to", "cc", "bcc", "reply_to", "sender", "recipients", "address", "addresses",
    "email", "display_name", "name",
    "token", "access_token", "refresh_token", "id_token", "authorization", "cookie",
    "password", "secret", "client_secret", "api_key", "credentials", "code",
})
_FORBIDDEN_PARTS = ("token", "password", "secret", "subject", "body", "snippet", "content",
                    "payload", "header", "cookie", "credential")


class ActorKind(enum.StrEnum):
    """Who is asking: the mailbox owner, a staff member, or a system job."""

    USER = "user"
    STAFF = "staff"
    SYSTEM = "system"


class Decision(enum.StrEnum):
    """What the guard decided."""

    ALLOW = "allow"
    DENY = "deny"


class ResourceKind(enum.StrEnum):
    """What kind of object an entry names by id."""

    MESSAGE = "message"
    THREAD = "thread"
    LABEL = "label"
    ATTACHMENT = "attachment"
    DRAFT = "draft"
    CONSENT = "consent"
    GRANT = "grant"
    RECIPIENT = "recipient"


@dataclass(frozen=True, slots=True)
class ResourceRef:
    """A resource touched by an access, by kind and opaque id (never its content)."""

    kind: ResourceKind
    id: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", _enum(ResourceKind, self.kind, "resources.kind"))
        object.__setattr__(self, "id", _identifier("resources.id", self.id, required=True))

    def to_dict(self) -> dict[str, str]:
        """Return the JSON form: {"kind": ..., "id": ...}."""
        return {"id": self.id, "kind": self.kind.value}

    @classmethod
    def from_value(cls, value: Any) -> ResourceRef:
        """Build from a ResourceRef, a {"kind", "id"} mapping or a (kind, id) pair."""
        if isinstance(value, ResourceRef):
            return value
        if isinstance(value, Mapping):
            extra = set(value) - {"kind", "id"}
            if extra:
                raise ForbiddenField(f"resources.{sorted(extra)[0]}",
                                     "a resource is only a kind and an id")
            return cls(value.get("kind", ""), value.get("id", ""))
        if isinstance(value, list | tuple) and len(value) == 2:
            return cls(value[0], value[1])
        raise InvalidEvent("each resource must be {'kind': ..., 'id': ...}")


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditEvent:
    """What a caller appends: who, on which mailbox, did what, why, and what was decided."""

    actor_kind: ActorKind
    actor_id: str
    actor_role: str = ""
    mailbox: str = ""
    action: str
    purpose: str
    basis: str = ""
    basis_ref: str = ""
    resources: tuple[ResourceRef, ...] = ()
    decision: Decision
    rule_id: str = ""
    policy_version: str = ""
    request_id: str = ""
    outcome: str = ""
    client_ip: str = ""

    def __new__(cls, *_args: Any, **fields_given: Any) -> AuditEvent:
        """Refuse a content-bearing or unknown field by name, as ``from_dict`` does.

        Without this, ``AuditEvent(subject=...)`` would fail with the constructor's bare
        TypeError instead of ``ForbiddenField`` naming the field.
        """
        for name in fields_given:
            if name not in _EVENT_FIELDS:
                _check_field_name(name, _EVENT_FIELDS)
        return object.__new__(cls)

    def __post_init__(self) -> None:
        object.__setattr__(self, "actor_kind", _enum(ActorKind, self.actor_kind, "actor_kind"))
        object.__setattr__(self, "decision", _enum(Decision, self.decision, "decision"))
        for name in _TEXT_FIELDS:
            value = _identifier(name, getattr(self, name), required=name in _REQUIRED)
            object.__setattr__(self, name, value)
        object.__setattr__(self, "resources", _resources(self.resources))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AuditEvent:
        """Build an event from a mapping, rejecting unknown and content-bearing fields."""
        for key in data:
            _check_field_name(str(key), _EVENT_FIELDS)
        missing = [name for name in ("actor_kind", "decision", *_REQUIRED) if name not in data]
        if missing:
            raise InvalidEvent(f"audit event is missing required field {missing[0]!r}")
        values = dict(data)
        values["resources"] = _resources(values.get("resources", ()))
        return cls(**values)


@dataclass(frozen=True, slots=True)
class IdentifierHasher:
    """Replace personal identifiers with keyed hashes so reviewers can search without cleartext.

    Security caveat: whoever holds the key can confirm guesses (is this address in the log?);
    keep it out of the database and rotate it only together with a new log.
    """

    key: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.key, bytes) or len(self.key) < MIN_HMAC_KEY_BYTES:
            raise InvalidEvent(
                f"the audit hashing key must be at least {MIN_HMAC_KEY_BYTES} random bytes "
                "(e.g. 32 bytes from `python -c 'import secrets; print(secrets.token_hex(32))'`)"
            )

    @property
    def key_id(self) -> str:
        """Return a short public fingerprint of the key, to check a log and key belong together."""
        return hmac.new(self.key, b"mailguard audit key id", hashlib.sha256).hexdigest()[:16]

    def hash(self, value: str) -> str:
        """Return "h1:" + hex HMAC-SHA256 of the normalised value ("" stays "")."""
        return _keyed_hash(self.key, value) if value else ""


@functools.lru_cache(maxsize=4096)
def _keyed_hash(key: bytes, value: str) -> str:
    """Hash one identifier; remembered because the same mailboxes and actors recur.

    Security caveat: the cache keeps recent identifiers in this process's memory, where
    the requests that carried them already were; it never reaches disk or the log.
    """
    normalised = normalise_identifier(value)
    if not normalised:
        return ""
    digest = hmac.new(key, normalised.encode("utf-8"), hashlib.sha256).hexdigest()
    return HASH_PREFIX + digest


def normalise_identifier(value: str) -> str:
    """Trim; lower-case email addresses; write IP addresses in their canonical form."""
    value = value.strip()
    if "@" in value:
        return value.lower()
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return value


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditEntry:
    """An event as stored: position, UTC time, and identifiers replaced by keyed hashes."""

    seq: int
    time: str
    actor_kind: ActorKind
    actor_id_h: str
    actor_role: str = ""
    mailbox_h: str = ""
    action: str
    purpose: str
    basis: str = ""
    basis_ref: str = ""
    resources: tuple[ResourceRef, ...] = ()
    decision: Decision
    rule_id: str = ""
    policy_version: str = ""
    request_id: str = ""
    outcome: str = ""
    client_ip_h: str = ""

    def __post_init__(self) -> None:
        if isinstance(self.seq, bool) or not isinstance(self.seq, int) or self.seq < 0:
            raise InvalidEvent(f"entry seq must be an integer >= 0, got {self.seq!r}")
        parse_time(self.time)
        object.__setattr__(self, "actor_kind", _enum(ActorKind, self.actor_kind, "actor_kind"))
        object.__setattr__(self, "decision", _enum(Decision, self.decision, "decision"))
        for name in _ENTRY_TEXT_FIELDS:
            value = _identifier(name, getattr(self, name), required=name in _ENTRY_REQUIRED)
            object.__setattr__(self, name, value)
        object.__setattr__(self, "resources", _resources(self.resources))

    @classmethod
    def from_event(cls, event: AuditEvent, *, seq: int, time: datetime | str,
                   hasher: IdentifierHasher) -> AuditEntry:
        """Place ``event`` at ``seq`` and ``time``, hashing mailbox, actor id and client IP.

        The supported constructor for events: an ``AuditEvent`` validated every field when
        it was built (it is frozen), and keyed hashes are "h1:" + hex, so only ``seq`` and
        ``time`` are checked here. Build entries from untrusted data with ``AuditEntry(...)``
        or ``from_dict``, which validate everything.
        """
        if not isinstance(event, AuditEvent):
            raise InvalidEvent("from_event takes an AuditEvent; build entries from other "
                               "data with AuditEntry(...) or AuditEntry.from_dict")
        if isinstance(seq, bool) or not isinstance(seq, int) or seq < 0:
            raise InvalidEvent(f"entry seq must be an integer >= 0, got {seq!r}")
        if isinstance(time, str):
            parse_time(time)
        else:
            time = format_time(time)
        entry = object.__new__(cls)
        setattr_ = object.__setattr__
        for name, value in (
            ("seq", seq), ("time", time), ("actor_kind", event.actor_kind),
            ("actor_id_h", hasher.hash(event.actor_id)), ("actor_role", event.actor_role),
            ("mailbox_h", hasher.hash(event.mailbox)), ("action", event.action),
            ("purpose", event.purpose), ("basis", event.basis), ("basis_ref", event.basis_ref),
            ("resources", event.resources), ("decision", event.decision),
            ("rule_id", event.rule_id), ("policy_version", event.policy_version),
            ("request_id", event.request_id), ("outcome", event.outcome),
            ("client_ip_h", hasher.hash(event.client_ip)),
        ):
            setattr_(entry, name, value)
        return entry

    @property
    def timestamp(self) -> datetime:
        """Return ``time`` as an aware UTC datetime."""
        return parse_time(self.time)

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form (also what export writes), with the format version ``v``."""
        data: dict[str, Any] = {"v": ENTRY_FORMAT_VERSION}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "resources":
                value = [r.to_dict() for r in value]
            elif isinstance(value, enum.Enum):
                value = value.value
            data[f.name] = value
        return data

    def canonical_bytes(self) -> bytes:
        """Return the deterministic JSON the leaf hash is taken over (sorted keys, no spaces)."""
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"),
                          ensure_ascii=False).encode("utf-8")

    def leaf_hash(self) -> bytes:
        """Return the RFC 6962 leaf hash of the canonical bytes."""
        return leaf_hash(self.canonical_bytes())

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AuditEntry:
        """Build from ``to_dict()`` output; reject unknown fields and other format versions."""
        values = dict(data)
        version = values.pop("v", None)
        if version != ENTRY_FORMAT_VERSION:
            raise InvalidEvent(
                f"audit entry format version {version!r} is not {ENTRY_FORMAT_VERSION}; "
                "upgrade MailGuard to read this log"
            )
        for key in values:
            _check_field_name(str(key), _ENTRY_FIELDS)
        missing = [n for n in ("seq", "time", "actor_kind", "decision", *_ENTRY_REQUIRED)
                   if n not in values]
        if missing:
            raise InvalidEvent(f"audit entry is missing field {missing[0]!r}")
        values["resources"] = _resources(values.get("resources", ()))
        return cls(**values)

    @classmethod
    def from_canonical_bytes(cls, raw: bytes) -> AuditEntry:
        """Parse stored bytes; reject anything that is not exactly the canonical encoding."""
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InvalidEvent(f"stored audit entry is not UTF-8 JSON: {exc}") from None
        if not isinstance(data, dict):
            raise InvalidEvent("stored audit entry is not a JSON object")
        entry = cls.from_dict(data)
        if entry.canonical_bytes() != raw:
            raise InvalidEvent("stored audit entry is not in canonical form")
        return entry


def format_time(moment: datetime) -> str:
    """Return ISO-8601 UTC with microseconds and "Z", e.g. 2025-01-31T09:30:00.000000Z."""
    if moment.tzinfo is None:
        raise InvalidEvent("audit times must be timezone-aware; pass datetime.now(UTC)")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(text: str) -> datetime:
    """Parse a time written by ``format_time``; reject every other spelling."""
    try:
        moment = datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    except (TypeError, ValueError):
        raise InvalidEvent(
            f"audit time {text!r} is not ISO-8601 UTC like 2025-01-31T09:30:00.000000Z"
        ) from None
    if format_time(moment) != text:
        raise InvalidEvent(f"audit time {text!r} is not in canonical form")
    return moment


_TEXT_FIELDS = ("actor_id", "actor_role", "mailbox", "action", "purpose", "basis",
                "basis_ref", "rule_id", "policy_version", "request_id", "outcome", "client_ip")
_REQUIRED = ("actor_id", "action", "purpose")
_EVENT_FIELDS = frozenset(f.name for f in fields(AuditEvent))
_ENTRY_TEXT_FIELDS = ("actor_id_h", "actor_role", "mailbox_h", "action", "purpose", "basis",
                      "basis_ref", "rule_id", "policy_version", "request_id", "outcome",
                      "client_ip_h")
_ENTRY_REQUIRED = ("actor_id_h", "action", "purpose")
_ENTRY_FIELDS = frozenset(f.name for f in fields(AuditEntry))
_BAD_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def _check_field_name(name: str, allowed: frozenset[str]) -> None:
    """Reject content-bearing field names first, then any other unknown name."""
    lowered = name.lower()
    if lowered in FORBIDDEN_FIELDS or any(part in lowered for part in _FORBIDDEN_PARTS):
        raise ForbiddenField(name)
    if name not in allowed:
        raise ForbiddenField(
            name, f"unknown field; an audit record has only {', '.join(sorted(allowed))}"
        )


def _identifier(name: str, value: Any, *, required: bool) -> str:
    """Check a short single-line identifier: a string, at most 256 characters, no controls."""
    if not isinstance(value, str):
        raise InvalidEvent(f"audit field {name!r} must be a string, got {type(value).__name__}")
    if required and not value:
        raise InvalidEvent(f"audit field {name!r} must not be empty")
    if len(value) > MAX_IDENTIFIER_LENGTH:
        raise InvalidEvent(
            f"audit field {name!r} is {len(value)} characters; identifiers are at most "
            f"{MAX_IDENTIFIER_LENGTH} (record an id, never content)"
        )
    for ch in value:
        if unicodedata.category(ch) in _BAD_CATEGORIES:
            raise InvalidEvent(
                f"audit field {name!r} contains control or invisible character "
                f"U+{ord(ch):04X}; identifiers are single-line printable text"
            )
    return value


def _enum(kind: type[enum.StrEnum], value: Any, name: str) -> Any:
    """Coerce a string to a member of ``kind`` or say which values are allowed."""
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(m.value for m in kind)
        raise InvalidEvent(f"audit field {name!r} must be one of {allowed}") from None


def _resources(values: Iterable[Any]) -> tuple[ResourceRef, ...]:
    """Coerce resources to a tuple of ``ResourceRef``, capped in number."""
    if isinstance(values, str | bytes | Mapping):
        raise InvalidEvent("resources must be a list of {'kind': ..., 'id': ...}")
    refs = tuple(ResourceRef.from_value(v) for v in values)
    if len(refs) > MAX_RESOURCES:
        raise InvalidEvent(f"an audit entry names at most {MAX_RESOURCES} resources")
    return refs
