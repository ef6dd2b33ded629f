"""Turn a message's HTML into the plain text a reply quotes and a forward carries.

A message sent only as HTML (most newsletters, invoices and mailers) has no text part; its
snippet is some 200 characters, so quoting that cut the message off without a word.

The text is what the message frame shows: the HTML is sanitised as for the frame first
(``webclient.sanitize``), so what the sanitiser removes is not quoted, and what the kept
CSS hides in the frame (``webclient.css_hiding``: ``display: none``, the ``hidden``
attribute, zero size, no colour) is not quoted either. Preheaders and other text a sender
hides from the reader would otherwise go out under the reader's name.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from webclient.css_hiding import ROOT, Element, Shown, Stylesheet, shown
from webclient.sanitize import sanitize_email_html

#: Elements that start a new line of text.
_BLOCKS = frozenset({
    "address", "article", "aside", "blockquote", "br", "center", "dd", "div", "dl", "dt",
    "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol",
    "p", "pre", "section", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
})
#: Elements without an end tag in the sanitiser's output.
_VOID = frozenset({"br", "hr", "img", "col", "wbr", "area", "input", "source", "track"})
#: Elements whose content is never text a reader saw (the sanitiser drops the others).
_UNSEEN = frozenset({"style"})
#: MailGuard's placeholder for a blocked image; the quote leaves images out.
_PLACEHOLDER = "mg-blocked-image"
_SPACES = re.compile(r"[ \t\r\n\f\u00a0]+")


class _TreeBuilder(HTMLParser):
    """Build the element tree of the sanitiser's (canonical, balanced) output."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("body", {}, None)
        self.current = self.root
        self.sheet = Stylesheet()
        self.in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {name: value or "" for name, value in attrs}, self.current)
        if tag == "style":
            self.in_style = True
        if tag not in _VOID:
            self.current = element

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self.in_style = False
        node: Element | None = self.current
        while node is not None and node is not self.root and node.tag != tag:
            node = node.parent
        if node is not None and node is not self.root:
            self.current = node.parent or self.root

    def handle_data(self, data: str) -> None:
        if self.in_style:
            self.sheet.add(data)
        self.current.children.append(data)


class _Text:
    """Collect the shown text, a line per block, a link's target after its text."""

    def __init__(self, sheet: Stylesheet) -> None:
        self.sheet = sheet
        self.lines: list[str] = []
        self.line: list[str] = []

    def _break(self) -> None:
        text = _SPACES.sub(" ", "".join(self.line)).strip()
        if text:
            self.lines.append(text)
        self.line = []

    def walk(self, root: Element) -> None:
        """Collect the text under ``root``, depth first (a loop: mail nests deeply)."""
        # ("open", element, inherited) visits an element; ("close", element, start) ends
        # it; ("text", data, shown) adds text.
        stack: list[tuple[str, object, object]] = [("open", root, ROOT)]
        while stack:
            kind, item, extra = stack.pop()
            if kind == "text":
                if isinstance(item, str) and isinstance(extra, Shown) and extra.readable:
                    self.line.append(item)
                continue
            assert isinstance(item, Element)
            if kind == "close":
                self._close(item, extra if isinstance(extra, int) else 0)
                continue
            if item.tag in _UNSEEN or _PLACEHOLDER in item.classes:
                continue
            assert isinstance(extra, Shown)
            values = shown(item, self.sheet, extra) if item is not root else extra
            if values is None:
                continue
            if item.tag in _BLOCKS:
                self._break()
            stack.append(("close", item, len(self.line)))
            for child in reversed(item.children):
                stack.append(("open", child, values) if isinstance(child, Element)
                             else ("text", child, values))

    def _close(self, element: Element, start: int) -> None:
        if element.tag in _BLOCKS:
            self._break()
        elif element.tag == "a":
            href = element.attrs.get("href", "")
            text = "".join(self.line[start:]).strip()
            if href.startswith(("http:", "https:")) and text and text != href:
                self.line.append(f" <{href}>")


def html_to_text(markup: str) -> str:
    """Return the text of ``markup`` the message frame shows, a line per paragraph."""
    fragment = sanitize_email_html(markup, allow_remote_images=False).html
    tree = _TreeBuilder()
    tree.feed(fragment)
    tree.close()
    text = _Text(tree.sheet)
    text.walk(tree.root)
    text._break()
    return "\n".join(text.lines)
