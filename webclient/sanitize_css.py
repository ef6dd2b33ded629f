"""Filter the CSS of untrusted mail: declaration values, `<style>` blocks and their URLs.

nh3 checks CSS property names at best, never values, so `width: expression(...)`,
`background: url(https://tracker/...)` and `-moz-binding` would reach the browser through it.
This module tokenizes CSS with tinycss2 (a CSS Syntax Level 3 tokenizer), which resolves
escapes (`\\65 xpression`) and comments (`exp/**/ression`) the way a browser does, keeps
only allow-listed properties whose values contain allow-listed functions, hands every
`url(...)` to the caller's image policy, and re-serializes what survives.

Security caveats: the output of `filter_stylesheet` is placed inside a `<style>` element,
whose content the HTML parser ends at the first `</style`; any rule whose serialization
contains `<` is therefore dropped rather than escaped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import tinycss2
from tinycss2 import ast
from tinycss2.serializer import serialize_string_value

ImageUrlPolicy = Callable[[str], "str | None"]
"""Map a CSS image URL to the URL to emit, or None to drop the declaration."""

MAX_CSS_CHARS = 200_000
"""Stylesheets longer than this are dropped whole: mail does not need more, parsers might."""

MAX_NESTING = 4
"""Deepest `@media` nesting kept; deeper rules are dropped."""

MAX_BRACKET_DEPTH = 32
"""CSS whose brackets nest deeper than this is dropped whole, unparsed: tinycss2 reads a
nested `(` or `[` by calling itself, so a style of 100,000 `(` raised RecursionError and the
whole message showed as unrenderable. Real CSS nests a few levels (`calc(var(...))`)."""

_OPENING = "([{"
_CLOSING = ")]}"

ALLOWED_PROPERTIES: frozenset[str] = frozenset(
    {
        "background", "background-color", "background-image", "background-position",
        "background-repeat", "background-size", "background-clip", "background-origin",
        "border", "border-top", "border-right", "border-bottom", "border-left",
        "border-color", "border-top-color", "border-right-color", "border-bottom-color",
        "border-left-color", "border-style", "border-top-style", "border-right-style",
        "border-bottom-style", "border-left-style", "border-width", "border-top-width",
        "border-right-width", "border-bottom-width", "border-left-width", "border-radius",
        "border-top-left-radius", "border-top-right-radius", "border-bottom-left-radius",
        "border-bottom-right-radius", "border-collapse", "border-spacing",
        "box-sizing", "box-shadow", "caption-side", "clear", "color", "direction",
        "display", "empty-cells", "float", "font", "font-family", "font-size",
        "font-style", "font-variant", "font-weight", "height", "letter-spacing",
        "line-height", "list-style", "list-style-position", "list-style-type", "margin",
        "margin-top", "margin-right", "margin-bottom", "margin-left", "max-height",
        "max-width", "min-height", "min-width", "opacity", "outline", "outline-color",
        "outline-style", "outline-width", "overflow", "overflow-x", "overflow-y",
        "padding", "padding-top", "padding-right", "padding-bottom", "padding-left",
        "position", "table-layout", "text-align", "text-decoration",
        "text-decoration-color", "text-decoration-line", "text-decoration-style",
        "text-indent", "text-overflow", "text-shadow", "text-transform", "unicode-bidi",
        "vertical-align", "visibility", "white-space", "width", "word-break",
        "word-spacing", "word-wrap", "overflow-wrap", "mso-line-height-rule",
        "mso-table-lspace", "mso-table-rspace", "-webkit-text-size-adjust",
        "-ms-text-size-adjust", "text-size-adjust",
    }
)
"""Properties mail layouts use. `behavior`, `-moz-binding`, `content`, `cursor` and
custom properties are absent on purpose."""

URL_PROPERTIES: frozenset[str] = frozenset({"background", "background-image"})
"""The only properties whose `url(...)` is treated as an image rather than dropped."""

ALLOWED_FUNCTIONS: frozenset[str] = frozenset(
    {
        "rgb", "rgba", "hsl", "hsla", "calc", "min", "max", "clamp",
        "linear-gradient", "radial-gradient", "repeating-linear-gradient",
        "repeating-radial-gradient",
    }
)

ALLOWED_POSITIONS: frozenset[str] = frozenset({"static", "relative"})
"""`fixed`, `sticky` and `absolute` could lay a fake UI over the message; they are dropped."""

_BINDING_PROPERTIES = frozenset({"behavior", "-moz-binding", "-ms-behavior"})

# Last line of defence, applied to every serialized declaration and selector after
# whitespace, comments and backslashes are removed.
_FORBIDDEN_AFTER_SERIALIZING = re.compile(
    r"expression\(|javascript:|vbscript:|livescript:|behavior|-moz-binding|@import|<|&#"
)
_SQUEEZE = re.compile(r"/\*.*?\*/|[\s\\]+", re.DOTALL)


@dataclass(frozen=True, slots=True)
class FilteredCss:
    """The CSS that survived filtering and the categories of what did not."""

    css: str
    removed: frozenset[str]


class _Report:
    """Collect removal categories while one stylesheet or style attribute is filtered."""

    __slots__ = ("removed",)

    def __init__(self) -> None:
        self.removed: set[str] = set()

    def drop(self, category: str) -> None:
        """Record that something of `category` was removed."""
        self.removed.add(category)


def filter_style_attribute(value: str, *, image_url: ImageUrlPolicy) -> FilteredCss:
    """Return the safe declarations of a `style="..."` attribute value."""
    report = _Report()
    if len(value) > MAX_CSS_CHARS:
        report.drop("css-oversized")
        return FilteredCss("", frozenset(report.removed))
    if _nests_too_deep(value):
        report.drop("css-too-deep")
        return FilteredCss("", frozenset(report.removed))
    nodes = tinycss2.parse_blocks_contents(value, skip_comments=True, skip_whitespace=True)
    css = "; ".join(_filter_declarations(nodes, image_url=image_url, report=report))
    return FilteredCss(css, frozenset(report.removed))


def filter_stylesheet(css: str, *, image_url: ImageUrlPolicy) -> FilteredCss:
    """Return the safe rules of a `<style>` element's text."""
    report = _Report()
    if len(css) > MAX_CSS_CHARS:
        report.drop("css-oversized")
        return FilteredCss("", frozenset(report.removed))
    if _nests_too_deep(css):
        report.drop("css-too-deep")
        return FilteredCss("", frozenset(report.removed))
    rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    out = _filter_rules(rules, image_url=image_url, report=report, depth=0)
    return FilteredCss("\n".join(out), frozenset(report.removed))


def _nests_too_deep(css: str) -> bool:
    """Whether brackets in ``css`` nest past ``MAX_BRACKET_DEPTH`` (those in strings and
    comments count too: that only ever drops CSS, never lets any through)."""
    if sum(css.count(ch) for ch in _OPENING) <= MAX_BRACKET_DEPTH:
        return False
    depth = 0
    for ch in css:
        if ch in _OPENING:
            depth += 1
            if depth > MAX_BRACKET_DEPTH:
                return True
        elif ch in _CLOSING and depth:
            depth -= 1
    return False


def _filter_rules(
    rules: Iterable[ast.Node], *, image_url: ImageUrlPolicy, report: _Report, depth: int
) -> list[str]:
    """Keep qualified rules with safe selectors, and `@media` blocks, recursively."""
    out: list[str] = []
    for rule in rules:
        if isinstance(rule, ast.QualifiedRule):
            selector = tinycss2.serialize(rule.prelude).strip()
            if not selector or _is_forbidden(selector) or "mg-" in selector.lower():
                report.drop("css-selector")
                continue
            inner = tinycss2.parse_blocks_contents(
                rule.content, skip_comments=True, skip_whitespace=True
            )
            declarations = _filter_declarations(inner, image_url=image_url, report=report)
            if declarations:
                out.append(f"{selector} {{ {'; '.join(declarations)} }}")
        elif isinstance(rule, ast.AtRule):
            keyword = rule.lower_at_keyword
            if keyword == "media" and rule.content is not None and depth < MAX_NESTING:
                condition = tinycss2.serialize(rule.prelude).strip()
                if _is_forbidden(condition):
                    report.drop("css-at-rule")
                    continue
                inner_rules = tinycss2.parse_rule_list(
                    rule.content, skip_comments=True, skip_whitespace=True
                )
                body = _filter_rules(
                    inner_rules, image_url=image_url, report=report, depth=depth + 1
                )
                if body:
                    out.append(f"@media {condition} {{\n" + "\n".join(body) + "\n}")
            elif keyword == "import":
                report.drop("css-import")
            elif keyword == "font-face":
                report.drop("css-font-face")
            else:
                report.drop("css-at-rule")
        elif isinstance(rule, ast.ParseError):
            report.drop("css-invalid")
    return out


def _filter_declarations(
    nodes: Iterable[ast.Node], *, image_url: ImageUrlPolicy, report: _Report
) -> list[str]:
    """Return the serialized declarations among `nodes` that pass every check."""
    kept: list[str] = []
    for node in nodes:
        if isinstance(node, ast.Declaration):
            serialized = _filter_declaration(node, image_url=image_url, report=report)
            if serialized is not None:
                kept.append(serialized)
        elif isinstance(node, ast.AtRule):
            report.drop("css-import" if node.lower_at_keyword == "import" else "css-at-rule")
        elif isinstance(node, (ast.ParseError, ast.QualifiedRule)):
            report.drop("css-invalid")
    return kept


def _filter_declaration(
    declaration: ast.Declaration, *, image_url: ImageUrlPolicy, report: _Report
) -> str | None:
    """Return one declaration re-serialized, or None when any part of it is unsafe."""
    name = declaration.lower_name
    if name in _BINDING_PROPERTIES:
        report.drop("css-behavior")
        return None
    if name not in ALLOWED_PROPERTIES:
        report.drop("css-property")
        return None
    if name == "position":
        idents = [t for t in declaration.value if not isinstance(t, ast.WhitespaceToken)]
        if not (
            len(idents) == 1
            and isinstance(idents[0], ast.IdentToken)
            and idents[0].lower_value in ALLOWED_POSITIONS
        ):
            report.drop("css-position")
            return None
    value = _filter_value(
        declaration.value, allow_url=name in URL_PROPERTIES, image_url=image_url, report=report
    )
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    serialized = f"{name}: {value}{' !important' if declaration.important else ''}"
    if _is_forbidden(serialized, allow_url=True):
        report.drop("css-expression")
        return None
    return serialized


def _filter_value(
    tokens: Iterable[ast.Node], *, allow_url: bool, image_url: ImageUrlPolicy, report: _Report
) -> str | None:
    """Serialize a declaration value token by token, or return None to drop it."""
    parts: list[str] = []
    for token in tokens:
        if isinstance(token, ast.URLToken):
            url = _filter_url(token.value, allow_url=allow_url, image_url=image_url, report=report)
            if url is None:
                return None
            parts.append(url)
        elif isinstance(token, ast.FunctionBlock):
            if token.lower_name == "url":
                strings = [
                    t for t in token.arguments
                    if not isinstance(t, (ast.WhitespaceToken, ast.Comment))
                ]
                if len(strings) != 1 or not isinstance(strings[0], ast.StringToken):
                    report.drop("css-url")
                    return None
                url = _filter_url(
                    strings[0].value, allow_url=allow_url, image_url=image_url, report=report
                )
                if url is None:
                    return None
                parts.append(url)
                continue
            if token.lower_name not in ALLOWED_FUNCTIONS:
                report.drop(
                    "css-expression" if "expression" in token.lower_name else "css-function"
                )
                return None
            inner = _filter_value(
                token.arguments, allow_url=False, image_url=image_url, report=report
            )
            if inner is None:
                return None
            parts.append(f"{token.lower_name}({inner})")
        elif isinstance(token, ast.ParenthesesBlock):
            inner = _filter_value(token.content, allow_url=False, image_url=image_url,
                                  report=report)
            if inner is None:
                return None
            parts.append(f"({inner})")
        elif isinstance(
            token,
            (ast.IdentToken, ast.NumberToken, ast.PercentageToken, ast.DimensionToken,
             ast.HashToken, ast.StringToken, ast.WhitespaceToken, ast.LiteralToken),
        ):
            if isinstance(token, ast.LiteralToken) and token.value not in {",", "/", "+", "-",
                                                                           "*", "%", "."}:
                report.drop("css-invalid")
                return None
            parts.append(tinycss2.serialize([token]))
        elif isinstance(token, ast.Comment):
            parts.append(" ")
        else:
            report.drop("css-invalid")
            return None
    return "".join(parts)


def _filter_url(
    raw: str, *, allow_url: bool, image_url: ImageUrlPolicy, report: _Report
) -> str | None:
    """Ask the image policy about one CSS URL; return `url("...")` or None."""
    if not allow_url:
        report.drop("css-url")
        return None
    mapped = image_url(raw)
    if mapped is None:
        return None
    return f'url("{serialize_string_value(mapped)}")'


def _is_forbidden(css: str, *, allow_url: bool = False) -> bool:
    """Tell whether `css`, squeezed of whitespace, comments and escapes, holds a hazard."""
    squeezed = _SQUEEZE.sub("", css).lower()
    if _FORBIDDEN_AFTER_SERIALIZING.search(squeezed):
        return True
    return not allow_url and "url(" in squeezed
