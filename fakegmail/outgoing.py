"""Prepare a message for sending the way Gmail does: recipients, Bcc, From, Message-ID, Date.

This edits only the top-level header block as bytes; the body is passed through untouched.

From: Gmail sends mail only as the account or as one of its verified send-as aliases.
A From address that is neither (including an alias still pending verification) does not
make the API refuse the message: Gmail replaces the address with the account's primary
address and delivers it, and the API answer says nothing of the change. The display name
written in From is kept; only the address is replaced. Reports differ on which address
Gmail puts in: most (and the shape of the send-as documentation, where the primary
address is the account's own) name the primary address, a few the default send-as
address; the emulator uses the primary address. For a From with no display name, one
report of Gmail's SMTP submission shows the written address kept as the name; nothing
documents that for the API, so the emulator writes the bare primary address. The
account's own address, in any letter case, and a verified alias stay exactly as written.
Sender and Reply-To are left as written (Gmail fills Reply-To only from a send-as alias's
replyToAddress setting, and never rewrites one the client wrote).
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
from collections.abc import Collection
from dataclasses import dataclass
from email.utils import formataddr, formatdate
from typing import Literal, overload

from fakegmail.errors import invalid_argument
from fakegmail.mime import ParsedMessage
from fakegmail.mime_fields import read_addresses

_HEADER_END = re.compile(rb"\r?\n\r?\n")
_NOT_BASE64 = re.compile(r"[^A-Za-z0-9+/\-_=]")
_ADDRESS = re.compile(r"[^@\s]+@[^@\s]+")


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """A message ready to send: the sender's copy, the recipients' copy, who it goes to."""

    #: The sender's copy, Bcc kept (Gmail's Sent mail shows whom it was blind-copied to).
    raw: bytes
    recipients: tuple[str, ...]
    #: What recipients receive: the same bytes without the Bcc field.
    delivered: bytes
    #: The From address as sent (lower-case): as written when it is the account's own or
    #: a verified alias, else (added or replaced) the account's primary address.
    from_address: str


def decode_raw(value: object) -> bytes:
    """Decode a Message's ``raw`` field: base64url, standard base64, padding optional."""
    if not isinstance(value, str) or _NOT_BASE64.search(value.strip()) is not None:
        raise invalid_argument("Invalid value for ByteString: 'raw' must be the message's "
                               "RFC 5322 bytes in base64url encoding")
    text = value.strip().rstrip("=").replace("-", "+").replace("_", "/")
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise invalid_argument("Invalid value for ByteString: 'raw' must be the message's "
                               "RFC 5322 bytes in base64url encoding") from None


def prepare_outgoing(raw: bytes, parsed: ParsedMessage, *, sender: str,
                     own_addresses: Collection[str] = (), now: float) -> OutgoingMessage:
    """Return ``raw`` as Gmail sends it: with From, Date and Message-ID added where missing
    and a From address the account does not own replaced by ``sender`` (the primary
    address; see the module's docstring); the sender's copy keeps Bcc, the copy delivered
    to recipients has none.

    :param own_addresses: the verified send-as aliases, lower-case; ``sender`` always
        counts as the account's own.
    """
    match = _HEADER_END.search(raw)
    head, tail = (raw[:match.start()], raw[match.start():]) if match else (raw, b"\r\n\r\n")
    newline = b"\r\n" if b"\r\n" in (match.group(0) if match else b"\r\n") else b"\n"
    lines = head.splitlines()
    recipients = tuple(dict.fromkeys(
        address for field in ("To", "Cc", "Bcc") for address in _recipients(lines, field)))
    if not recipients:
        raise invalid_argument("Recipient address required")
    added = []
    from_address = sender.lower()
    if parsed.header("From") is None:
        added.append(b"From: " + sender.encode())
    else:
        written = read_addresses(_field_values(lines, b"from"))
        first = next(((name, address) for name, address in written if address), ("", ""))
        if first[1].lower() in {sender.lower(), *own_addresses}:
            from_address = first[1].lower()
        else:
            lines = _replace_field(lines, b"from",
                                   b"From: " + _sent_from(lines, first[0], sender))
    if parsed.header("Date") is None:
        added.append(b"Date: " + formatdate(now, usegmt=False).encode())
    if parsed.message_id is None:
        added.append(f"Message-ID: <{secrets.token_hex(16)}@mail.gmail.com>".encode())
    return OutgoingMessage(
        newline.join(added + lines) + tail, recipients,
        delivered=newline.join(added + _drop_fields(lines, {b"bcc"})) + tail,
        from_address=from_address)


def _sent_from(lines: list[bytes], name: str, address: str) -> bytes:
    """Return the From value Gmail sends for a From it does not accept: the display name
    as written (encoded words, quoting and 8-bit bytes untouched) with ``address``, or the
    bare address when no name was written."""
    if not name:
        return address.encode()
    values = _field_values(lines, b"from", raw=True)
    mailboxes = [a for _, a in read_addresses(_field_values(lines, b"from")) if a]
    if len(values) == 1 and len(mailboxes) == 1 and values[0].count(b"<") == 1:
        phrase = values[0].split(b"<", 1)[0].strip()
        if phrase:
            return phrase + b" <" + address.encode() + b">"
    return formataddr((name, address)).encode()


def _replace_field(lines: list[bytes], name: bytes, line: bytes) -> list[bytes]:
    """Return ``lines`` with every ``name`` field (lower-case) removed and ``line`` put
    where the first one was."""
    kept: list[bytes] = []
    dropping = placed = False
    for current in lines:
        if current[:1] in (b" ", b"\t"):
            if not dropping:
                kept.append(current)
            continue
        dropping = current.split(b":", 1)[0].strip().lower() == name
        if dropping and not placed:
            kept.append(line)
            placed = True
        elif not dropping:
            kept.append(current)
    return kept


def _recipients(lines: list[bytes], field: str) -> list[str]:
    """Return the lower-case addresses of the top-level ``field`` headers; 400 'Invalid To
    header' (Cc, Bcc) when an entry is not an address, as Gmail refuses to send it.

    The fields are read as written, before RFC 2047 decoding, so an encoded display name
    holding a comma stays one name.
    """
    found: list[str] = []
    for _, address in read_addresses(_field_values(lines, field.lower().encode())):
        if not address:
            continue  # an empty entry between commas, or an empty group
        if _ADDRESS.fullmatch(address) is None:
            raise invalid_argument(f"Invalid {field} header")
        found.append(address.lower())
    return found


@overload
def _field_values(lines: list[bytes], name: bytes) -> list[str]: ...


@overload
def _field_values(lines: list[bytes], name: bytes, *, raw: Literal[True]) -> list[bytes]: ...


def _field_values(lines: list[bytes], name: bytes, *,
                  raw: bool = False) -> list[str] | list[bytes]:
    """Return the unfolded values of every header line called ``name`` (lower-case), as
    text, or with ``raw`` as the bytes written."""
    values: list[list[bytes]] = []
    current: list[bytes] | None = None
    for line in lines:
        if line[:1] in (b" ", b"\t"):
            if current is not None:
                current.append(line.strip())
            continue
        field, colon, value = line.partition(b":")
        current = [value.strip()] if colon and field.strip().lower() == name else None
        if current is not None:
            values.append(current)
    if raw:
        return [b" ".join(parts) for parts in values]
    return [b" ".join(parts).decode("utf-8", "replace") for parts in values]


def _drop_fields(lines: list[bytes], names: set[bytes]) -> list[bytes]:
    kept: list[bytes] = []
    dropping = False
    for line in lines:
        if line[:1] in (b" ", b"\t"):
            if not dropping:
                kept.append(line)
            continue
        name = line.split(b":", 1)[0].strip().lower()
        dropping = name in names
        if not dropping:
            kept.append(line)
    return kept
