"""Tell which text of a sanitised message a browser would not show, from the CSS it keeps.

The sanitiser (``webclient.sanitize``, ``webclient.sanitize_css``) decides which CSS may
reach the message frame and leaves hiding to the browser: ``display: none``,
``visibility: hidden``, zero opacity, a zero-sized box that clips, text of no size or no
colour, and the ``hidden`` attribute all hide in the frame. A reply's quote must leave out
what the frame hides, so this module reads the sanitiser's OUTPUT (the same declarations
and ``<style>`` rules the frame applies) and computes, element by element, what those
properties make of it, with the cascade's order (importance, then the style attribute,
then specificity, then order; the ``hidden`` attribute as the browser's own rule, which
any author ``display`` overrides).

Caveats: selectors are matched for types, ids, classes, attributes and the four
combinators; a rule with anything else (pseudo-classes, escapes) and rules inside
``@media`` are not applied, so their text is quoted. Text coloured like its background is
not detected. Matching is bounded (``MAX_MATCH_STEPS``): past that, a hostile stylesheet's
rules stop applying and the rest of the text is quoted by its style attributes alone,
rather than a reply page taking minutes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import tinycss2
from tinycss2 import ast

#: Below this size (in CSS pixels) text cannot be read.
MIN_READABLE_PX = 2.0
#: The frame's own text size (frame.css), which relative sizes start from.
FRAME_FONT_PX = 14.0
ROOT_FONT_PX = 16.0
#: Selector tests one fragment may spend; a mailer's stylesheet needs far fewer.
MAX_MATCH_STEPS = 300_000
_PROPERTIES = frozenset({"display", "visibility", "opacity", "font-size", "font", "color",
                         "height", "max-height", "width", "max-width", "overflow",
                         "overflow-x", "overflow-y"})
#: Elements a browser lays out as blocks, whose box may clip its text.
_BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "center", "dd", "div", "dl", "dt",
    "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "li", "main", "nav", "ol", "p",
    "pre", "section", "ul", "figure", "figcaption", "details", "summary", "hr"})
_ABSOLUTE = {"px": 1.0, "pt": 4 / 3, "pc": 16.0, "in": 96.0, "cm": 96 / 2.54,
             "mm": 9.6 / 2.54, "q": 2.4 / 2.54}
_KEYWORD_SIZES = {"xx-small": 9.0, "x-small": 10.0, "small": 13.0, "medium": 16.0,
                  "large": 18.0, "x-large": 24.0, "xx-large": 32.0, "xxx-large": 48.0}


class Element:
    """An element of the fragment: what selectors match and the tree around it."""

    __slots__ = ("attrs", "children", "classes", "elements", "index", "parent", "tag")

    def __init__(self, tag: str, attrs: dict[str, str], parent: Element | None) -> None:
        self.tag = tag
        self.attrs = attrs
        self.classes = frozenset(attrs.get("class", "").split())
        self.parent = parent
        self.children: list[Element | str] = []
        #: The element children, and this element's place among its parent's.
        self.elements: list[Element] = []
        self.index = 0
        if parent is not None:
            self.index = len(parent.elements)
            parent.elements.append(self)
            parent.children.append(self)

    def previous_elements(self) -> Iterable[Element]:
        """Yield the element siblings before this one, nearest first."""
        if self.parent is not None:
            yield from reversed(self.parent.elements[:self.index])


# -- selectors ---------------------------------------------------------------------------

_PART = re.compile(
    r"""(?P<type>\*|[a-zA-Z][a-zA-Z0-9-]*)
      |\#(?P<id>[-\w]+)
      |\.(?P<cls>[-\w]+)
      |\[\s*(?P<attr>[-\w]+)\s*(?:(?P<op>[~|^$*]?=)\s*
           (?P<val>"[^"]*"|'[^']*'|[-\w]+)\s*(?P<flag>[iIsS])?\s*)?\]""", re.VERBOSE)
_COMBINATOR = re.compile(r"\s*([>+~])\s*|\s+")


@dataclass(frozen=True, slots=True)
class _Test:
    kind: str
    name: str
    op: str = ""
    value: str = ""
    fold: bool = False


@dataclass(frozen=True, slots=True)
class _Selector:
    #: Compounds from the subject leftwards, each with the combinator that joins it to
    #: the next one to its left.
    steps: tuple[tuple[tuple[_Test, ...], str], ...]
    specificity: tuple[int, int, int]


def _parse_selector(text: str) -> _Selector | None:
    """Parse one complex selector, or return None for syntax this module does not match."""
    text = text.strip()
    compounds: list[list[_Test]] = []
    combinators: list[str] = []
    pos = 0
    current: list[_Test] = []
    while pos < len(text):
        part = _PART.match(text, pos)
        if part is not None:
            current.append(_test(part))
            pos = part.end()
            continue
        joiner = _COMBINATOR.match(text, pos)
        if joiner is None or not current or joiner.end() == len(text):
            return None
        compounds.append(current)
        combinators.append(joiner.group(1) or " ")
        current = []
        pos = joiner.end()
    if not current:
        return None
    compounds.append(current)
    tests = [t for compound in compounds for t in compound]
    specificity = (sum(t.kind == "id" for t in tests),
                   sum(t.kind in ("class", "attr") for t in tests),
                   sum(t.kind == "type" and t.name != "*" for t in tests))
    steps = tuple((tuple(compound), combinator) for compound, combinator
                  in zip(reversed(compounds), [*reversed(combinators), ""], strict=True))
    return _Selector(steps=steps, specificity=specificity)


def _test(part: re.Match[str]) -> _Test:
    if part.group("type"):
        return _Test("type", part.group("type").lower())
    if part.group("id"):
        return _Test("id", part.group("id"))
    if part.group("cls"):
        return _Test("class", part.group("cls"))
    value = (part.group("val") or "").strip("\"'")
    return _Test("attr", part.group("attr").lower(), part.group("op") or "", value,
                 (part.group("flag") or "").lower() == "i")


def _passes(element: Element, test: _Test) -> bool:
    if test.kind == "type":
        return test.name in ("*", element.tag)
    if test.kind == "id":
        return element.attrs.get("id") == test.name
    if test.kind == "class":
        return test.name in element.classes
    if test.name not in element.attrs:
        return False
    have, want = element.attrs[test.name], test.value
    if test.fold:
        have, want = have.lower(), want.lower()
    return {"": True, "=": have == want, "~=": want in have.split(),
            "|=": have == want or have.startswith(want + "-"),
            "^=": bool(want) and have.startswith(want),
            "$=": bool(want) and have.endswith(want),
            "*=": bool(want) and want in have}[test.op]


class _Budget:
    """The selector tests left for one fragment."""

    __slots__ = ("left",)

    def __init__(self) -> None:
        self.left = MAX_MATCH_STEPS

    def spend(self) -> bool:
        self.left -= 1
        return self.left >= 0


def _matches(element: Element, steps: Sequence[tuple[tuple[_Test, ...], str]],
             budget: _Budget) -> bool:
    compound, combinator = steps[0]
    if not budget.spend() or not all(_passes(element, test) for test in compound):
        return False
    if len(steps) == 1:
        return True
    rest = steps[1:]
    if combinator == ">":
        return element.parent is not None and _matches(element.parent, rest, budget)
    if combinator == " ":
        ancestor = element.parent
        while ancestor is not None and budget.left > 0:
            if _matches(ancestor, rest, budget):
                return True
            ancestor = ancestor.parent
        return False
    if combinator == "+":
        before = next(iter(element.previous_elements()), None)
        return before is not None and _matches(before, rest, budget)
    return any(_matches(sibling, rest, budget) for sibling in element.previous_elements()
               if budget.left > 0)


# -- declarations and the cascade --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Declaration:
    name: str
    value: tuple[ast.Node, ...]
    important: bool


@dataclass(frozen=True, slots=True)
class _Rule:
    selector: _Selector
    declarations: tuple[_Declaration, ...]
    order: int


def _declarations(nodes: Iterable[ast.Node]) -> tuple[_Declaration, ...]:
    return tuple(
        _Declaration(node.lower_name,
                     tuple(t for t in node.value
                           if not isinstance(t, (ast.WhitespaceToken, ast.Comment))),
                     node.important)
        for node in nodes
        if isinstance(node, ast.Declaration) and node.lower_name in _PROPERTIES)


def style_declarations(css: str) -> tuple[_Declaration, ...]:
    """Return the declarations of a style attribute that bear on what is shown."""
    return _declarations(tinycss2.parse_blocks_contents(css, skip_comments=True,
                                                        skip_whitespace=True))


@dataclass(slots=True)
class Stylesheet:
    """The rules of a fragment's ``<style>`` blocks that bear on what is shown.

    Rules are filed by what their subject must have (an id, a class, a type, or
    nothing), so an element is tested only against the rules that could match it.
    """

    rules: dict[str, list[_Rule]] = field(default_factory=dict)
    count: int = 0
    budget: _Budget = field(default_factory=_Budget)

    def add(self, css: str) -> None:
        """Add the rules of one ``<style>`` block (``@media`` and other at-rules skipped)."""
        for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
            if not isinstance(rule, ast.QualifiedRule):
                continue
            declarations = _declarations(tinycss2.parse_blocks_contents(
                rule.content, skip_comments=True, skip_whitespace=True))
            if not declarations:
                continue
            for text in tinycss2.serialize(rule.prelude).split(","):
                selector = _parse_selector(text)
                if selector is not None:
                    self.rules.setdefault(_key(selector), []).append(
                        _Rule(selector, declarations, self.count))
                    self.count += 1

    def _candidates(self, element: Element) -> list[_Rule]:
        keys = ["*", "t:" + element.tag, *("c:" + c for c in element.classes)]
        if "id" in element.attrs:
            keys.append("i:" + element.attrs["id"])
        return [rule for key in keys for rule in self.rules.get(key, ())]

    def winning(self, element: Element) -> dict[str, _Declaration]:
        """Return the declaration that wins for each property of ``element``."""
        ranked: list[tuple[tuple[int, ...], _Declaration]] = []
        if "hidden" in element.attrs:  # the browser's own [hidden] { display: none }
            ranked.append(((0, -1, 0, 0, 0, 0), _Declaration("display", (
                ast.IdentToken(0, 0, "none"),), False)))
        for rule in self._candidates(element):
            if self.budget.left > 0 and _matches(element, rule.selector.steps, self.budget):
                for d in rule.declarations:
                    ranked.append(((int(d.important), 0, *rule.selector.specificity,
                                    rule.order), d))
        for position, d in enumerate(style_declarations(element.attrs.get("style", ""))):
            ranked.append(((int(d.important), 1, 0, 0, 0, position), d))
        winners: dict[str, _Declaration] = {}
        for _rank, d in sorted(ranked, key=lambda pair: pair[0]):
            winners[d.name] = d
            if d.name == "font":
                winners.pop("font-size", None)
            elif d.name == "font-size":
                winners.pop("font", None)
        return winners


def _key(selector: _Selector) -> str:
    """Return what an element must have for ``selector``'s subject to match it."""
    subject = selector.steps[0][0]
    for kind, prefix in (("id", "i:"), ("class", "c:")):
        found = next((t.name for t in subject if t.kind == kind), None)
        if found is not None:
            return prefix + found
    tag = next((t.name for t in subject if t.kind == "type" and t.name != "*"), None)
    return "*" if tag is None else "t:" + tag


# -- what the winning values make of an element ------------------------------------------


@dataclass(frozen=True, slots=True)
class Shown:
    """What an element inherits that decides whether its text is seen."""

    visible: bool = True
    font_px: float = FRAME_FONT_PX
    transparent: bool = False

    @property
    def readable(self) -> bool:
        """Tell whether text with these values can be seen."""
        return self.visible and not self.transparent and self.font_px >= MIN_READABLE_PX


ROOT = Shown()


def shown(element: Element, sheet: Stylesheet, parent: Shown) -> Shown | None:
    """Return what ``element`` passes to its text, or None when none of it is shown."""
    won = sheet.winning(element)
    display = _ident(won.get("display"))
    if display == "none" or _number(won.get("opacity"), parent.font_px) == 0:
        return None
    block = display in ("block", "inline-block", "flex", "grid", "list-item", "flow-root") \
        or (display is None and element.tag in _BLOCK_TAGS)
    if block and _clips(won) and any(_number(won.get(name), parent.font_px) == 0
                                     for name in ("height", "max-height", "width",
                                                  "max-width")):
        return None
    visibility = _ident(won.get("visibility"))
    visible = parent.visible if visibility is None else visibility == "visible"
    font_px = _font_px(won, parent.font_px)
    color = won.get("color")
    transparent = parent.transparent if color is None else _transparent(color)
    return Shown(visible=visible, font_px=font_px, transparent=transparent)


def _ident(declaration: _Declaration | None) -> str | None:
    if declaration is None or not declaration.value:
        return None
    first = declaration.value[0]
    return first.lower_value if isinstance(first, ast.IdentToken) else None


def _clips(won: dict[str, _Declaration]) -> bool:
    return any(_ident(won.get(name)) in ("hidden", "clip")
               for name in ("overflow", "overflow-x", "overflow-y"))


def _length(token: ast.Node, parent_px: float) -> float | None:
    """Return a length (or number, for opacity) in pixels, or None when unknown."""
    if isinstance(token, ast.NumberToken):
        return float(token.value)
    if isinstance(token, ast.PercentageToken):
        return float(token.value) * parent_px / 100
    if isinstance(token, ast.DimensionToken):
        unit = token.lower_unit
        if unit in _ABSOLUTE:
            return float(token.value) * _ABSOLUTE[unit]
        if unit == "em":
            return float(token.value) * parent_px
        if unit == "rem":
            return float(token.value) * ROOT_FONT_PX
        if unit in ("ex", "ch"):
            return float(token.value) * parent_px / 2
        return None if token.value else 0.0
    return None


def _number(declaration: _Declaration | None, parent_px: float) -> float | None:
    if declaration is None or len(declaration.value) != 1:
        return None
    return _length(declaration.value[0], parent_px)


def _font_px(won: dict[str, _Declaration], parent_px: float) -> float:
    size = won.get("font-size")
    tokens: tuple[ast.Node, ...] = size.value if size is not None else ()
    if size is None and "font" in won:
        # the size is the length before the optional "/line-height" and the family
        font = won["font"].value
        tokens = next(((t,) for t in font if isinstance(
            t, (ast.NumberToken, ast.PercentageToken, ast.DimensionToken))
            or (isinstance(t, ast.IdentToken) and t.lower_value in _KEYWORD_SIZES)), ())
    if len(tokens) != 1:
        return parent_px
    token = tokens[0]
    if isinstance(token, ast.IdentToken):
        if token.lower_value == "smaller":
            return parent_px / 1.2
        if token.lower_value == "larger":
            return parent_px * 1.2
        return _KEYWORD_SIZES.get(token.lower_value, parent_px)
    found = _length(token, parent_px)
    return parent_px if found is None or found < 0 else found


def _transparent(declaration: _Declaration) -> bool:
    """Tell whether a colour has no opacity: ``transparent`` or an alpha of zero."""
    value = declaration.value
    if len(value) != 1:
        return False
    token = value[0]
    if isinstance(token, ast.IdentToken):
        return token.lower_value == "transparent"
    if isinstance(token, ast.HashToken):
        digits = token.value
        return (len(digits) == 4 and digits[3] == "0") or (
            len(digits) == 8 and digits[6:] == "00")
    if isinstance(token, ast.FunctionBlock) and token.lower_name in ("rgb", "rgba", "hsl",
                                                                     "hsla"):
        args = [t for t in token.arguments if not isinstance(
            t, (ast.WhitespaceToken, ast.Comment))]
        alpha = None
        for i, t in enumerate(args):
            if isinstance(t, ast.LiteralToken) and t.value == "/" and i + 1 < len(args):
                alpha = args[i + 1]
        commas = [t for t in args if not (isinstance(t, ast.LiteralToken) and t.value == ",")]
        if alpha is None and len(commas) == 4:
            alpha = commas[3]
        if isinstance(alpha, (ast.NumberToken, ast.PercentageToken)):
            return float(alpha.value) == 0
    return False
