"""Cap how deeply mail HTML nests elements, before the HTML parser sees it.

html5ever (the parser under nh3) checks the stack of open elements on many start tags (is
there a `<p>` in button scope? a `<li>` in list item scope?), so a message of 50,000 nested
`<div>` tags cost it 16 seconds of CPU on this project's 2-core machine, and the time grows
with the square of the depth: one hostile mail could hold a web worker for minutes.
Browsers cap the depth themselves (Chromium's parser stops nesting at 512 elements), so
mail that deep never rendered as nested anyway.

``limit_nesting`` reads the markup the way the parser's tokenizer does (comments, raw text
elements such as `<style>` and `<script>`, quoted attribute values) and keeps a stack of
the elements left open. A start tag that would open an element deeper than ``max_depth``
is left out, and so is the end tag that matches it; everything else, text included, stays
as it was. The stack pops only where the standard's tree builder surely pops at least as
much (an end tag closes its element unless a special element or a scope boundary stands in
the way; `<li>` ends an open `<li>`, a block an open `<p>`, a cell or row another only
inside a table; void elements never open), and tags the parser ignores out of their
context (`<td>` and `</td>` outside a table, `<body>`, `</head>`) count for nothing, while
`</form>` takes the form out alone, as the parser does; so its depth is never below the
parser's and the cap can only bite early. Formatting elements (`<b>`, `<font>`...) closed
by another element stay "active" and the parser opens them again at the next text; with a
different attribute on each, it rebuilt thousands in every later element, so past
``MAX_ACTIVE_FORMATTING`` active ones further formatting start tags are left out too. The
result is still parsed and sanitized in full: leaving a tag out can only lose markup, never
let any through.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_DEPTH = 256
"""Elements nested deeper than this are flattened into their ancestor at this depth."""

VOID_ELEMENTS = frozenset((
    "area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "image",
    "img", "input", "keygen", "link", "meta", "param", "source", "track", "wbr",
))
"""Elements that never have content: their start tag opens nothing."""

RAW_TEXT_ELEMENTS = frozenset((
    "iframe", "noembed", "noframes", "noscript", "script", "style", "textarea", "title",
    "xmp",
))
"""Elements whose content is text up to their own end tag, never markup."""

_SCOPE_EDGES = frozenset((
    "applet", "caption", "html", "marquee", "object", "table", "td", "template", "th",
))
"""Elements an implied end tag never reaches past (the parser's "scope" boundaries)."""

_SCOPES = {
    "p": _SCOPE_EDGES | {"button"},
    "li": _SCOPE_EDGES | {"ol", "ul"},
    **{name: frozenset(("html", "table", "template"))
       for name in ("table", "tbody", "thead", "tfoot", "tr", "td", "th", "caption")},
}
"""The scope an end tag of these looks for its element in (the others: ``_SCOPE_EDGES``)."""

SPECIAL = frozenset((
    "address", "applet", "area", "article", "aside", "base", "basefont", "bgsound",
    "blockquote", "body", "br", "button", "caption", "center", "col", "colgroup", "dd",
    "details", "dir", "div", "dl", "dt", "embed", "fieldset", "figcaption", "figure",
    "footer", "form", "frame", "frameset", "h1", "h2", "h3", "h4", "h5", "h6", "head",
    "header", "hgroup", "hr", "html", "iframe", "img", "input", "keygen", "li", "link",
    "listing", "main", "marquee", "menu", "meta", "nav", "noembed", "noframes", "noscript",
    "object", "ol", "p", "param", "plaintext", "pre", "script", "search", "section",
    "select", "source", "style", "summary", "table", "tbody", "td", "template", "textarea",
    "tfoot", "th", "thead", "title", "tr", "track", "ul", "wbr", "xmp",
))
"""The HTML standard's "special" elements: most end tags and list items stop at them."""

FORMATTING = frozenset((
    "a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong",
    "tt", "u",
))
"""Formatting elements: one closed by another element's end tag stays "active", and the
parser opens it again at the next text (reconstruction)."""

MAX_ACTIVE_FORMATTING = 64
"""Formatting start tags past this many active ones are left out. The parser keeps at most
three alike (same name and attributes, "Noah's Ark"), but with a different attribute on
each, 2,000 `<p><b class=N></p>` made it rebuild 2,000 elements at every later element:
26 s of CPU and an answer that grew with the square of the mail."""

_CLOSES_P = frozenset((
    "address", "article", "aside", "blockquote", "center", "dd", "details", "dialog", "dir",
    "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2",
    "h3", "h4", "h5", "h6", "header", "hgroup", "li", "listing", "main", "menu", "nav",
    "ol", "p", "pre", "section", "summary", "table", "ul", "xmp",
))
"""Start tags that end an open `<p>`, as the parser does."""

_HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
_TABLE_PARTS = {"td": frozenset(("td", "th")), "th": frozenset(("td", "th")),
                "tr": frozenset(("tr",)), "tbody": frozenset(("tbody", "thead", "tfoot")),
                "thead": frozenset(("tbody", "thead", "tfoot")),
                "tfoot": frozenset(("tbody", "thead", "tfoot"))}
_TABLE_EDGES = {"td": frozenset(("tr", "table", "template", "html")),
                "th": frozenset(("tr", "table", "template", "html"))}
_RUBY = frozenset(("rb", "rt", "rp", "rtc"))
#: Start tags the parser never pushes in a mail's body (it merges or ignores them); their
#: end tags close nothing either.
_NEVER_OPEN = frozenset(("html", "head", "body", "frameset"))
#: Table parts: the parser ignores them, start and end tag, unless a table is open.
_TABLE_ONLY = frozenset(("caption", "colgroup", "tbody", "td", "tfoot", "th", "thead", "tr"))
#: A current node at which a `<table>` start tag closes the open table first.
_TABLE_MODE = frozenset(("table", "tbody", "tfoot", "thead", "tr"))


# One token of markup the parser's tokenizer would see as more than text: a comment (to
# its end, or to the end of the markup), a doctype or other `<!`/`<?`/`</` construct that
# is a bogus comment, or a start or end tag (groups: "/", name, attributes). A `<` ends an
# unquoted tag early, so no run of `<`s makes a search scan the rest of the markup again.
_TOKEN = re.compile(
    r"""<!--(?:-?>|[\s\S]*?--!?>|[\s\S]*)"""
    r"""|<[!?][^>]*>?|</(?![A-Za-z])[^>]*>?"""
    r"""|<(/?)([A-Za-z][^\t\n\f\r /><]*)((?:"[^"]*"|'[^']*'|[^'"><])*)>""")
_RAW_TEXT_END = {name: re.compile(rf"</{name}[\t\n\f\r />]", re.IGNORECASE)
                 for name in RAW_TEXT_ELEMENTS}


@dataclass(frozen=True, slots=True)
class Limited:
    """The markup with its over-deep tags left out, and how many tags were left out."""

    html: str
    dropped: int


def limit_nesting(markup: str, max_depth: int = MAX_DEPTH) -> Limited:
    """Return ``markup`` without the tags that would nest elements deeper than ``max_depth``.

    Markup with no more tags than ``max_depth`` is returned as it is, unread.
    """
    if markup.count("<") <= max_depth:
        return Limited(markup, 0)
    out: list[str] = []
    stack = _OpenElements()
    left_open: dict[str, int] = {}  # names of start tags left out, whose end tags go too
    dropped = 0
    kept_from = pos = 0
    length = len(markup)
    while (token := _TOKEN.search(markup, pos)) is not None:
        lt, pos = token.span()
        name = token.group(2)
        if name is None:  # a comment or a bogus comment
            continue
        name = name.lower()
        if name in _NEVER_OPEN or (name in _TABLE_ONLY and not stack.counts.get("table")):
            continue  # the parser ignores it here, start tag and end tag alike
        if token.group(1):  # an end tag
            if left_open.get(name):
                left_open[name] -= 1
                out.append(markup[kept_from:lt])
                kept_from, dropped = pos, dropped + 1
            else:
                stack.end(name)
            continue
        if name in VOID_ELEMENTS:
            continue
        stack.end_implied(name)
        if len(stack.names) >= max_depth or (
                name in FORMATTING and not stack.activate(name, token.group(3))):
            # Left out, a raw text element's content is markup to the parser: read it so.
            left_open[name] = left_open.get(name, 0) + 1
            out.append(markup[kept_from:lt])
            kept_from, dropped = pos, dropped + 1
            continue
        stack.open(name)
        if name == "plaintext":  # the rest of the document is text
            break
        if name in RAW_TEXT_ELEMENTS:
            end = _RAW_TEXT_END[name].search(markup, pos)
            pos = length if end is None else end.start()
    if not dropped:
        return Limited(markup, 0)
    out.append(markup[kept_from:])
    return Limited("".join(out), dropped)


class _OpenElements:
    """The names of the elements left open, innermost last, with a count of each name, and
    the active formatting elements.

    It pops only where the HTML standard's tree builder surely pops at least as much, so
    its depth is never below the parser's (formatting elements the parser opens again are
    bounded by ``MAX_ACTIVE_FORMATTING`` instead). The counts answer "is any such element
    open?" at once, so a tag only walks the stack when there is something for it to end.
    """

    __slots__ = ("active", "counts", "names")

    def __init__(self) -> None:
        self.names: list[str] = []
        self.counts: dict[str, int] = {}
        self.active: list[tuple[str, str]] = []  # (name, attributes), oldest first

    def open(self, name: str) -> None:
        self.names.append(name)
        self.counts[name] = self.counts.get(name, 0) + 1

    def activate(self, name: str, attributes: str) -> bool:
        """Record a formatting start tag as active; False (record nothing) past the cap."""
        key = (name, " ".join(attributes.split()))
        alike = [index for index, found in enumerate(self.active) if found == key]
        if len(alike) >= 3:  # Noah's Ark: the oldest of three alike makes way
            del self.active[alike[0]]
        elif len(self.active) >= MAX_ACTIVE_FORMATTING:
            return False
        self.active.append(key)
        return True

    def end(self, name: str) -> None:
        """Close what an end tag of ``name`` closes, if anything."""
        if name == "form":  # the parser takes the form out alone, what it holds stays open
            if self.counts.get("form"):
                index = len(self.names) - 1 - self.names[::-1].index("form")
                del self.names[index]
                self.counts["form"] -= 1
            return
        if name in FORMATTING:
            for index in range(len(self.active) - 1, -1, -1):
                if self.active[index][0] == name:
                    del self.active[index]
                    break
            # Closed at once only when nothing special stands inside it; otherwise the
            # parser's adoption agency moves elements rather than closing them.
            self._end_innermost(frozenset((name,)), SPECIAL)
        elif name in SPECIAL:
            self._end_innermost(frozenset((name,)), _SCOPES.get(name, _SCOPE_EDGES))
        else:
            self._end_innermost(frozenset((name,)), SPECIAL)

    def end_implied(self, name: str) -> None:
        """Close what a start tag of ``name`` ends, as the parser's implied end tags do."""
        if name == "table" and self.names and self.names[-1] in _TABLE_MODE:
            # A table started where only table parts may stand: the parser closes the open
            # table first ("act as if </table>").
            self._end_innermost(frozenset(("table",)), _SCOPES["table"])
        if name in _CLOSES_P:
            self._end_innermost(_P, _SCOPES["p"])
        names = self.names
        current = names[-1] if names else ""
        if name in _HEADINGS and current in _HEADINGS:
            self._close_from(len(names) - 1)
        elif name == "li":
            self._end_innermost(frozenset(("li",)), _LIST_ITEM_STOPS)
        elif name in ("dd", "dt"):
            self._end_innermost(frozenset(("dd", "dt")), _LIST_ITEM_STOPS)
        elif name in ("a", "nobr", "option") and current == name:
            self._close_from(len(names) - 1)
        elif name == "optgroup":
            for closes in ("option", "optgroup"):
                if self.names and self.names[-1] == closes:
                    self._close_from(len(self.names) - 1)
        elif name == "button":
            self._end_innermost(frozenset(("button",)), _SCOPE_EDGES)
        elif name in _TABLE_PARTS and self.counts.get("table"):
            self._end_innermost(_TABLE_PARTS[name],
                                _TABLE_EDGES.get(name, _SCOPES["table"]))
        elif name in _RUBY and self.counts.get("ruby"):
            while self.names and self.names[-1] in _RUBY:
                self._close_from(len(self.names) - 1)

    def _end_innermost(self, names: frozenset[str], edges: frozenset[str]) -> None:
        """Close the innermost element named in ``names`` unless an edge comes first."""
        if not any(self.counts.get(name) for name in names):
            return
        stack = self.names
        for index in range(len(stack) - 1, -1, -1):
            found = stack[index]
            if found in names:
                self._close_from(index)
                return
            if found in edges:
                return

    def _close_from(self, index: int) -> None:
        counts = self.counts
        for name in self.names[index:]:
            counts[name] -= 1
        del self.names[index:]


_P = frozenset(("p",))
#: An `<li>` (or `<dd>`, `<dt>`) ends an open one past any element but these.
_LIST_ITEM_STOPS = SPECIAL - {"address", "div", "p"}
