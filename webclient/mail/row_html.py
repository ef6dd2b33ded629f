"""The conversation list's rows as HTML, written here rather than in the list template.

A page draws fifty rows of a dozen values each. Through Jinja every value went through
the environment's attribute lookup, a context call and an escape, which made the rows
about a quarter of a warm inbox page's server time. Here a row is one f-string in which
every value passes through ``markupsafe.escape`` (what the template's autoescape did),
and the words a row shows are translated once per page, not once per row. A row is written
once per process for the same row and words (``_row_html``) and looked up after that.

Security: everything that comes from Gmail (participants, subject, snippet, label names,
conversation ids inside links) is escaped; only the fixed markup below is not. The tests
in tests/webclient/test_row_html.py feed hostile values through every field.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from flask_babel import gettext as _
from markupsafe import Markup, escape

from webclient.mail.list_rows import ThreadRow


@dataclass(frozen=True, slots=True)
class RowWords:
    """The translated words every row uses, looked up once for a page."""

    select: str
    starred: str
    not_starred: str
    no_sender: str
    no_subject: str
    attachments_title: str
    attachment: str

    @classmethod
    def current(cls) -> RowWords:
        """Return the words in the language of this request."""
        return cls(select=_("Select"), starred=_("Starred"), not_starred=_("Not starred"),
                   no_sender=_("(no sender)"), no_subject=_("(no subject)"),
                   attachments_title=_("Has attachments"), attachment=_("attachment"))


def thread_list_html(rows: Iterable[ThreadRow], words: RowWords) -> Markup:
    """Return the ``<ol class="threads">`` of ``rows`` (links, checkboxes, chips, dates)."""
    parts = ['<ol class="threads" data-list>']
    parts.extend(_row_html(row, words) for row in rows)
    parts.append("\n</ol>")
    return Markup("".join(parts))  # noqa: S704 - every value went through escape()


@lru_cache(maxsize=4096)
def _row_html(row: ThreadRow, words: RowWords) -> str:
    """Return one row's ``<li>``; the same row in the same words is written once per process.

    The row (summary, link, shown date, chips) and the words are the whole input, so a warm
    inbox, whose rows rarely change between requests, looks most of its rows up. Security
    caveat: the rows of recently shown pages stay in this process's memory, at most 4,096.
    """
    e = escape
    t = row.thread
    href = e(row.href)
    who = e(", ".join(t.participants)) or e(words.no_sender)
    count = f' <span class="n">{int(t.message_count)}</span>' if t.message_count > 1 else ""
    chips = "".join(f'<span class="chip">{e(name)}</span>' for name in row.chips)
    star = e(words.starred if t.starred else words.not_starred)
    clip = (f'<span class="chip clip" title="{e(words.attachments_title)}">'
            f'{e(words.attachment)}</span>') if t.has_attachments else ""
    return (f'\n<li class="thread{" unread" if t.unread else ""}" data-item'
            f' data-open="{href}">'
            f'\n<input type="checkbox" name="thread_ids" value="{e(t.id)}" form="bulk"'
            f' aria-label="{e(words.select)}" data-select>'
            f'\n<span class="star" aria-label="{star}">'
            f'{"★" if t.starred else "☆"}</span>'
            f'\n<a class="open" href="{href}">'
            f'\n<span class="who">{who}{count}</span>'
            f'\n<span class="what"><span class="subject">{e(t.subject) or e(words.no_subject)}'
            f'</span>\n{chips}\n<span class="snippet">{e(t.snippet)}</span></span>'
            f'\n{clip}'
            f'\n<time datetime="{e(row.date_iso)}">{e(row.date_text)}</time>\n</a>\n</li>')
