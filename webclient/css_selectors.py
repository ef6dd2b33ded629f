"""Match CSS selectors against the element tree of a sanitised message fragment.

Types, ids, classes, attributes (``=``, ``~=``, ``|=``, ``^=``, ``$=``, ``*=``) and the
descendant, child, next-sibling and later-sibling combinators are matched;
``parse_selector`` returns None for anything else (pseudo-classes, escapes), and a caller
leaves such a rule out. Matching spends a ``Budget``, so a hostile stylesheet cannot make
one fragment cost more than ``MAX_MATCH_STEPS`` tests.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

#: Selector tests one fragment may spend; a mailer's stylesheet needs far fewer.
MAX_MATCH_STEPS = 300_000


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
            for position in range(self.index - 1, -1, -1):
                yield self.parent.elements[position]


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
class Selector:
    #: Compounds from the subject leftwards, each with the combinator that joins it to
    #: the next one to its left.
    steps: tuple[tuple[tuple[_Test, ...], str], ...]
    specificity: tuple[int, int, int]


def parse_selector(text: str) -> Selector | None:
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
    return Selector(steps=steps, specificity=specificity)


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


class Budget:
    """The selector tests left for one fragment."""

    __slots__ = ("left",)

    def __init__(self) -> None:
        self.left = MAX_MATCH_STEPS

    def spend(self) -> bool:
        """Spend one test; tell whether the budget allowed it."""
        self.left -= 1
        return self.left >= 0


def matches(element: Element, steps: Sequence[tuple[tuple[_Test, ...], str]],
            budget: Budget) -> bool:
    """Tell whether ``element`` is the subject of the selector ``steps`` describe."""
    compound, combinator = steps[0]
    if not budget.spend() or not all(_passes(element, test) for test in compound):
        return False
    if len(steps) == 1:
        return True
    rest = steps[1:]
    if combinator == ">":
        return element.parent is not None and matches(element.parent, rest, budget)
    if combinator == " ":
        ancestor = element.parent
        while ancestor is not None and budget.left > 0:
            if matches(ancestor, rest, budget):
                return True
            ancestor = ancestor.parent
        return False
    if combinator == "+":
        before = next(iter(element.previous_elements()), None)
        return before is not None and matches(before, rest, budget)
    return any(matches(sibling, rest, budget) for sibling in element.previous_elements()
               if budget.left > 0)


def subject_key(selector: Selector) -> str:
    """Return what an element must have for ``selector``'s subject to match it."""
    subject = selector.steps[0][0]
    for kind, prefix in (("id", "i:"), ("class", "c:")):
        found = next((t.name for t in subject if t.kind == kind), None)
        if found is not None:
            return prefix + found
    tag = next((t.name for t in subject if t.kind == "type" and t.name != "*"), None)
    return "*" if tag is None else "t:" + tag
