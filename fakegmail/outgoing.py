"""Prepare a message for sending the way Gmail does: recipients, Bcc, Message-ID, Date.

This edits only the top-level header block as bytes; the body is passed through untouched.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
from dataclasses import dataclass
from email.utils import formatdate

from fakegmail.errors import invalid_argument
from fakegmail.mime import ParsedMessage

_HEADER_END = re.compile(rb"\r?\n\r?\n")
_NOT_BASE64 = re.compile(r"[^A-Za-z0-9+/\-_=]")


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """A message ready to send: the sender's copy, the recipients' copy, who it goes to."""

    #: The sender's copy, Bcc kept (Gmail's Sent mail shows whom it was blind-copied to).
    raw: bytes
    recipients: tuple[str, ...]
    #: What recipients receive: the same bytes without the Bcc field.
    delivered: bytes


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
    recipients = tuple(dict.fromkeys(
        a.lower() for a in (*parsed.to_addresses, *parsed.cc_addresses, *parsed.bcc_addresses)
        if a
    ))
    if not recipients:
        raise invalid_argument("Recipient address required")
    match = _HEADER_END.search(raw)
    head, tail = (raw[:match.start()], raw[match.start():]) if match else (raw, b"\r\n\r\n")
    newline = b"\r\n" if b"\r\n" in (match.group(0) if match else b"\r\n") else b"\n"
    lines = head.splitlines()
    added = []
    if parsed.header("From") is None:
        added.append(b"From: " + sender.encode())
    if parsed.header("Date") is None:
        added.append(b"Date: " + formatdate(now, usegmt=False).encode())
    if parsed.message_id is None:
        added.append(f"Message-ID: <{secrets.token_hex(16)}@mail.gmail.com>".encode())
    return OutgoingMessage(
        newline.join(added + lines) + tail, recipients,
        delivered=newline.join(added + _drop_fields(lines, {b"bcc"})) + tail)


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
