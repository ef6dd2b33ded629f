"""Lex and parse Gmail's search syntax (the ``q`` parameter) into a small tree.

The tree is nested tuples: ``("and", [nodes])``, ``("or", [nodes])``, ``("not", node)``,
``("term", operator or None, value, is_phrase)`` and ``("around", term, term, distance)``
for Gmail's ``holiday AROUND 10 vacation`` (two free-text terms at most that many words
apart). OR binds tighter than the implicit AND; ``{a b}`` is an OR group; nesting deeper
than :data:`MAX_NESTING` is refused.
``search`` compiles the tree into a matcher.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

MAX_NESTING = 50
"""Parentheses and braces nested deeper than this are rejected."""

TEXT_OPERATORS = ("from", "to", "cc", "bcc", "subject", "list", "deliveredto")
"""Operators whose value is searched as words in one header."""

OPERATORS = frozenset({
    *TEXT_OPERATORS, "label", "in", "is", "has", "filename", "category", "rfc822msgid",
    "after", "before", "older", "newer", "older_than", "newer_than", "larger", "smaller",
    "size",
})

_WORD_END = re.compile(r'[\s(){}"|]')


class QueryError(ValueError):
    """The search query cannot be understood; the message says which part and why."""


def parse_query(q: str) -> Any:
    """Return the tree of ``q``; raise QueryError for unbalanced or too deep brackets."""
    return _Parser(_lex(q)).parse()


@dataclass(frozen=True, slots=True)
class _Tok:
    """One lexical token: a kind and, for words, phrases and fields, its text."""

    kind: str  # ( ) { } OR NOT AROUND WORD PHRASE FIELD OPWORD OPPHRASE
    text: str = ""
    op: str = ""


def _lex(q: str) -> list[_Tok]:
    """Split ``q`` into tokens."""
    tokens: list[_Tok] = []
    i, n = 0, len(q)
    while i < n:
        ch = q[i]
        if ch.isspace():
            i += 1
        elif ch in "(){}":
            tokens.append(_Tok(ch))
            i += 1
        elif ch == "|":
            tokens.append(_Tok("OR"))
            i += 1
        elif ch == '"':
            end = q.find('"', i + 1)
            end = n if end < 0 else end
            tokens.append(_Tok("PHRASE", q[i + 1:end]))
            i = end + 1
        elif ch in "-+" and i + 1 < n and not q[i + 1].isspace() and q[i + 1] not in "-+)}|":
            if ch == "-":
                tokens.append(_Tok("NOT"))
            i += 1
        else:
            found = _WORD_END.search(q, i)
            end = n if found is None else found.start()
            word = q[i:end]
            i = end
            if word == "OR":
                tokens.append(_Tok("OR"))
                continue
            if word == "AND":
                continue
            if word == "AROUND":
                tokens.append(_Tok("AROUND", word))
                continue
            name, colon, value = word.partition(":")
            op = name.lower()
            if not colon or op not in OPERATORS:
                tokens.append(_Tok("WORD", word))
            elif value:
                tokens.append(_Tok("OPWORD", value, op))
            elif i < n and q[i] == '"':
                end = q.find('"', i + 1)
                end = n if end < 0 else end
                tokens.append(_Tok("OPPHRASE", q[i + 1:end], op))
                i = end + 1
            elif i < n and q[i] in "({":
                tokens.append(_Tok("FIELD", op=op))
            else:
                raise QueryError(
                    f"operator '{op}:' needs a value right after the colon, "
                    f"e.g. {op}:{_EXAMPLES.get(op, 'word')}"
                )
    return tokens


_EXAMPLES = {
    "after": "2024/01/31", "before": "2024/01/31", "older": "2024/01/31",
    "newer": "2024/01/31", "older_than": "7d", "newer_than": "2m", "larger": "10M",
    "smaller": "100K", "size": "5M", "is": "unread", "in": "inbox", "has": "attachment",
    "from": "alice@example.com", "to": "bob@example.com", "label": "work",
}


class _Parser:
    """Recursive-descent parser over the token list, with nesting capped."""

    def __init__(self, tokens: list[_Tok]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.depth = 0

    def peek(self) -> _Tok | None:
        """Return the next token without consuming it."""
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def parse(self) -> Any:
        """Parse the whole token list."""
        node = self.sequence(None, closer=None)
        leftover = self.peek()
        if leftover is not None:
            raise QueryError(
                f"unbalanced parentheses: '{leftover.kind}' has no matching opening bracket; "
                "remove it or add the opening one"
            )
        return node

    def sequence(self, op: str | None, closer: str | None) -> Any:
        """Parse terms joined by implicit AND and explicit OR until ``closer``."""
        groups: list[list[Any]] = [[]]
        while True:
            tok = self.peek()
            if tok is None:
                if closer is not None:
                    raise QueryError(
                        f"unbalanced parentheses: a '{'(' if closer == ')' else '{'}' is never "
                        f"closed; add '{closer}'"
                    )
                break
            if tok.kind in (")", "}"):
                if tok.kind != closer:
                    raise QueryError(
                        f"unbalanced parentheses: unexpected '{tok.kind}'; remove it or add "
                        "the matching opening bracket"
                    )
                self.pos += 1
                break
            if tok.kind == "OR":
                self.pos += 1
                if groups[-1]:
                    groups.append([])
                continue
            if tok.kind == "AROUND" and self.around(groups[-1]):
                continue
            groups[-1].append(self.unary(op))
        groups = [group for group in groups if group]
        if not groups:
            return ("and", [])
        if len(groups) == 1:
            return groups[0][0] if len(groups[0]) == 1 else ("and", groups[0])
        # OR binds tighter than the implicit AND: "a b OR c" means a AND (b OR c).
        return self._regroup(groups)

    @staticmethod
    def _regroup(groups: list[list[Any]]) -> Any:
        """Turn [[a, b], [c, d]] (split at ORs) into a AND (b OR c) AND d."""
        result: list[Any] = list(groups[0])
        for group in groups[1:]:
            left = result.pop()
            right = group[0]
            if isinstance(left, tuple) and left[0] == "or":
                result.append(("or", [*left[1], right]))
            else:
                result.append(("or", [left, right]))
            result.extend(group[1:])
        return result[0] if len(result) == 1 else ("and", result)

    def around(self, terms: list[Any]) -> bool:
        """Join the last term and the next one as ``a AROUND n b``; False if it is not one.

        Gmail reads AROUND this way only between two free-text terms with a distance;
        anywhere else the word AROUND is searched as text.
        """
        left = terms[-1] if terms else None
        rest = self.tokens[self.pos + 1:self.pos + 3]
        if (left is None or left[0] != "term" or left[1] is not None or len(rest) < 2
                or rest[0].kind != "WORD" or not rest[0].text.isdigit()
                or rest[1].kind not in ("WORD", "PHRASE")):
            return False
        self.pos += 3
        right = ("term", None, rest[1].text, rest[1].kind == "PHRASE")
        terms[-1] = ("around", left, right, int(rest[0].text[:6]))
        return True

    def unary(self, op: str | None) -> Any:
        """Parse one optionally negated primary."""
        negations = 0
        while (tok := self.peek()) is not None and tok.kind == "NOT":
            negations += 1
            self.pos += 1
        tok = self.peek()
        if tok is None or tok.kind in ("OR", ")", "}"):
            return ("and", [])  # a dangling '-' constrains nothing
        node = self.primary(op)
        return ("not", node) if negations % 2 else node

    def primary(self, op: str | None) -> Any:
        """Parse a group, an any-of set, an operator or a word."""
        tok = self.tokens[self.pos]
        self.pos += 1
        if tok.kind in ("(", "{"):
            return self.group(op, tok.kind)
        if tok.kind == "FIELD":
            opener = self.tokens[self.pos]
            self.pos += 1
            return self.group(tok.op, opener.kind)
        if tok.kind in ("OPWORD", "OPPHRASE"):
            return ("term", tok.op, tok.text, tok.kind == "OPPHRASE")
        return ("term", op, tok.text, tok.kind == "PHRASE")

    def group(self, op: str | None, opener: str) -> Any:
        """Parse a parenthesised group or a ``{any of}`` set."""
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise QueryError(f"the query nests brackets more than {MAX_NESTING} deep; simplify it")
        if opener == "(":
            node = self.sequence(op, closer=")")
        else:
            node = self.sequence(op, closer="}")
            if node[0] == "and":
                node = ("or", node[1]) if node[1] else node
        self.depth -= 1
        return node
