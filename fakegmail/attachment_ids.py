"""Gmail's attachment ids: a fresh opaque token on every fetch, and every one keeps working.

Gmail's ``body.attachmentId`` is not a stable name for a part. Fetching the same message
twice gives each attachment a different id, and an id handed out by an earlier fetch still
fetches the attachment with ``messages.attachments.get``. Integrators who keep the id as a
key (a cache, a download link, a de-duplication table) and expect the next fetch to show
the same id find nothing in production; the emulator behaves the same way so that such a
bug fails here too. Reports also describe Gmail refusing an id given out long before as an
invalid token; the emulator keeps every id working while its message exists, and a client
that meets Gmail's refusal fetches the message again for a fresh id.

An id is ``"AN"`` followed by the base64url (unpadded) of ``version | nonce | part-id
length | part id | tag``: the nonce is random per issue, and the tag is an HMAC-SHA256,
under a key random per mailbox, over the mailbox's address, the message id, the part id
and the nonce. Nothing is stored per id. An id of another message fails the tag and is
Gmail's 400 'Invalid attachment token'; another account's mailbox has another key, so its
ids fail the same way (when the message id is not in the mailbox at all, 404 comes first).

The parsed payload carries a deterministic placeholder id per attachment
(``fakegmail.mime``); every Gmail answer replaces the placeholders of a message with ids
issued for that message at that moment, and placeholders are never accepted.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
from collections.abc import Callable, Mapping
from typing import Any

_VERSION = b"\x01"
_NONCE_BYTES = 24
_TAG_BYTES = 32
_PREFIX = "AN"
_MAX_ID_LENGTH = 4096
_PLACEHOLDER = re.compile(rb'("attachmentId": ?")(AN[A-Za-z0-9_-]+)(")')


class AttachmentIds:
    """Issue and resolve the attachment ids of one mailbox."""

    def __init__(self, address: str, *, key: bytes | None = None,
                 random_bytes: Callable[[int], bytes] = secrets.token_bytes) -> None:
        """``key`` defaults to 32 random bytes; ``random_bytes`` makes the nonces (tests
        may pass a deterministic one)."""
        self._address = address.encode("utf-8")
        self._key = key if key is not None else secrets.token_bytes(32)
        if len(self._key) < 16:
            raise ValueError("the attachment id key must be at least 16 bytes")
        self._random_bytes = random_bytes

    def issue(self, message_id: str, part_id: str) -> str:
        """Return a new id for part ``part_id`` of message ``message_id``."""
        nonce = self._random_bytes(_NONCE_BYTES)
        part = part_id.encode("ascii")
        body = _VERSION + nonce + len(part).to_bytes(2, "big") + part
        token = body + self._tag(message_id, part, nonce)
        return _PREFIX + base64.urlsafe_b64encode(token).decode("ascii").rstrip("=")

    def part_id(self, message_id: str, attachment_id: str) -> str | None:
        """Return the part id ``attachment_id`` was issued for, or None when it was not
        issued by this mailbox for ``message_id`` (tampered, foreign or malformed)."""
        if (not attachment_id.startswith(_PREFIX) or len(attachment_id) > _MAX_ID_LENGTH):
            return None
        text = attachment_id[len(_PREFIX):]
        try:
            token = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        except (binascii.Error, ValueError):
            return None
        head = 1 + _NONCE_BYTES + 2
        if len(token) < head + _TAG_BYTES or token[:1] != _VERSION:
            return None
        nonce = token[1:1 + _NONCE_BYTES]
        length = int.from_bytes(token[1 + _NONCE_BYTES:head], "big")
        if len(token) != head + length + _TAG_BYTES:
            return None
        part = token[head:head + length]
        if not hmac.compare_digest(token[head + length:], self._tag(message_id, part, nonce)):
            return None
        return part.decode("ascii", "replace")

    def _tag(self, message_id: str, part: bytes, nonce: bytes) -> bytes:
        fields = (self._address, message_id.encode("utf-8"), part, nonce)
        data = b"".join(len(f).to_bytes(4, "big") + f for f in fields)
        return hmac.new(self._key, _VERSION + data, hashlib.sha256).digest()


def issue_in_payload(payload: dict[str, Any], placeholders: Mapping[str, str],
                     issue: Callable[[str], str]) -> dict[str, Any]:
    """Return a copy of ``payload`` whose placeholder attachment ids are fresh ids.

    ``placeholders`` maps each placeholder to its part id; ``issue`` makes the id for a
    part id. The parsed payload is shared by every answer, so it is copied, never changed.
    The walk is iterative, as messages may hold thousands of parts.
    """
    if not placeholders:
        return payload
    root = dict(payload)
    stack = [root]
    while stack:
        node = stack.pop()
        body = node.get("body")
        if isinstance(body, dict) and body.get("attachmentId") in placeholders:
            node["body"] = {**body, "attachmentId": issue(placeholders[body["attachmentId"]])}
        parts = node.get("parts")
        if isinstance(parts, list):
            copies = [dict(part) for part in parts]
            node["parts"] = copies
            stack.extend(copies)
    return root


def issue_in_json(rendered: bytes, placeholders: Mapping[str, str],
                  issue: Callable[[str], str]) -> bytes:
    """Return rendered Message JSON (compact or indented) with fresh attachment ids.

    Only ``"attachmentId"`` members whose value is one of this message's placeholders are
    replaced. A JSON string cannot hold an unescaped quote, so text inside a header value
    or a body never matches the member pattern.
    """
    if not placeholders:
        return rendered

    def replace(match: re.Match[bytes]) -> bytes:
        part_id = placeholders.get(match.group(2).decode("ascii"))
        if part_id is None:
            return match.group(0)
        return match.group(1) + issue(part_id).encode("ascii") + match.group(3)

    return _PLACEHOLDER.sub(replace, rendered)
