"""Turn a message's HTML into the plain text a reply quotes and a forward carries.

A message sent only as HTML (most newsletters, invoices and mailers) has no text part; its
snippet is some 200 characters, so quoting that cut the message off without a word.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from webclient.sanitize import MAX_INPUT_CHARS

#: Elements that start a new line of text.
_BLOCKS = frozenset({
    "address", "article", "aside", "blockquote", "br", "center", "dd", "div", "dl", "dt",
    "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol",
    "p", "pre", "section", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
})
#: Elements whose content is never text a reader saw.
_HIDDEN = frozenset({"head", "script", "style", "template", "title", "noscript", "svg",
                     "math", "object", "iframe", "select", "textarea"})
_SPACES = re.compile(r"[ \t\r\n\f\u00a0]+")


class _TextParser(HTMLParser):
    """Collect the visible text, a line per block, a link's target after its text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.line: list[str] = []
        self.hidden = 0
        self.link: tuple[str, int] | None = None

    def _break(self) -> None:
        text = _SPACES.sub(" ", "".join(self.line)).strip()
        if text:
            self.lines.append(text)
        self.line = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self.hidden += 1
        elif tag in _BLOCKS:
            self._break()
        elif tag == "a" and not self.hidden:
            href = dict(attrs).get("href") or ""
            self.link = (href, len(self.line)) if href.startswith(("http:", "https:")) else None

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS:
            self._break()

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in _BLOCKS:
            self._break()
        elif tag == "a" and self.link is not None:
            href, start = self.link
            shown = "".join(self.line[start:]).strip()
            if shown and shown != href:
                self.line.append(f" <{href}>")
            self.link = None

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.line.append(data)


def html_to_text(markup: str) -> str:
    """Return the text of ``markup``, a line per paragraph, scripts and styles left out."""
    parser = _TextParser()
    parser.feed(markup[:MAX_INPUT_CHARS])
    parser.close()
    parser._break()
    return "\n".join(parser.lines)
