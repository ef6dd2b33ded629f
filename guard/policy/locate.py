"""Find the line of a key in TOML text, so config errors can name it (tomllib gives none).

This is a line scanner, not a TOML parser: it follows table headers, array-of-tables
headers and ``key = value`` lines, which is all a policy file needs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_KEY_PART = re.compile(r'\s*("(?:[^"\\]|\\.)*"|\'[^\']*\'|[A-Za-z0-9_-]+)\s*')
_ASSIGN = re.compile(r'^\s*((?:"(?:[^"\\]|\\.)*"|\'[^\']*\'|[A-Za-z0-9_.\s-])+?)\s*=')

PathPart = str | int


def split_key(text: str) -> list[str] | None:
    """Split a dotted TOML key into its parts, unquoting quoted parts; None if malformed."""
    parts: list[str] = []
    pos = 0
    while pos < len(text):
        match = _KEY_PART.match(text, pos)
        if match is None:
            return None
        token = match.group(1)
        parts.append(token[1:-1] if token[0] in "\"'" else token)
        pos = match.end()
        if pos < len(text):
            if text[pos] != ".":
                return None
            pos += 1
    return parts


def find_line(text: str, path: Sequence[PathPart]) -> int | None:
    """Return the 1-based line where ``path`` is defined, or its closest defined parent."""
    target = tuple(path)
    best_line: int | None = None
    best_len = 0
    table: tuple[PathPart, ...] = ()
    array_counts: dict[tuple[PathPart, ...], int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        current: tuple[PathPart, ...] | None = None
        if line.startswith("[["):
            parts = split_key(line[2:line.find("]]")])
            if parts is None:
                continue
            base = _resolve(tuple(parts), array_counts)
            index = array_counts.get(base, -1) + 1
            array_counts[base] = index
            table = (*base, index)
            current = table
        elif line.startswith("["):
            parts = split_key(line[1:line.find("]")])
            if parts is None:
                continue
            table = _resolve(tuple(parts), array_counts)
            current = table
        else:
            match = _ASSIGN.match(line)
            if match is None:
                continue
            parts = split_key(match.group(1).strip())
            if parts is None:
                continue
            current = (*table, *parts)
        common = _common_prefix(current, target)
        if common == len(target) and len(current) == len(target):
            return number
        if common == len(current) and common > best_len:
            best_line, best_len = number, common
    return best_line


def _resolve(parts: tuple[str, ...],
             array_counts: dict[tuple[PathPart, ...], int]) -> tuple[PathPart, ...]:
    """Insert the current index after each prefix that names an array of tables."""
    resolved: list[PathPart] = []
    for i, part in enumerate(parts):
        resolved.append(part)
        prefix = tuple(resolved)
        if i < len(parts) - 1 and prefix in array_counts:
            resolved.append(array_counts[prefix])
    return tuple(resolved)


def _common_prefix(a: Sequence[PathPart], b: Sequence[PathPart]) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n
