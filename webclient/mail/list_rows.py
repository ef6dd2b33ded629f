"""What each row of a conversation list shows beyond the summary: its link and its date.

A list page draws fifty rows; building each row's link through the URL map and
formatting each date through Babel (its locale and time zone looked up again every time)
was most of a warm inbox's server time. The link is built once with a placeholder and
the conversation id quoted into it; a day before today is formatted once per process
and language (``_day_text``). A row is built once per process for the same summary and
page (link, time zone, day, language and label names: ``_row``) and looked up after.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
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
    page = _Page(before=before, after=after, zone=zone, language=str(locale),
                 today=datetime.now(UTC).astimezone(zone).date(),
                 names=tuple(label_names.items()))
    return tuple(_row(thread, page) for thread in threads)


@dataclass(frozen=True, slots=True)
class _Page:
    """Everything a row depends on besides its summary: link, zone, day, language, labels."""

    before: str
    after: str
    zone: tzinfo
    language: str
    today: date
    names: tuple[tuple[str, str], ...]


@lru_cache(maxsize=4096)
def _row(thread: ThreadSummary, page: _Page) -> ThreadRow:
    """Return one row; the same summary on the same kind of page is built once per process."""
    text = ""
    if thread.last_date is not None:
        local = thread.last_date.astimezone(page.zone)
        day = local.date()
        # As ``webclient.i18n.mail_date``: the time today, the day this year, else the
        # date; before today only the day matters, so it is formatted once.
        if day != page.today:
            text = _day_text(day, day.year == page.today.year, page.language)
        else:
            text = babel_dates.format_time(thread.last_date, "short", tzinfo=page.zone,
                                           locale=page.language)
    href = page.before + quote(thread.id, safe=_PATH_SAFE) + page.after
    names = dict(page.names)
    chips = tuple(names[i] for i in thread.label_ids if i in names)
    return ThreadRow(thread=thread, href=href, date_text=text, chips=chips,
                     date_iso=thread.last_date.isoformat() if thread.last_date else "")


@lru_cache(maxsize=4096)
def _day_text(day: date, this_year: bool, language: str) -> str:
    """Return how a list shows ``day`` in ``language``: "d MMM" this year, else short."""
    return babel_dates.format_date(day, "d MMM" if this_year else "short", locale=language)
