"""The list's rows escape every value that comes from Gmail and show the page's words."""

from __future__ import annotations

from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest

from guard.mail_values import ThreadSummary
from webclient.i18n import LANGUAGE_COOKIE
from webclient.mail.list_rows import ThreadRow
from webclient.mail.row_html import RowWords, thread_list_html

HOSTILE = [
    '"><script>alert(1)</script>',
    "' onmouseover='alert(1)",
    "</li></ol><img src=x onerror=alert(1)>",
    "&amp; &lt;b&gt; & < >",
    "{braces} %s %(x)s",
]
WORDS = RowWords(select="Select", starred="Starred", not_starred="Not starred",
                 no_sender="(no sender)", no_subject="(no subject)",
                 attachments_title="Has attachments", attachment="attachment")


class Shape(HTMLParser):
    """Record every start tag with its attributes, and the text of each element by class."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: dict[str, list[str]] = {}
        self._open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag != "input":
            self._open.append(dict(attrs).get("class") or tag)

    def handle_endtag(self, tag: str) -> None:
        self._open.pop()

    def handle_data(self, data: str) -> None:
        if self._open and data.strip():
            self.text.setdefault(self._open[-1], []).append(data.strip())


def row(value: str, **changes: object) -> ThreadRow:
    fields: dict[str, object] = dict(
        id=value, subject=value, snippet=value, participants=(value, value),
        message_count=3, last_date=datetime(2026, 1, 2, tzinfo=UTC), unread=True,
        starred=True, important=False, has_attachments=True, label_ids=())
    fields.update(changes)
    thread = ThreadSummary(**fields)  # type: ignore[arg-type]
    return ThreadRow(thread=thread, href="/u/0/t/" + value, date_text=value,
                     date_iso=value, chips=(value,))


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_stay_text(value):
    shape = Shape()
    shape.feed(str(thread_list_html([row(value)], WORDS)))
    shape.close()
    assert [tag for tag, _ in shape.tags] == [
        "ol", "li", "input", "span", "a", "span", "span", "span", "span", "span", "span",
        "span", "time"]
    attrs = {attrs.get("class") or tag: attrs for tag, attrs in shape.tags}
    assert attrs["thread unread"]["data-open"] == "/u/0/t/" + value
    assert attrs["open"]["href"] == "/u/0/t/" + value
    assert attrs["input"]["value"] == value
    assert attrs["time"]["datetime"] == value
    assert shape.text["subject"] == [value]
    assert shape.text["snippet"] == [value]
    assert shape.text["chip"] == [value]
    assert shape.text["who"] == [f"{value}, {value}"]
    assert shape.text["time"] == [value]
    # Only markup of our own: no element or attribute came from the values.
    assert not any(tag in ("script", "img") for tag, _ in shape.tags)
    assert all(not name.startswith("on") for _, a in shape.tags for name in a)


def test_empty_values_show_the_pages_words():
    html = str(thread_list_html([row("x", subject="", participants=(), message_count=1,
                                     starred=False, unread=False, has_attachments=False)],
                                WORDS))
    shape = Shape()
    shape.feed(html)
    assert shape.text["subject"] == ["(no subject)"]
    assert shape.text["who"] == ["(no sender)"]
    assert 'aria-label="Not starred"' in html and "☆" in html
    assert 'class="thread"' in html and 'class="n"' not in html and "clip" not in html


def test_counts_stars_and_attachments_when_present():
    html = str(thread_list_html([row("x")], WORDS))
    assert '<span class="n">3</span>' in html
    assert 'aria-label="Starred"' in html and "★" in html
    assert '<span class="chip clip" title="Has attachments">attachment</span>' in html


@pytest.mark.parametrize(("language", "words"), [
    ("en", ("Select", "Not starred", "(no subject)")),
    ("id", ("Pilih", "Tidak berbintang", "(tanpa subjek)")),
])
def test_words_follow_the_language(app, language, words):
    with app.test_request_context("/", headers={"Cookie": f"{LANGUAGE_COOKIE}={language}"}):
        current = RowWords.current()
    assert (current.select, current.not_starred, current.no_subject) == words


def test_a_row_written_before_follows_the_words_and_the_row_it_is_given() -> None:
    # Rows are written once per process and looked up after; the lookup must never hand
    # back a row in the words of another page, nor a row whose summary has changed.
    first = row("Invoice")
    assert str(thread_list_html([first], WORDS)) == str(thread_list_html([first], WORDS))
    indonesian = RowWords(select="Pilih", starred="Berbintang", not_starred="Tidak berbintang",
                          no_sender="(tanpa pengirim)", no_subject="(tanpa subjek)",
                          attachments_title="Ada lampiran", attachment="lampiran")
    shown = str(thread_list_html([first], indonesian))
    assert 'aria-label="Pilih"' in shown and "lampiran" in shown
    read = row("Invoice", unread=False, starred=False)
    shown = str(thread_list_html([read], WORDS))
    assert 'class="thread"' in shown and "Not starred" in shown
    renamed = row("Invoice", subject="")
    assert "(no subject)" in str(thread_list_html([renamed], WORDS))
