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
not detected. Selectors are matched by ``webclient.css_selectors`` within a bound
(``MAX_MATCH_STEPS``): past it, a hostile stylesheet's rules stop applying and the rest
of the text is quoted by its style attributes alone, rather than a reply page taking
minutes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import tinycss2
from tinycss2 import ast

from webclient.css_selectors import (
    MAX_MATCH_STEPS,
    Budget,
    Element,
    Selector,
    matches,
    parse_selector,
    subject_key,
)

__all__ = ["MAX_MATCH_STEPS", "ROOT", "Element", "Shown", "Stylesheet", "shown",
           "style_declarations"]

#: Below this size (in CSS pixels) text cannot be read.
MIN_READABLE_PX = 2.0
#: The frame's own text size (frame.css), which relative sizes start from.
FRAME_FONT_PX = 14.0
ROOT_FONT_PX = 16.0
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


# -- declarations and the cascade --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Declaration:
    name: str
    value: tuple[ast.Node, ...]
    important: bool


@dataclass(frozen=True, slots=True)
class _Rule:
    selector: Selector
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
    budget: Budget = field(default_factory=Budget)

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
                selector = parse_selector(text)
                if selector is not None:
                    self.rules.setdefault(subject_key(selector), []).append(
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
            if self.budget.left > 0 and matches(element, rule.selector.steps, self.budget):
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
