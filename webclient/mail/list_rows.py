"""What each row of a conversation list shows beyond the summary: its link and its date.

A list page draws fifty rows; building each row's link through the URL map and
formatting each date through Babel (its locale and time zone looked up again every time)
was most of a warm inbox's server time. The link is built once with a placeholder and
the conversation id quoted into it; a day before today is formatted once per process
and language (``_day_text``), a time today once per page and minute.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from urllib.parse import quote

from babel import dates as babel_dates
from flask import url_for
from flask_babel import get_locale, get_timezone

from guard.mail_values import ThreadSummary

_PLACEHOLDER = "0thread0"
#: What the URL map leaves unquoted in a path part (werkzeug's rule builder).
_PATH_SAFE = "!$&'()*+,/:;=@"


@dataclass(frozen=True, slots=True)
class ThreadRow:
    """One row of a list: the summary, the link that opens it and its shown date."""

    thread: ThreadSummary
    href: str
    date_text: str
    #: The time as ISO 8601 for the ``<time datetime>`` attribute ("" when unknown).
    date_iso: str
    #: The names of the user labels it carries, in the thread's order.
    chips: tuple[str, ...]


def thread_rows(threads: Iterable[ThreadSummary], *, account: int, here: str,
                label_names: Mapping[str, str]) -> tuple[ThreadRow, ...]:
    """Return the rows for ``threads`` (links come back to ``here``), in order.

    ``label_names`` maps the user labels' ids to their names (the chips shown).
    """
    values: dict[str, object] = {"account": account, "thread_id": _PLACEHOLDER, "from": here}
    link = url_for("mail.thread", **values)  # type: ignore[arg-type]
    before, _sep, after = link.partition(_PLACEHOLDER)
    zone, locale = get_timezone(), get_locale()
    language = str(locale)
    today = datetime.now(UTC).astimezone(zone).date()
    shown: dict[object, str] = {}
    rows = []
    for thread in threads:
        text = ""
        if thread.last_date is not None:
            local = thread.last_date.astimezone(zone)
            day = local.date()
            # As ``webclient.i18n.mail_date``: the time today, the day this year, else the
            # date; before today only the day matters, so it is formatted once.
            if day != today:
                text = _day_text(day, day.year == today.year, language)
            elif (text := shown.get(minute := (local.hour, local.minute), "")) == "":
                text = shown[minute] = babel_dates.format_time(
                    thread.last_date, "short", tzinfo=zone, locale=locale)
        href = before + quote(thread.id, safe=_PATH_SAFE) + after
        chips = tuple(label_names[i] for i in thread.label_ids if i in label_names)
        rows.append(ThreadRow(thread=thread, href=href, date_text=text, chips=chips,
                              date_iso=thread.last_date.isoformat() if thread.last_date
                              else ""))
    return tuple(rows)


@lru_cache(maxsize=4096)
def _day_text(day: date, this_year: bool, language: str) -> str:
    """Return how a list shows ``day`` in ``language``: "d MMM" this year, else short."""
    return babel_dates.format_date(day, "d MMM" if this_year else "short", locale=language)
