"""Prepare a message for sending the way Gmail does: recipients, Bcc, Message-ID, Date.

This edits only the top-level header block as bytes; the body is passed through untouched.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
from dataclasses import dataclass
from email.utils import formatdate, getaddresses

from fakegmail.errors import invalid_argument
from fakegmail.mime import ParsedMessage

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
    #: The From address as written (lower-case), or the sender's when From was added.
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
                     now: float) -> OutgoingMessage:
    """Return ``raw`` as Gmail sends it: with From, Date and Message-ID added where missing;
    the sender's copy keeps Bcc, the copy delivered to recipients has none."""
    match = _HEADER_END.search(raw)
    head, tail = (raw[:match.start()], raw[match.start():]) if match else (raw, b"\r\n\r\n")
    newline = b"\r\n" if b"\r\n" in (match.group(0) if match else b"\r\n") else b"\n"
    lines = head.splitlines()
    recipients = tuple(dict.fromkeys(
        address for field in ("To", "Cc", "Bcc") for address in _recipients(lines, field)))
    if not recipients:
        raise invalid_argument("Recipient address required")
    added = []
    if parsed.header("From") is None:
        added.append(b"From: " + sender.encode())
    if parsed.header("Date") is None:
        added.append(b"Date: " + formatdate(now, usegmt=False).encode())
    if parsed.message_id is None:
        added.append(f"Message-ID: <{secrets.token_hex(16)}@mail.gmail.com>".encode())
    written = [a for _, a in getaddresses(_field_values(lines, b"from")) if a]
    return OutgoingMessage(
        newline.join(added + lines) + tail, recipients,
        delivered=newline.join(added + _drop_fields(lines, {b"bcc"})) + tail,
        from_address=(written[0] if written else sender).lower())


def _recipients(lines: list[bytes], field: str) -> list[str]:
    """Return the lower-case addresses of the top-level ``field`` headers; 400 'Invalid To
    header' (Cc, Bcc) when an entry is not an address, as Gmail refuses to send it.

    The fields are read as written, before RFC 2047 decoding, so an encoded display name
    holding a comma stays one name.
    """
    found: list[str] = []
    for _, address in getaddresses(_field_values(lines, field.lower().encode())):
        if not address:
            continue  # an empty entry between commas, or an empty group
        if _ADDRESS.fullmatch(address) is None:
            raise invalid_argument(f"Invalid {field} header")
        found.append(address.lower())
    return found


def _field_values(lines: list[bytes], name: bytes) -> list[str]:
    """Return the unfolded values of every header line called ``name`` (lower-case)."""
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
