"""Mail HTML nested deeper than a browser would nest it is flattened before parsing.

The parser's time grows with the square of the depth (50,000 nested `<div>` tags took it
16 s), so the sanitizer must never hand it markup nested deeper than ``MAX_DEPTH``.
"""

from __future__ import annotations

from html.parser import HTMLParser

import nh3
import pytest

from webclient import sanitize
from webclient.nesting_depth import MAX_DEPTH, VOID_ELEMENTS, limit_nesting
from webclient.sanitize import sanitize_email_html


class _DepthMeter(HTMLParser):
    """The deepest nesting of elements in markup that closes every element it opens."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.deepest = 0

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag not in VOID_ELEMENTS:
            self.open.append(tag)
            self.deepest = max(self.deepest, len(self.open))

    def handle_endtag(self, tag: str) -> None:
        if tag in self.open:
            del self.open[len(self.open) - 1 - self.open[::-1].index(tag):]


def depth(markup: str) -> int:
    meter = _DepthMeter()
    meter.feed(markup)
    meter.close()
    return meter.deepest


HOSTILE = {
    "divs": "<div>" * 20_000 + "<img src=x onerror=alert(1)>",
    "lists": "<ul><li>" * 10_000 + "x",
    "formatting then blocks": "<b>" * 10_000 + "<p>x</p>" * 1_000,
    "closed by strays": "<div>" * 5_000 + "</x>" * 5_000 + "<div>" * 5_000,
    "after a textarea left out": "<div>" * MAX_DEPTH + "<textarea>" + "<div>" * 5_000,
    "after a style that holds a comment": "<style><!--</style>" + "<div>" * 5_000,
    # Start tags that end an open element only in some places: the cap must not count
    # them as ending it where the parser does not (links, rows and cells outside a table,
    # options outside a select, ruby outside ruby, list items past a section).
    **{f"{unit} repeated": unit * 5_000 for unit in (
        "<a><div>", "<nobr><div>", "<td><div>", "<tr><div>", "<option><div>", "<rb><div>",
        "<li><section>")},
    # End tags that the parser ignores where a special element stands in the way.
    **{f"{unit} repeated": unit * 5_000 for unit in (
        "<span><div></span>", "<li><ul></li>", "<b><div></b>")},
    # End tags the parser ignores out of their context, or takes one element out for.
    **{f"{unit} repeated": unit * 5_000 for unit in (
        "<form><div></form>", "<td><div></td>", "<caption><div></caption>",
        "<head><div></head>", "<body><div></body>", "<table><table></table><td><div></td>")},
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_the_parser_never_gets_markup_nested_deeper_than_the_cap(
        name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[int] = []
    real_clean = nh3.clean

    def measured_clean(markup: str, **kwargs: object) -> str:
        cleaned = real_clean(markup, **kwargs)  # type: ignore[arg-type]
        # The tree the parser built, as nh3 wrote it out (every element closed).
        seen.append(depth(real_clean(markup, tags=set(nh3.ALLOWED_TAGS), attributes={})))
        return cleaned

    monkeypatch.setattr(sanitize.nh3, "clean", measured_clean)
    result = sanitize_email_html(HOSTILE[name], allow_remote_images=False)
    assert seen and max(seen) <= MAX_DEPTH, seen
    assert "deep-nesting" in result.removed
    assert "onerror" not in result.html


def test_formatting_elements_the_parser_would_open_again_are_capped() -> None:
    # Each </p> leaves its <b> active (each with its own class, so none is dropped as a
    # fourth alike), and the parser opened all of them again inside every later element:
    # 2,000 of them took 26 s and wrote an answer of some 80 MB.
    markup = "".join(f"<p><b class=c{n}></p>" for n in range(2_000)) + "x" + "<div>y" * 2_000
    result = sanitize_email_html(markup, allow_remote_images=False)
    assert "deep-nesting" in result.removed
    assert len(result.html) < 10 * len(markup)
    assert result.html.count("y") == 2_000


def test_alike_formatting_tags_are_not_capped() -> None:
    # Three alike at most stay active (Noah's Ark): a mail that never closes its <b> loses
    # nothing.
    markup = "<p><b>bold</p>" * 1_000
    assert limit_nesting(markup).dropped == 0


def test_markup_within_the_cap_is_returned_as_it_was() -> None:
    markup = ("<div>" * (MAX_DEPTH - 1) + "<p>a<p>b<li>c<li>d<br><img src=cid:x>"
              + "</div>" * (MAX_DEPTH - 1)) * 3
    limited = limit_nesting(markup)
    assert limited.dropped == 0
    assert limited.html is markup
    assert "deep-nesting" not in sanitize_email_html(markup, allow_remote_images=False).removed


def test_the_tags_past_the_cap_go_with_their_end_tags_and_every_word_stays() -> None:
    markup = ("<div>" * MAX_DEPTH + '<span class="deep">one</span><em>two</em>'
              + "</div>" * MAX_DEPTH + "<p>three</p>")
    limited = limit_nesting(markup)
    assert limited.dropped == 4  # <span>, </span>, <em>, </em>
    assert limited.html == "<div>" * MAX_DEPTH + "onetwo" + "</div>" * MAX_DEPTH + "<p>three</p>"


def test_siblings_that_end_each_other_and_void_elements_do_not_add_depth() -> None:
    rows = "<table>" + "<tr><td>a<td>b" * 2_000 + "</table>"
    paragraphs = "<p>x" * 2_000 + "<br><hr><img src=cid:y>" * 2_000
    items = "<ul>" + "<li>x" * 2_000 + "</ul>"
    for markup in (rows, paragraphs, items):
        assert limit_nesting(markup).dropped == 0


def test_tags_inside_comments_scripts_styles_and_attribute_values_are_not_counted() -> None:
    deep = "<div>" * (MAX_DEPTH + 10)
    for markup in (
        f"<!-- {deep} -->",
        f"<script>{deep}</script>",
        f"<style>{deep}</style>",
        f"<textarea>{deep}</TEXTAREA>",
        f"<title>{deep}</title>",
        f"<a title='{deep}'>x</a>",
        f'<a title="{deep}">x</a>',
    ):
        assert limit_nesting(markup + "<p>end</p>").dropped == 0, markup[:30]


def test_plaintext_makes_the_rest_text() -> None:
    markup = "<plaintext>" + "<div>" * (MAX_DEPTH + 10)
    assert limit_nesting(markup).dropped == 0


@pytest.mark.parametrize("markup", [
    "<a" * 100_000,
    "<a x='" * 50_000,
    '<a "' * 50_000,
    "<!--" * 100_000,
    "<div a=b<" * 50_000,
])
def test_unfinished_tags_are_read_once(markup: str) -> None:
    # Each of these made a tag pattern rescan the rest of the markup from every "<":
    # 100,000 starts over 200,000 characters. Read once, it takes milliseconds.
    assert limit_nesting(markup).html.count("<") <= markup.count("<")
