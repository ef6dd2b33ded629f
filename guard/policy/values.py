"""Frozen values the policy decides over: requests, their evidence, and decisions.

Evidence (a consent or a grant) arrives as a value, already loaded by the caller; the
decision functions never do I/O. Times are timezone-aware UTC datetimes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from guard.policy.vocabulary import AccessBasis, ActorKind, DataClass, TransferBasis


def _ids(values: Iterable[str]) -> frozenset[str]:
    return frozenset(values)


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is asking: a user (``id`` is their mailbox), a staff member, or a system job."""

    kind: ActorKind
    id: str
    role: str | None = None


@dataclass(frozen=True, slots=True)
class Resources:
    """The Gmail resources a request touches."""

    message_ids: frozenset[str] = frozenset()
    thread_ids: frozenset[str] = frozenset()
    label_ids: frozenset[str] = frozenset()
    attachment_ids: frozenset[str] = frozenset()

    def is_empty(self) -> bool:
        """Return True when the request names no resource at all."""
        return not (self.message_ids or self.thread_ids or self.label_ids
                    or self.attachment_ids)


NO_RESOURCES = Resources()


@dataclass(frozen=True, slots=True)
class Consent:
    """A user's recorded consent that ``grantee`` (a role or staff id) may view messages."""

    id: str
    user: str
    grantee: str
    message_ids: frozenset[str]
    expires_at: datetime
    revoked_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class GrantReference:
    """What a grant rests on: a security case (id and category) or a legal reference."""

    case_id: str | None = None
    category: str | None = None
    legal_ref: str | None = None


@dataclass(frozen=True, slots=True)
class Grant:
    """A time-boxed permission for one staff member to view data of one mailbox.

    Where the policy asks for a second approval, ``approved_by`` names the approver; an
    approval given at ``approved_at`` is in force from then for the policy's
    ``approval_valid_hours``. The grant book always gives the time; evidence without one
    is taken as approved by a caller that checked the approval's lifetime itself.
    """

    id: str
    staff_id: str
    basis: AccessBasis
    reference: GrantReference
    mailbox: str
    expires_at: datetime
    approved_by: str | None = None
    revoked_at: datetime | None = None
    approved_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class AccessRequest:
    """One access to Gmail data: who, what, on which mailbox, why, and the evidence."""

    actor: Actor
    action: str
    mailbox: str | None
    purpose: str
    now: datetime
    basis: AccessBasis | None = None
    resources: Resources = NO_RESOURCES
    consent: Consent | None = None
    grant: Grant | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any], *, now: datetime | None = None) -> AccessRequest:
        """Build a request from its JSON form; raise ValueError naming the bad field.

        ``now`` is used when the JSON has no ``now`` field.
        """
        return _access_request_from_json(data, now)


@dataclass(frozen=True, slots=True)
class TransferConsent:
    """A user's recorded consent that their data may go to one recipient."""

    id: str
    user: str
    recipient_id: str
    expires_at: datetime | None = None
    revoked_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class TransferRequest:
    """Gmail-derived data of ``mailbox`` about to leave for ``recipient_id``."""

    recipient_id: str
    basis: TransferBasis
    data_classes: frozenset[DataClass]
    mailbox: str
    now: datetime
    consent: TransferConsent | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any], *, now: datetime | None = None
                  ) -> TransferRequest:
        """Build a transfer request from its JSON form; raise ValueError naming the bad field.

        ``now`` is used when the JSON has no ``now`` field.
        """
        return _transfer_request_from_json(data, now)


@dataclass(frozen=True, slots=True)
class Decision:
    """The guard's answer: allowed or not, the rule that decided, and why."""

    allowed: bool
    rule_id: str
    reason: str
    purpose: str
    basis: str | None
    policy_version: str

    def to_json(self) -> dict[str, Any]:
        """Return the decision as a JSON-ready dict."""
        return {
            "allowed": self.allowed,
            "rule_id": self.rule_id,
            "reason": self.reason,
            "purpose": self.purpose,
            "basis": self.basis,
            "policy_version": self.policy_version,
        }


@dataclass(frozen=True, slots=True)
class _Reader:
    """Read typed fields out of a JSON object, naming the field on error."""

    data: Mapping[str, Any]
    where: str
    allowed: frozenset[str] = field(default=frozenset())

    def check_keys(self) -> None:
        if not isinstance(self.data, Mapping):
            raise ValueError(f"{self.where}: expected a JSON object")
        unknown = set(self.data) - self.allowed
        if unknown:
            raise ValueError(f"{self.where}: unknown fields {sorted(unknown)}; "
                             f"allowed: {sorted(self.allowed)}")

    def text(self, key: str, *, required: bool = True) -> str | None:
        value = self.data.get(key)
        if value is None:
            if required:
                raise ValueError(f"{self.where}.{key}: required")
            return None
        if not isinstance(value, str) or not value:
            raise ValueError(f"{self.where}.{key}: expected a non-empty string")
        return value

    def when(self, key: str, *, required: bool = True) -> datetime | None:
        value = self.text(key, required=required)
        if value is None:
            return None
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"{self.where}.{key}: expected an ISO 8601 time") from None
        if parsed.tzinfo is None:
            raise ValueError(f"{self.where}.{key}: the time needs a UTC offset, e.g. 'Z'")
        return parsed

    def members(self, key: str, enum_type: Any) -> frozenset[Any]:
        value = self.data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError(f"{self.where}.{key}: expected a list of strings")
        try:
            return frozenset(enum_type(v) for v in value)
        except ValueError:
            allowed = sorted(m.value for m in enum_type)
            bad = next(v for v in value if v not in allowed)
            raise ValueError(f"{self.where}.{key}: {bad!r} is not one of {allowed}") from None

    def ids(self, key: str) -> frozenset[str]:
        value = self.data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError(f"{self.where}.{key}: expected a list of strings")
        return _ids(value)

    def member(self, key: str, enum_type: Any, *, required: bool = True) -> Any:
        value = self.text(key, required=required)
        if value is None:
            return None
        try:
            return enum_type(value)
        except ValueError:
            allowed = sorted(m.value for m in enum_type)
            raise ValueError(f"{self.where}.{key}: {value!r} is not one of {allowed}") from None

    def sub(self, key: str, allowed: Iterable[str]) -> _Reader | None:
        value = self.data.get(key)
        if value is None:
            return None
        reader = _Reader(value, f"{self.where}.{key}", frozenset(allowed))
        reader.check_keys()
        return reader


#: The kinds of request ``request_from_json`` reads; ``access`` when ``kind`` is left out.
REQUEST_KINDS = ("access", "transfer")


def request_from_json(data: Mapping[str, Any], *, now: datetime | None = None
                      ) -> AccessRequest | TransferRequest:
    """Build an access or a transfer request from its JSON form, by its ``kind`` field.

    ``{"kind": "transfer", ...}`` is a ``TransferRequest``; ``"access"`` or no ``kind`` an
    ``AccessRequest``. Raise ValueError naming the bad field.
    """
    if not isinstance(data, Mapping):
        raise ValueError("request: expected a JSON object")
    kind = data.get("kind", "access")
    if kind not in REQUEST_KINDS:
        raise ValueError(f"request.kind: {kind!r} is not one of {list(REQUEST_KINDS)}")
    rest = {key: value for key, value in data.items() if key != "kind"}
    if kind == "transfer":
        return TransferRequest.from_json(rest, now=now)
    return AccessRequest.from_json(rest, now=now)


def _transfer_request_from_json(data: Mapping[str, Any], default_now: datetime | None
                                ) -> TransferRequest:
    top = _Reader(data, "request", frozenset({
        "recipient_id", "basis", "data_classes", "mailbox", "consent", "now"}))
    top.check_keys()
    consent = None
    con_r = top.sub("consent", ("id", "user", "recipient_id", "expires_at", "revoked_at"))
    if con_r is not None:
        consent = TransferConsent(id=con_r.text("id") or "", user=con_r.text("user") or "",
                                  recipient_id=con_r.text("recipient_id") or "",
                                  expires_at=con_r.when("expires_at", required=False),
                                  revoked_at=con_r.when("revoked_at", required=False))
    now = top.when("now", required=default_now is None) or default_now
    return TransferRequest(
        recipient_id=top.text("recipient_id") or "",
        basis=top.member("basis", TransferBasis),
        data_classes=top.members("data_classes", DataClass),
        mailbox=top.text("mailbox") or "",
        now=now,  # type: ignore[arg-type]
        consent=consent,
    )


def _access_request_from_json(data: Mapping[str, Any], default_now: datetime | None
                              ) -> AccessRequest:
    top = _Reader(data, "request", frozenset({
        "actor", "action", "mailbox", "purpose", "basis", "resources", "consent", "grant",
        "now"}))
    top.check_keys()
    actor_r = top.sub("actor", ("kind", "id", "role"))
    if actor_r is None:
        raise ValueError("request.actor: required")
    actor = Actor(kind=actor_r.member("kind", ActorKind), id=actor_r.text("id") or "",
                  role=actor_r.text("role", required=False))
    resources = NO_RESOURCES
    res_r = top.sub("resources", ("message_ids", "thread_ids", "label_ids", "attachment_ids"))
    if res_r is not None:
        resources = Resources(message_ids=res_r.ids("message_ids"),
                              thread_ids=res_r.ids("thread_ids"),
                              label_ids=res_r.ids("label_ids"),
                              attachment_ids=res_r.ids("attachment_ids"))
    consent = None
    con_r = top.sub("consent", ("id", "user", "grantee", "message_ids", "expires_at",
                                "revoked_at"))
    if con_r is not None:
        consent = Consent(id=con_r.text("id") or "", user=con_r.text("user") or "",
                          grantee=con_r.text("grantee") or "",
                          message_ids=con_r.ids("message_ids"),
                          expires_at=con_r.when("expires_at"),  # type: ignore[arg-type]
                          revoked_at=con_r.when("revoked_at", required=False))
    grant = None
    gr_r = top.sub("grant", ("id", "staff_id", "basis", "reference", "mailbox", "expires_at",
                             "approved_by", "approved_at", "revoked_at"))
    if gr_r is not None:
        ref_r = gr_r.sub("reference", ("case_id", "category", "legal_ref"))
        reference = GrantReference()
        if ref_r is not None:
            reference = GrantReference(case_id=ref_r.text("case_id", required=False),
                                       category=ref_r.text("category", required=False),
                                       legal_ref=ref_r.text("legal_ref", required=False))
        grant = Grant(id=gr_r.text("id") or "", staff_id=gr_r.text("staff_id") or "",
                      basis=gr_r.member("basis", AccessBasis), reference=reference,
                      mailbox=gr_r.text("mailbox") or "",
                      expires_at=gr_r.when("expires_at"),  # type: ignore[arg-type]
                      approved_by=gr_r.text("approved_by", required=False),
                      revoked_at=gr_r.when("revoked_at", required=False),
                      approved_at=gr_r.when("approved_at", required=False))
    now = top.when("now", required=default_now is None) or default_now
    return AccessRequest(
        actor=actor,
        action=top.text("action") or "",
        mailbox=top.text("mailbox", required=False),
        purpose=top.text("purpose") or "",
        basis=top.member("basis", AccessBasis, required=False),
        resources=resources,
        consent=consent,
        grant=grant,
        now=now,  # type: ignore[arg-type]
    )
