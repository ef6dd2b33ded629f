"""Decode the header values of Gmail's message payloads into the text a client shows.

Header values are decoded from RFC 2047; names and addresses are split the way the
message names them (see ``split_sender``).
"""

from __future__ import annotations

import email.errors
import email.header
import email.utils
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, Literal, overload

from guard.mail_values import MessageHeaders
from guard.sender_authentication import sender_authenticated

Json = Mapping[str, Any]

#: Characters that make a display name need quotes (RFC 5322 specials).
_SPECIALS = re.compile(r'[][\\()<>@,:;".]')
#: C0 and C1 controls (and DEL) that separate words on a line: each becomes a space.
_SPACING_CONTROLS = "\t\n\v\f\r\x1c\x1d\x1e\x1f\x85"
#: Every other C0 and C1 control, and DEL: removed.
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")
_AS_SPACE = {ord(ch): " " for ch in _SPACING_CONTROLS}


def one_line(value: str) -> str:
    """Return a value shown on one line (subject, name, snippet, file name) without controls.

    NUL, ESC, BEL and the other C0 and C1 controls are never meant to be seen: a page,
    its title or a list row would carry them verbatim (ESC starts a terminal sequence, NUL
    ends a C string, an ISO-2022 escape changes how a browser reads what follows). The
    ones that separate words (tab, line breaks, NEL, the information separators) become a
    space, so no two words are joined; the rest are removed, not replaced by U+FFFD,
    because they stand between characters of one word (``ESC$B...ESC(B``) and a visible
    mark would only spell the sender's trick out. Bidi controls are format characters,
    not controls, and are left to the web client (``webclient.bidi_text``).
    """
    return _CONTROLS.sub("", value.translate(_AS_SPACE))


#: Comments nested deeper than this lose their inner parentheses before an address parser
#: reads them (their text stays).
MAX_COMMENT_DEPTH = 16


def flatten_deep_comments(value: str) -> str:
    """Return ``value`` with the parentheses of comments nested past ``MAX_COMMENT_DEPTH``
    left out, their text kept.

    Python's address parser (``email.utils``) reads a nested comment by calling itself:
    a From or Cc of 3,000 ``(`` raised RecursionError, so one message's sender could make
    the reader's inbox page fail. No real address needs comments 16 deep. Quotes and
    backslash escapes are read as ``top_level_pieces`` reads them.
    """
    if value.count("(") <= MAX_COMMENT_DEPTH:
        return value
    out: list[str] = []
    depth, quoted, escaped = 0, False, False
    for ch in value:
        if escaped:
            escaped = False
        elif ch == "\\" and (quoted or depth):
            escaped = True
        elif ch == '"' and not depth:
            quoted = not quoted
        elif not quoted and ch == "(":
            depth += 1
            if depth > MAX_COMMENT_DEPTH:
                continue
        elif not quoted and ch == ")" and depth:
            depth -= 1
            if depth >= MAX_COMMENT_DEPTH:
                continue
        out.append(ch)
    return "".join(out)


def parse_address(value: str) -> tuple[str, str]:
    """``email.utils.parseaddr``, safe with comments nested thousands deep."""
    return email.utils.parseaddr(flatten_deep_comments(value))


def parse_addresses(values: Iterable[str]) -> list[tuple[str, str]]:
    """``email.utils.getaddresses``, safe with comments nested thousands deep."""
    return email.utils.getaddresses([flatten_deep_comments(value) for value in values])


def decode_header(value: str) -> str:
    """Return an RFC 2047 encoded header value as text, without control characters."""
    try:
        return one_line(str(email.header.make_header(email.header.decode_header(value))))
    except (ValueError, LookupError, UnicodeError, email.errors.MessageError):
        # MessageError: HeaderParseError, and CharsetError for a charset name that is not
        # ASCII (=?\x80--utf-8?q?...?=): the value is shown as it came, controls removed
        return one_line(value)


def part_headers(payload: Json) -> dict[str, str]:
    """Return a part's headers by lower-case name; the first of each name (the topmost)."""
    out: dict[str, str] = {}
    for header in payload.get("headers") or ():
        name = str(header.get("name", "")).lower()
        if name and name not in out:
            out[name] = str(header.get("value", ""))
    return out


def _name_and_address(name: str, address: str) -> str:
    """Return ``name <address>`` as text, or the bare address when there is no name.

    ``formataddr`` encodes a non-ASCII name again (``=?utf-8?b?...?=``) and refuses a
    non-ASCII address, which is valid mail (RFC 6532); here the name is kept as text and
    quoted where it needs quoting, and the address is written as sent.
    """
    if not name:
        return address
    if _SPECIALS.search(name):
        name = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{name} <{address}>"


def address_list(value: str | None) -> tuple[str, ...]:
    """Return the entries of an address header (To, Cc...) as ``name <address>`` text.

    As with From (see ``split_sender``), Gmail gives the value with its RFC 2047 words
    decoded, so ``=?utf-8?q?Santoso=2C_Ana?= <ana@...>`` arrives as ``Santoso, Ana
    <ana@...>``: split at every comma, that is an entry ``Santoso`` with no address and a
    name that lost its first half. Entries are split at the commas outside quotes, angle
    brackets and comments, and a piece that names no address is the start of the next
    entry's name. A list with a group (``Team: a@x, b@y;``) is read as RFC 5322 says.
    """
    if not value:
        return ()
    pieces = top_level_pieces(value, separators=",", groups=True)
    if pieces is None or not any("@" in piece for piece in pieces):  # a group, local names
        pairs = parse_addresses([value])
        return tuple(_name_and_address(decode_header(n).strip(), one_line(a))
                     for n, a in pairs if one_line(a))
    out = []
    pending: list[str] = []
    for piece in pieces:
        if "@" not in piece:
            if piece.strip():
                pending.append(piece.strip())
            continue
        entry = ", ".join([*pending, piece.strip()])
        pending = []
        sender = split_sender(decode_header(entry))
        if sender is None:
            name, address = parse_address(entry)
            sender = (decode_header(name).strip(), address)
        if one_line(sender[1]):
            out.append(_name_and_address(one_line(sender[0]), one_line(sender[1])))
    return tuple(out)


@overload
def top_level_pieces(value: str, *, separators: str,
                     groups: Literal[False]) -> list[str]: ...


@overload
def top_level_pieces(value: str, *, separators: str, groups: bool) -> list[str] | None: ...


def top_level_pieces(value: str, *, separators: str, groups: bool) -> list[str] | None:
    """Split an address list at the ``separators`` outside quotes, angle brackets and
    comments; with ``groups``, None when a top-level ``:`` starts a group.

    The one scanner for address lists: a header's (``address_list``, commas, groups read
    as RFC 5322 says) and a recipients field a writer typed (the web client's compose
    page, commas, semicolons and line breaks, where ``:`` is just a character). A
    separator inside a quoted display name (``"Doe, John" <j@example.com>``), an
    angle-bracketed address or a comment belongs to its entry; a backslash escapes the
    next character inside quotes and comments. The pieces are returned as they are,
    blanks and surrounding spaces included.
    """
    pieces, start, quoted, escaped = [], 0, False, False
    depth = {"<": 0, "(": 0}
    for i, ch in enumerate(value):
        if escaped:
            escaped = False
        elif ch == "\\" and (quoted or depth["("]):
            escaped = True
        elif ch == '"' and not depth["("]:
            quoted = not quoted
        elif quoted:
            continue
        elif ch in "<(":
            depth[ch] += 1
        elif ch == ">" and depth["<"]:
            depth["<"] -= 1
        elif ch == ")" and depth["("]:
            depth["("] -= 1
        elif not depth["<"] and not depth["("]:
            if groups and ch == ":":
                return None
            if ch in separators:
                pieces.append(value[start:i])
                start = i + 1
    pieces.append(value[start:])
    return pieces


#: A From value ending in ``<address>``: the name is everything before it.
_NAME_AND_ANGLE_ADDRESS = re.compile(r"(.*?)\s*<([^<>\s@]+@[^<>\s@]+)>\s*", re.DOTALL)


def split_sender(value: str) -> tuple[str, str] | None:
    """Return the name and address of a decoded From value, or None if it ends in no
    ``<address>``.

    Gmail hands header values out with their RFC 2047 words already decoded, so an encoded
    name has lost its quoting before the guard sees it: ``=?utf-8?q?Santoso=2C_Budi?=``
    arrives as ``Santoso, Budi <budi@...>``, which an address parser reads as two entries,
    and a name that decodes to ``Bank <support@bank.example>`` gives the first entry a
    false address. The address in the closing angle brackets is the one the message
    names; everything before it is the name (unquoted when it was quoted).
    """
    found = _NAME_AND_ANGLE_ADDRESS.fullmatch(value.strip())
    if found is None:
        return None
    name = found.group(1).strip()
    if len(name) >= 2 and name[0] == name[-1] == '"':
        name = re.sub(r"\\(.)", r"\1", name[1:-1])
    return name, found.group(2)


def _sender(value: str) -> tuple[str, str] | None:
    """Return the name and address of a From value as Gmail gives it (see split_sender)."""
    return split_sender(decode_header(value))


def from_value(value: str) -> str:
    """Return a From value as ``name <address>`` text, the name quoted where it needs it.

    A value that does not end in ``<address>`` is given decoded, as it always was.
    """
    return _from_text(value, _sender(value))


def _from_text(value: str, sender: tuple[str, str] | None) -> str:
    """Return ``from_value(value)`` from the value and its already split sender."""
    return decode_header(value) if sender is None else _name_and_address(*sender)


def header_date(value: str | None) -> datetime | None:
    """Return a Date header as an aware datetime (UTC when it names no zone), or None."""
    if not value:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):  # year 99999999999: Overflow
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _from_address(value: str, sender: tuple[str, str] | None) -> str:
    """Return the address of a From value (split as ``sender``), or "" when it names none."""
    return sender[1] if sender is not None else parse_address(decode_header(value))[1]


def display_name(value: str) -> str:
    """Return the decoded name of a From value, or its address."""
    sender = _sender(value)
    if sender is None:
        name, address = parse_address(decode_header(value))
        return name.strip() or address
    return sender[0] or sender[1]


def message_headers(payload: Json) -> MessageHeaders:
    """Return the decoded headers of a message payload."""
    h = part_headers(payload)
    from_ = h.get("from", "")
    sender = _sender(from_)
    return MessageHeaders(
        subject=decode_header(h.get("subject", "")),
        from_=_from_text(from_, sender),
        to=address_list(h.get("to")), cc=address_list(h.get("cc")),
        bcc=address_list(h.get("bcc")), reply_to=address_list(h.get("reply-to")),
        date=header_date(h.get("date")), message_id=h.get("message-id") or None,
        in_reply_to=h.get("in-reply-to") or None,
        references=tuple(h.get("references", "").split()),
        # the topmost Authentication-Results: the one Gmail adds when the message arrives
        sender_authenticated=sender_authenticated(h.get("authentication-results"),
                                                  _from_address(from_, sender)))
