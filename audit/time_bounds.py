"""Turn the time bounds a reviewer gives (a date, an ISO time, a datetime) into stored times.

Entry times are stored as ``2025-01-31T09:30:00.000000Z`` and compared as text, so a bound
in any other spelling ("...09:30:00Z", "+07:00", a naive time) would compare wrongly; every
bound goes through ``stored_time_bound`` first.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from audit.entry import format_time
from audit.errors import AuditError


class InvalidTimeBound(AuditError, ValueError):
    """Raise when a search or count bound is not a date or time."""


def stored_time_bound(value: str | datetime | date, name: str) -> str:
    """Return ``value`` as a stored entry time (UTC unless it names its offset)."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise InvalidTimeBound(
                f"{name} {value!r} is not a date or time; use e.g. 2025-01-31 or "
                "2025-01-31T09:30:00Z (UTC unless an offset is given)") from None
    else:
        raise InvalidTimeBound(f"{name} must be a date, a datetime or an ISO-8601 string, "
                               f"not {type(value).__name__}")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return format_time(moment)
