"""Read the header fields the emulator searches and threads by: Date, Message-IDs, addresses."""

from __future__ import annotations

import re
from email.utils import getaddresses, mktime_tz, parsedate_tz
from typing import TypeGuard

_MSGID = re.compile(r"<[^<>\s]*>")


def parse_date_header(value: str | None) -> float | None:
    """Return the Date header as epoch seconds, or None if missing or unparseable."""
    if not value:
        return None
    try:
        parsed = parsedate_tz(value)
        if parsed is None:
            return None
        if parsed[9] is None:
            parsed = parsed[:9] + (0,)
        return float(mktime_tz(parsed))
    except (TypeError, ValueError, OverflowError, IndexError):
        return None


def first_msgid(value: str | None) -> str | None:
    """Return the first ``<id>`` in a header, or its stripped value, or None."""
    if value is None:
        return None
    found = _MSGID.search(value)
    if found:
        return found.group(0)
    stripped = value.strip()
    return stripped or None


#: Gmail reads any address header; Python's parser reads a nested comment by calling
#: itself, so a Cc of 3,000 ``(`` raised RecursionError and the message was refused with a
#: 500. Comments deeper than this lose their inner parentheses first (their text stays).
MAX_COMMENT_DEPTH = 16


def read_addresses(values: list[str]) -> list[tuple[str, str]]:
    """``email.utils.getaddresses`` over header values, safe however deep comments nest."""
    return getaddresses([_flatten_deep_comments(value) for value in values])


def _flatten_deep_comments(value: str) -> str:
    """Leave out the parentheses nested past ``MAX_COMMENT_DEPTH`` (quotes, escapes read)."""
    if value.count("(") <= MAX_COMMENT_DEPTH:
        return value
    out, depth, quoted, escaped = [], 0, False, False
    for ch in value:
        keep = True
        if escaped:
            escaped = False
        elif ch == "\\" and (quoted or depth):
            escaped = True
        elif ch == '"' and not depth:
            quoted = not quoted
        elif not quoted and ch == "(":
            depth += 1
            keep = depth <= MAX_COMMENT_DEPTH
        elif not quoted and ch == ")" and depth:
            keep = depth <= MAX_COMMENT_DEPTH
            depth -= 1
        if keep:
            out.append(ch)
    return "".join(out)


def header_addresses(headers: tuple[tuple[str, str], ...], name: str) -> tuple[str, ...]:
    """Return the lower-case addresses of every ``name`` header."""
    values = [value for key, value in headers if key.lower() == name]
    if not values:
        return ()
    try:
        pairs = read_addresses(values)
    except (TypeError, ValueError, IndexError):
        return ()
    return tuple(address.lower() for _, address in pairs if address)


def message_ids(value: str) -> tuple[str, ...]:
    """Return every ``<id>`` in a header such as References, in order."""
    return tuple(_MSGID.findall(value))


_ADDRESS = re.compile(r"[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+")


def is_address(value: object) -> TypeGuard[str]:
    """Return True when ``value`` is a bare email address (``local@domain.tld``), as the
    settings methods take them (no display name, no angle brackets)."""
    return isinstance(value, str) and _ADDRESS.fullmatch(value.strip()) is not None
