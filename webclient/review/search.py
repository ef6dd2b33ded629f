"""Turn the review forms' fields into audit searches: filters, time ranges and pages.

Identifiers are typed in the clear and searched by their keyed hash (``AuditQuery`` hashes
them). Pages run newest first and are addressed by sequence numbers, so paging stays cheap
however long the log grows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime, time, timedelta

from audit import AuditEntry, AuditLog, AuditQuery

PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
#: The form fields of the search and what each one filters.
FILTER_FIELDS = ("actor", "mailbox", "address", "actor_kind", "action", "purpose", "basis",
                 "decision", "rule", "resource", "since", "until")
_CHOICES = {"actor_kind": ("user", "staff", "system"), "decision": ("allow", "deny")}
_MAX_TEXT = 256
#: The largest sequence number the audit stores (a signed 64-bit integer in SQL).
MAX_SEQ = 2**63 - 1
#: Where an "until" at the last day a date can name ends: the day's last microsecond.
_LAST_MOMENT = datetime.max.replace(tzinfo=UTC)


class FilterError(ValueError):
    """A search field is malformed: ``field`` names it, ``problem`` says what it needs.

    ``problem`` is one of "line" (one line, at most 256 characters), "choice" (one of
    ``choices``), "time" (a UTC date or time), "range" (an end after the start) and
    "number" (a whole number).
    """

    def __init__(self, field: str, problem: str, choices: tuple[str, ...] = ()) -> None:
        super().__init__(f"{field}: invalid value ({problem})")
        self.field = field
        self.problem = problem
        self.choices = choices


@dataclass(frozen=True, slots=True)
class Filters:
    """What the reviewer searched for, as typed (clear identifiers, UTC dates or times)."""

    actor: str = ""
    mailbox: str = ""
    address: str = ""
    actor_kind: str = ""
    action: str = ""
    purpose: str = ""
    basis: str = ""
    decision: str = ""
    rule: str = ""
    resource: str = ""
    since: str = ""
    until: str = ""

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> Filters:
        """Read the filters from a query string; raise FilterError naming a bad field."""
        values: dict[str, str] = {}
        for name in FILTER_FIELDS:
            value = str(args.get(name, "")).strip()
            if len(value) > _MAX_TEXT or not value.isprintable():
                raise FilterError(name, "line")
            choices = _CHOICES.get(name)
            if value and choices is not None and value not in choices:
                raise FilterError(name, "choice", choices)
            values[name] = value
        found = cls(**values)
        since, until = found.time_range()  # validates since/until
        if since is not None and until is not None and until <= since:
            raise FilterError("until", "range")
        return found

    @classmethod
    def as_typed(cls, args: Mapping[str, str]) -> Filters:
        """Return the fields as typed, made single-line, to show again beside an error.

        Never query with these: they are not validated (``from_args`` is).
        """
        def shown(name: str) -> str:
            value = "".join(c for c in str(args.get(name, "")) if c.isprintable())
            return value.strip()[:_MAX_TEXT]

        return cls(**{name: shown(name) for name in FILTER_FIELDS})

    def time_range(self) -> tuple[str | None, str | None]:
        """Return since/until as stored audit times; a bare date's until includes that day."""
        return (stored_time(self.since, "since", end_of_day=False),
                stored_time(self.until, "until", end_of_day=True))

    def query(self, **extra: object) -> AuditQuery:
        """Return the audit query for these filters plus ``extra`` AuditQuery fields."""
        since, until = self.time_range()
        return AuditQuery(
            actor_id=self.actor or None, mailbox=self.mailbox or None,
            address=self.address or None, actor_kind=self.actor_kind or None,
            action=self.action or None, purpose=self.purpose or None,
            basis=self.basis or None, decision=self.decision or None,
            rule_id=self.rule or None, resource_id=self.resource or None,
            since=since, until=until, **extra)  # type: ignore[arg-type]

    def args(self, **overrides: str) -> dict[str, str]:
        """Return the non-empty filters as query-string arguments (for links), with
        ``overrides`` in place of the filters of the same name (an alert's link to its
        actor's entries replaces the actor the page was filtered by, if any)."""
        found = {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name)}
        return found | overrides

    def is_empty(self) -> bool:
        """Say whether no filter was given."""
        return not self.args()

    def with_default_range(self, now: datetime, days: int) -> Filters:
        """Return these filters with the last ``days`` days when no time range was given."""
        if self.since or self.until:
            return self
        return replace(self, since=(now - timedelta(days=days)).date().isoformat())


def stored_time(text: str, name: str, *, end_of_day: bool) -> str | None:
    """Turn a UTC date (2025-03-01) or time (2025-03-01T10:00) into the stored form."""
    if not text:
        return None
    value = text[:-1] if text.endswith("Z") else text
    try:
        if len(value) == 10:
            moment = datetime.combine(datetime.strptime(value, "%Y-%m-%d").date(), time(),
                                      tzinfo=UTC)
            if end_of_day:
                # 9999-12-31 has no next day; its end is the latest time there is.
                moment = (moment + timedelta(days=1) if moment.date() < datetime.max.date()
                          else _LAST_MOMENT)
        else:
            moment = datetime.fromisoformat(value)
            moment = (moment.replace(tzinfo=UTC) if moment.tzinfo is None
                      else moment.astimezone(UTC))
    except ValueError:
        raise FilterError(name, "time") from None
    # The year is written with four digits (strftime writes year 1 as "1"), so stored
    # times keep comparing as text.
    return f"{moment.year:04d}" + moment.strftime("-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True, slots=True)
class PageRequest:
    """Which page of results: entries older than ``before`` or newer than ``after``."""

    before: int | None = None
    after: int | None = None
    size: int = PAGE_SIZE

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> PageRequest:
        """Read ``before``/``after``/``size`` from a query string; raise FilterError."""
        def number(name: str, default: int | None) -> int | None:
            raw = str(args.get(name, "")).strip()
            if not raw:
                return default
            if not raw.isdigit() or int(raw) > MAX_SEQ:
                raise FilterError(name, "number")
            return int(raw)

        size = number("size", PAGE_SIZE) or PAGE_SIZE
        return cls(before=number("before", None), after=number("after", None),
                   size=max(1, min(size, MAX_PAGE_SIZE)))

    def query(self, filters: Filters) -> AuditQuery:
        """Return the query for this page (one extra row tells whether more exist)."""
        if self.after is not None:
            return filters.query(after_seq=self.after, newest_first=False,
                                 limit=self.size + 1)
        return filters.query(before_seq=self.before, newest_first=True, limit=self.size + 1)


@dataclass(frozen=True, slots=True)
class ResultPage:
    """One page of matching entries, newest first, and the cursors of its neighbours."""

    entries: tuple[AuditEntry, ...]
    older: int | None
    newer: int | None


def fetch_page(log: AuditLog, filters: Filters, page: PageRequest) -> ResultPage:
    """Run the search for one page; the cursors are None where no page follows."""
    rows = list(log.query(page.query(filters)))
    more = len(rows) > page.size
    rows = rows[:page.size]
    if page.after is not None:
        rows.reverse()
        return ResultPage(entries=tuple(rows), newer=rows[0].seq if more and rows else None,
                          older=rows[-1].seq if rows else None)
    return ResultPage(entries=tuple(rows), older=rows[-1].seq if more and rows else None,
                      newer=rows[0].seq if page.before is not None and rows else None)
