"""Search and count the audit log in SQL: the filters, the statement, the statistics.

``AuditLog.query`` and ``AuditLog.stats`` are the public doors; this module holds what
they run. Identifiers are compared as keyed hashes (the caller hashes clear values with
the log's key), entries come back decoded from their hashed canonical bytes, and results
stream (``yield_per``), so a search over a large log needs constant memory.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy import Text, cast, func, or_, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.exc import SQLAlchemyError

from audit.entry import ActorKind, AuditEntry, Decision, ResourceKind
from audit.errors import AuditError
from audit.schema import entries, resources
from audit.store import Store, unavailable
from audit.time_bounds import stored_time_bound

Hash = Callable[[str | None], str | None]
"""Hash a clear identifier with the log's key (``None`` stays ``None``)."""


class Checkpointed(Protocol):
    """The latest checkpoint's size and time, as the statistics show them."""

    @property
    def size(self) -> int: ...

    @property
    def created_at(self) -> str: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditQuery:
    """Search filters; all given ones must match. Identifiers are given in the clear.

    ``mailbox``, ``actor_id``, ``address`` (the mailbox OR the actor) and ``client_ip`` are
    hashed with the log's key before searching (a value that already starts with "h1:" is
    taken as a hash); ``client_ip`` has no index, so bound it in time on a large log.
    ``purpose`` ending in ".*" matches the family (``advertising.*``). ``since`` (inclusive)
    and ``until`` (exclusive) take a date, a datetime or an ISO-8601 string (UTC unless it
    gives an offset); a string that is neither raises AuditError.
    """

    mailbox: str | None = None
    actor_id: str | None = None
    address: str | None = None
    actor_kind: str | None = None
    actor_role: str | None = None
    action: str | None = None
    purpose: str | None = None
    basis: str | None = None
    basis_ref: str | None = None
    decision: str | None = None
    rule_id: str | None = None
    request_id: str | None = None
    resource_id: str | None = None
    resource_kind: str | None = None
    since: str | None = None
    until: str | None = None
    after_seq: int | None = None
    before_seq: int | None = None
    newest_first: bool = False
    limit: int | None = None
    client_ip: str | None = None

    def __post_init__(self) -> None:
        for name in ("since", "until"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, stored_time_bound(value, name))
        for name, kind in (("decision", Decision), ("actor_kind", ActorKind),
                           ("resource_kind", ResourceKind)):
            value = getattr(self, name)
            if value is not None and value not in {k.value for k in kind}:
                # a misspelt value would match nothing, which reads as "no such entries"
                raise AuditError(f"{name} {value!r} is no value an entry can hold; use one "
                                 f"of {', '.join(k.value for k in kind)}")
        if self.client_ip is not None and not self.client_ip.startswith("h1:"):
            require_ip_address(self.client_ip, "client_ip")
        if self.limit is not None and self.limit < 0:
            raise AuditError(f"limit {self.limit} is negative; give 0 or more, or no limit")

    @classmethod
    def from_mapping(cls, filters: Mapping[str, Any]) -> AuditQuery:
        """Build a query from a mapping of field names; refuse names that are no filter."""
        unknown = sorted(set(filters) - _QUERY_FIELDS)
        if unknown:
            raise AuditError(f"{unknown[0]!r} is not an audit search filter; use one of "
                             f"{', '.join(sorted(_QUERY_FIELDS))}")
        return cls(**filters)


@dataclass(frozen=True, slots=True)
class Count:
    """One group of a statistic: its key and how many entries fall in it."""

    key: str
    count: int


@dataclass(frozen=True, slots=True)
class TimeBucket:
    """Allowed and denied decisions in the bucket starting at ``start`` (ISO prefix)."""

    start: str
    allowed: int
    denied: int


@dataclass(frozen=True, slots=True)
class AuditStats:
    """Counts over a time window for the review pages and the CLI."""

    size: int
    checkpoint_size: int | None
    checkpoint_time: str | None
    total: int
    allowed: int
    denied: int
    by_purpose: tuple[Count, ...]
    by_action: tuple[Count, ...]
    denied_by_rule: tuple[Count, ...]
    timeline: tuple[TimeBucket, ...]
    by_actor_kind: tuple[Count, ...] = ()
    by_basis: tuple[Count, ...] = ()


_QUERY_FIELDS = frozenset(f.name for f in fields(AuditQuery))


def as_query(filters: AuditQuery | Mapping[str, Any] | None,
              criteria: Mapping[str, Any]) -> AuditQuery:
    """Return the query ``AuditLog.query`` was given, in whichever form."""
    if filters is None:
        query = AuditQuery.from_mapping(criteria)
    elif isinstance(filters, AuditQuery):
        AuditQuery.from_mapping(criteria)  # names checked
        query = replace(filters, **criteria) if criteria else filters
    elif isinstance(filters, Mapping):
        query = AuditQuery.from_mapping({**filters, **criteria})
    else:
        raise AuditError("filters are an AuditQuery or a mapping of its field names")
    return query


def require_ip_address(value: str, name: str) -> None:
    """Refuse text that is no IP address: hashed as it is, it would match nothing."""
    try:
        ipaddress.ip_address(value.strip())
    except ValueError:
        raise AuditError(f"{name} {value!r} is not an IP address; give e.g. 192.0.2.10 or "
                         "2001:db8::1") from None


def _family(purpose: str | None) -> bool:
    """Say whether a purpose filter names a family ("advertising.*")."""
    return purpose is not None and purpose.endswith(".*")


def search_entries(store: Store, f: AuditQuery, hashed: Hash, *, chunk: int = 500
                   ) -> Iterator[AuditEntry]:
    """Yield the entries matching ``f`` (decoded from their hashed bytes) in seq order."""
    e = entries.c
    stmt = select(e.seq, e.entry)
    for column, value in (
        (e.mailbox_h, hashed(f.mailbox)), (e.actor_id_h, hashed(f.actor_id)),
        (e.actor_kind, f.actor_kind), (e.actor_role, f.actor_role), (e.action, f.action),
        (e.purpose, None if _family(f.purpose) else f.purpose), (e.basis, f.basis),
        (e.basis_ref, f.basis_ref),
        (e.decision, f.decision), (e.rule_id, f.rule_id), (e.request_id, f.request_id),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    if f.address is not None:
        address = hashed(f.address)
        stmt = stmt.where(or_(e.mailbox_h == address, e.actor_id_h == address))
    if f.client_ip is not None:
        stmt = stmt.where(_client_ip_h(store.dialect) == hashed(f.client_ip))
    if f.purpose is not None and _family(f.purpose):
        stmt = stmt.where(e.purpose.startswith(f.purpose[:-1], autoescape=True))
    if f.resource_id is not None or f.resource_kind is not None:
        sub = select(resources.c.seq)
        if f.resource_id is not None:
            sub = sub.where(resources.c.resource_id == f.resource_id)
        if f.resource_kind is not None:
            sub = sub.where(resources.c.kind == f.resource_kind)
        stmt = stmt.where(e.seq.in_(sub))
    if f.since is not None:
        stmt = stmt.where(e.time >= f.since)
    if f.until is not None:
        stmt = stmt.where(e.time < f.until)
    if f.after_seq is not None:
        stmt = stmt.where(e.seq > f.after_seq)
    if f.before_seq is not None:
        stmt = stmt.where(e.seq < f.before_seq)
    stmt = stmt.order_by(e.seq.desc() if f.newest_first else e.seq)
    if f.limit is not None:
        stmt = stmt.limit(f.limit)
    try:
        with store.engine.connect() as conn:
            result = conn.execution_options(stream_results=True, yield_per=chunk
                                            ).execute(stmt)
            for _seq, raw in result:
                yield AuditEntry.from_canonical_bytes(bytes(raw))
    except SQLAlchemyError as exc:
        raise unavailable("be searched", exc, reading=True) from exc


def entry_stats(store: Store, *, since: str | datetime | date | None,
                until: str | datetime | date | None, bucket: str, top: int | None,
                latest: Callable[[], Checkpointed | None]) -> AuditStats:
    """Count decisions, purposes, actions, actor kinds, bases and denying rules, by time.

    ``since`` (inclusive) and ``until`` (exclusive) take what ``query`` takes: a date, a
    datetime or ISO-8601 text (UTC unless it gives an offset); other text raises
    AuditError. ``top`` keeps the largest groups of each count (``None`` keeps all).
    """
    width = {"hour": 13, "day": 10, "month": 7}.get(bucket)
    if width is None:
        raise AuditError("stats buckets are 'hour', 'day' or 'month'")
    e = entries.c
    conds = []
    if since is not None:
        conds.append(e.time >= stored_time_bound(since, "since"))
    if until is not None:
        conds.append(e.time < stored_time_bound(until, "until"))

    def grouped(conn: Any, column: Any, *extra: Any) -> tuple[Count, ...]:
        n = func.count().label("n")
        stmt = select(column, n).where(*conds, *extra).group_by(column).order_by(
            n.desc(), column)
        rows = conn.execute(stmt if top is None else stmt.limit(top))
        return tuple(Count(str(k), int(c)) for k, c in rows)

    try:
        with store.engine.connect() as conn:
            size = store.size(conn)
            decisions: dict[str, int] = dict(
                conn.execute(select(e.decision, func.count()).where(*conds)
                             .group_by(e.decision)).all())
            start = func.substr(e.time, 1, width)
            timeline = conn.execute(
                select(start.label("b"), e.decision, func.count()).where(*conds)
                .group_by(start, e.decision).order_by(start)).all()
            by_purpose = grouped(conn, e.purpose)
            by_action = grouped(conn, e.action)
            by_rule = grouped(conn, e.rule_id, e.decision == "deny")
            by_kind = grouped(conn, e.actor_kind)
            by_basis = grouped(conn, e.basis)
    except SQLAlchemyError as exc:
        raise unavailable("be read for statistics", exc, reading=True) from exc
    buckets: dict[str, list[int]] = {}
    for b, decision, n in timeline:
        buckets.setdefault(b, [0, 0])[0 if decision == "allow" else 1] += int(n)
    checkpoint = latest()
    allowed, denied = int(decisions.get("allow", 0)), int(decisions.get("deny", 0))
    return AuditStats(
        size=size, checkpoint_size=checkpoint.size if checkpoint else None,
        checkpoint_time=checkpoint.created_at if checkpoint else None,
        total=allowed + denied, allowed=allowed, denied=denied,
        by_purpose=by_purpose, by_action=by_action, denied_by_rule=by_rule,
        timeline=tuple(TimeBucket(b, a, d) for b, (a, d) in sorted(buckets.items())),
        by_actor_kind=by_kind, by_basis=by_basis)


def _client_ip_h(dialect: str) -> Any:
    """Return the SQL expression of an entry's hashed client IP, read from its bytes."""
    if dialect == "postgresql":
        return func.jsonb_extract_path_text(
            cast(func.convert_from(entries.c.entry, "UTF8"), JSONB), "client_ip_h")
    return func.json_extract(cast(entries.c.entry, Text), "$.client_ip_h")
