"""Count allowed accesses per day (and purpose) in SQL: mailboxes, accesses and messages.

This is what internal-operations aggregates ask of the log: per UTC day, optionally per
purpose, how many distinct mailboxes allowed accesses touched, how many allowed accesses
were recorded, and how many distinct messages they named. The database counts over the
searchable columns and the resource table (indexed by time), so a year of a large log is
never decoded entry by entry in Python. Mailboxes are the log's keyed hashes: no address
is read; a message is counted once per mailbox that holds it.

Security caveat: the counts come from the searchable columns, which verification checks
against the hashed entry bytes (``verify(columns=True)``); run it before trusting counts
from a log you did not write.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import distinct, func, select
from sqlalchemy.exc import SQLAlchemyError

from audit.log import AuditLog
from audit.schema import entries, resources
from audit.store import unavailable
from audit.time_bounds import stored_time_bound


@dataclass(frozen=True, slots=True)
class DayActivity:
    """The allowed accesses of one day (and purpose, when grouped by purpose)."""

    day: str
    purpose: str | None
    mailboxes: int
    accesses: int
    messages: int


def activity_by_day(log: AuditLog, *, since: str | datetime | date,
                    until: str | datetime | date,
                    by_purpose: bool = True) -> tuple[DayActivity, ...]:
    """Return the activity of every day with allowed accesses in [since, until), in order.

    ``since`` and ``until`` take what ``AuditLog.query`` takes (a date, a datetime or
    ISO-8601 text, UTC unless it gives an offset); other text raises AuditError. Raises
    AuditUnavailable when the log cannot be read.
    """
    since, until = stored_time_bound(since, "since"), stored_time_bound(until, "until")
    e, r = entries.c, resources.c
    day = func.substr(e.time, 1, 10).label("day")
    keys = (day, e.purpose) if by_purpose else (day,)
    allowed = (e.time >= since, e.time < until, e.decision == "allow", e.mailbox_h != "")
    accesses = (select(*keys, func.count(distinct(e.mailbox_h)), func.count())
                .where(*allowed).group_by(*keys))
    messages = (select(*keys, func.count(distinct(e.mailbox_h.concat("/")
                                                  .concat(r.resource_id))))
                .join_from(entries, resources, r.seq == e.seq)
                .where(*allowed, r.kind == "message").group_by(*keys))
    try:
        with log.store.engine.connect() as conn:
            counted = {tuple(row[:-2]): (int(row[-2]), int(row[-1]))
                       for row in conn.execute(accesses)}
            named = {tuple(row[:-1]): int(row[-1]) for row in conn.execute(messages)}
    except SQLAlchemyError as exc:
        raise unavailable("be counted", exc, reading=True) from exc
    return tuple(DayActivity(day=str(key[0]), purpose=str(key[1]) if by_purpose else None,
                             mailboxes=mailboxes, accesses=calls,
                             messages=named.get(key, 0))
                 for key, (mailboxes, calls) in sorted(counted.items()))
