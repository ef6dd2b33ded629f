"""The token vault: OAuth tokens encrypted at rest with AES-256-GCM and rotatable keys.

Each row holds the id of the key that sealed it beside the ciphertext; the row's identity
(the mailbox) is the associated data, so a ciphertext moved to another row does not open.
Keys come from configuration, newest first: the newest seals, every listed key opens, so
``mailguard keys rotate`` re-encrypts row by row while the service keeps running, and an
old key can be dropped from the configuration once no row uses it.

Security caveats: keys never touch the database; tokens never appear in errors, logs or
reprs. Losing every configured key loses every token (users reconnect Gmail).
"""

from __future__ import annotations

import base64
import binascii
import enum
import hashlib
import hmac
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    LargeBinary,
    String,
    Table,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from guard.db import metadata
from guard.errors import GuardError

KEY_BYTES = 32
NONCE_BYTES = 12
_TAG_BYTES = 16
_TOKEN_CONTEXT = b"mailguard/token/v1\x00"
_MAC_LABEL = b"mailguard vault mac key v1\x00"
#: The prefix of a value sealed into text by ``VaultKeys.seal_text``.
TEXT_FORMAT = "v1"

oauth_tokens = Table(
    "guard_oauth_tokens", metadata,
    Column("mailbox", String(320), primary_key=True),
    Column("key_id", String(32), nullable=False, index=True),
    Column("sealed", LargeBinary, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)


class VaultError(GuardError):
    """The vault cannot seal or open a value."""


class VaultKeyError(VaultError):
    """A configured key is malformed, or no configured key opens a stored value."""


class VaultKeyMissing(VaultKeyError):
    """A stored value is sealed with a key this process was not given.

    Either the process runs with an out-of-date ``MAILGUARD_TOKEN_KEYS`` (a worker not yet
    restarted after a new key was put in front) or the key was dropped before a rotation.
    Nothing is wrong with the value: configure the key and it opens again.
    """


class SealedValueAltered(VaultKeyError):
    """A stored value fails authentication: it was altered, truncated or moved to another row."""


def generate_key() -> str:
    """Return a new random vault key in its configuration form (URL-safe base64, 32 bytes)."""
    return base64.urlsafe_b64encode(os.urandom(KEY_BYTES)).decode("ascii")


def _decode_key(text: str | bytes, position: int) -> bytes:
    """Return the key bytes of ``text``; raise ``VaultKeyError`` naming only its position.

    Strict: every character must be base64 (URL-safe or standard), so a key pasted with
    stray characters is refused instead of silently decoding to other bytes.
    """
    try:
        raw = text.encode("ascii") if isinstance(text, str) else bytes(text)
        key = base64.b64decode(raw.strip(), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):  # UnicodeEncodeError is a ValueError
        key = b""
    if len(key) != KEY_BYTES:
        raise VaultKeyError(f"token vault key #{position + 1} is not {KEY_BYTES} bytes in URL-safe "
                            "base64 (44 characters); create one with `mailguard keys generate`")
    return key


def _key_id(key: bytes) -> str:
    return hashlib.sha256(b"mailguard vault key id\x00" + key).hexdigest()[:16]


class VaultKeys:
    """Seal with the newest key; open with whichever configured key sealed a value."""

    def __init__(self, keys: Sequence[str | bytes]) -> None:
        if not keys:
            raise VaultKeyError("no token vault key configured; create one with "
                                "`mailguard keys generate`")
        decoded = [_decode_key(k, i) for i, k in enumerate(keys)]
        self._ciphers = {_key_id(k): AESGCM(k) for k in decoded}
        self._mac_keys = {_key_id(k): hmac.new(k, _MAC_LABEL, hashlib.sha256).digest()
                          for k in decoded}
        if len(self._ciphers) != len(decoded):
            raise VaultKeyError("the same token vault key is configured twice; list each once")
        self.newest_id = _key_id(decoded[0])
        self.key_ids = tuple(_key_id(k) for k in decoded)

    def __repr__(self) -> str:
        return f"VaultKeys(key_ids={self.key_ids!r})"

    def seal(self, plaintext: bytes, *, context: bytes) -> tuple[str, bytes]:
        """Return ``(key id, nonce + ciphertext)`` of ``plaintext`` bound to ``context``."""
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._ciphers[self.newest_id].encrypt(nonce, plaintext, context)
        return self.newest_id, nonce + sealed

    def open(self, key_id: str, sealed: bytes, *, context: bytes) -> bytes:
        """Return the plaintext of ``sealed``; raise ``VaultKeyError`` if it does not open."""
        cipher = self._ciphers.get(key_id)
        if cipher is None:
            raise VaultKeyMissing(_missing_message(key_id))
        if len(sealed) < NONCE_BYTES + _TAG_BYTES:
            raise SealedValueAltered(_altered_message(key_id))
        try:
            return cipher.decrypt(bytes(sealed[:NONCE_BYTES]), bytes(sealed[NONCE_BYTES:]),
                                  context)
        except InvalidTag:
            raise SealedValueAltered(_altered_message(key_id)) from None

    def seal_text(self, plaintext: str, *, context: bytes) -> str:
        """Return ``v1:<key id>:<base64>``: ``plaintext`` sealed with the newest key.

        For values kept in a text column; ``context`` (e.g. table and row id) is bound as
        associated data, so the text opens only with the same context.
        """
        key_id, sealed = self.seal(plaintext.encode("utf-8"), context=context)
        return f"{TEXT_FORMAT}:{key_id}:{base64.b64encode(sealed).decode('ascii')}"

    def open_text(self, stored: str, *, context: bytes) -> str:
        """Return the plaintext of what ``seal_text`` wrote; raise ``VaultKeyError`` if it fails."""
        key_id = sealed_key_id(stored)
        try:
            sealed = base64.b64decode(stored.split(":", 2)[2], validate=True)
        except (binascii.Error, ValueError):
            sealed = b""
        return self.open(key_id, sealed, context=context).decode("utf-8")

    def mac(self, key_id: str, data: bytes, *, context: bytes) -> str:
        """Return the hex HMAC-SHA256 of ``data`` under a MAC key derived from key ``key_id``.

        Unlike a plain hash, it does not let someone without the key confirm a guess.
        """
        mac_key = self._mac_keys.get(key_id)
        if mac_key is None:
            raise VaultKeyMissing(_missing_message(key_id))
        return hmac.new(mac_key, context + b"\x00" + data, hashlib.sha256).hexdigest()


def _missing_message(key_id: str) -> str:
    return (f"a stored value is sealed with key {key_id}, which is not configured in this "
            "process; start it with the current MAILGUARD_TOKEN_KEYS (newest first), or, if "
            "that key was dropped before rotating, add it back after the newest and rotate")


def _altered_message(key_id: str) -> str:
    return (f"a stored value under key {key_id} failed authentication; it was altered or moved "
            "to another row (or truncated), so it is not used")


def sealed_key_id(stored: str) -> str:
    """Return the key id of a value ``VaultKeys.seal_text`` wrote; raise if it is not one."""
    parts = stored.split(":", 2)
    if len(parts) != 3 or parts[0] != TEXT_FORMAT or not parts[1]:
        raise SealedValueAltered("a stored value is not sealed text (v1:<key id>:<base64>); it "
                                 "was written unsealed or altered, so it cannot be trusted")
    return parts[1]


@dataclass(frozen=True, slots=True)
class StoredTokens:
    """A mailbox's OAuth tokens as the vault keeps them."""

    refresh_token: str | None = field(repr=False)
    access_token: str | None = field(repr=False, default=None)
    expiry: datetime | None = None
    scopes: tuple[str, ...] = ()

    def to_bytes(self) -> bytes:
        """Return the JSON plaintext that gets sealed."""
        return json.dumps({
            "refresh_token": self.refresh_token, "access_token": self.access_token,
            "expiry": self.expiry.isoformat() if self.expiry else None,
            "scopes": list(self.scopes)}, separators=(",", ":")).encode("utf-8")

    @classmethod
    def from_bytes(cls, raw: bytes) -> StoredTokens:
        """Parse what ``to_bytes`` wrote."""
        data = json.loads(raw.decode("utf-8"))
        expiry = data.get("expiry")
        return cls(refresh_token=data.get("refresh_token"),
                   access_token=data.get("access_token"),
                   expiry=datetime.fromisoformat(expiry) if expiry else None,
                   scopes=tuple(data.get("scopes") or ()))


@dataclass(frozen=True, slots=True)
class RotationReport:
    """What a rotation did: rows looked at, re-encrypted, already current, left as altered."""

    rows: int
    re_encrypted: int
    already_current: int
    #: Rows that failed authentication and were left as they are (their users reconnect).
    altered: int = 0


class _Reseal(enum.Enum):
    """What re-sealing one row came to."""

    RE_ENCRYPTED = "re-encrypted"
    CURRENT = "current"
    ALTERED = "altered"


def _context(mailbox: str) -> bytes:
    return _TOKEN_CONTEXT + mailbox.strip().lower().encode("utf-8")


class TokenVault:
    """Keep each mailbox's OAuth tokens sealed in ``guard_oauth_tokens``."""

    def __init__(self, engine: Engine, keys: VaultKeys,
                 clock: Callable[[], datetime]) -> None:
        self._engine = engine
        self.keys = keys
        self._clock = clock

    def put(self, mailbox: str, tokens: StoredTokens) -> None:
        """Seal and store ``tokens`` for ``mailbox``, replacing what was there."""
        key = mailbox.strip().lower()
        key_id, sealed = self.keys.seal(tokens.to_bytes(), context=_context(key))
        values = {"key_id": key_id, "sealed": sealed, "updated_at": self._clock()}
        with self._engine.begin() as conn:
            done = conn.execute(update(oauth_tokens).where(oauth_tokens.c.mailbox == key)
                                .values(**values)).rowcount
            if done:
                return
        try:
            with self._engine.begin() as conn:
                conn.execute(insert(oauth_tokens).values(mailbox=key, **values))
        except IntegrityError:
            with self._engine.begin() as conn:
                conn.execute(update(oauth_tokens).where(oauth_tokens.c.mailbox == key)
                             .values(**values))

    def put_refreshed(self, mailbox: str, tokens: StoredTokens) -> bool:
        """Store refreshed ``tokens`` over the mailbox's row; return whether they were stored.

        Unlike ``put``, never creates a row and never replaces one sealed with a key this
        process does not hold. A refresh that races a disconnect must not bring the tokens
        back, and a worker still running on an older key list during a rotation must not
        re-seal a rotated row with the key about to be dropped. The refresh token itself is
        unchanged by a refresh, so a refused write loses nothing the row does not hold.
        """
        key = mailbox.strip().lower()
        key_id, sealed = self.keys.seal(tokens.to_bytes(), context=_context(key))
        with self._engine.begin() as conn:
            return bool(conn.execute(
                update(oauth_tokens)
                .where(oauth_tokens.c.mailbox == key,
                       oauth_tokens.c.key_id.in_(self.keys.key_ids))
                .values(key_id=key_id, sealed=sealed, updated_at=self._clock())).rowcount)

    def get(self, mailbox: str) -> StoredTokens | None:
        """Return the tokens of ``mailbox``, or None when none are stored."""
        key = mailbox.strip().lower()
        with self._engine.connect() as conn:
            row = conn.execute(select(oauth_tokens.c.key_id, oauth_tokens.c.sealed)
                               .where(oauth_tokens.c.mailbox == key)).first()
        if row is None:
            return None
        return StoredTokens.from_bytes(self.keys.open(row.key_id, bytes(row.sealed),
                                                      context=_context(key)))

    def delete(self, mailbox: str) -> bool:
        """Forget the tokens of ``mailbox``; return whether there were any."""
        key = mailbox.strip().lower()
        with self._engine.begin() as conn:
            return bool(conn.execute(delete(oauth_tokens)
                                     .where(oauth_tokens.c.mailbox == key)).rowcount)

    def key_usage(self) -> dict[str, int]:
        """Return how many rows each key id seals (to know when an old key can go)."""
        with self._engine.connect() as conn:
            rows = conn.execute(select(oauth_tokens.c.key_id)).scalars().all()
        usage: dict[str, int] = {}
        for key_id in rows:
            usage[key_id] = usage.get(key_id, 0) + 1
        return usage

    def rotate(self) -> RotationReport:
        """Re-seal every row not sealed by the newest key, one short transaction per row.

        Refuses, changing nothing, when a row is sealed with a key that is not configured:
        a rotation half done with the wrong key list would leave rows no key list opens
        once the old key is dropped. Each update is conditional on the row still holding
        what was read; a row refreshed meanwhile is read again, so a refresh is never
        overwritten and a row re-sealed by a worker on older keys is still rotated. A row
        that fails authentication is left as it is and counted (its user reconnects).
        """
        newest = self.keys.newest_id
        with self._engine.connect() as conn:
            rows = conn.execute(select(oauth_tokens.c.mailbox, oauth_tokens.c.key_id)).all()
        missing = sorted({row.key_id for row in rows} - set(self.keys.key_ids))
        if missing:
            count = sum(1 for row in rows if row.key_id in missing)
            raise VaultKeyMissing(
                f"{count} token rows are sealed with key {', '.join(missing)}, which is not "
                "configured; nothing was re-encrypted; put the new key first in "
                "MAILGUARD_TOKEN_KEYS, keep every key in use after it, and rotate again")
        changed = altered = 0
        for row in rows:
            if row.key_id == newest:
                continue
            outcome = self._reseal(row.mailbox)
            changed += outcome == _Reseal.RE_ENCRYPTED
            altered += outcome == _Reseal.ALTERED
        return RotationReport(rows=len(rows), re_encrypted=changed,
                              already_current=len(rows) - changed - altered, altered=altered)

    def _reseal(self, mailbox: str, attempts: int = 5) -> _Reseal:
        """Re-seal one row with the newest key unless it is current, gone or altered."""
        c = oauth_tokens.c
        for _attempt in range(attempts):
            with self._engine.connect() as conn:
                row = conn.execute(select(c.key_id, c.sealed)
                                   .where(c.mailbox == mailbox)).first()
            if row is None or row.key_id == self.keys.newest_id:
                return _Reseal.CURRENT
            try:
                plaintext = self.keys.open(row.key_id, bytes(row.sealed),
                                           context=_context(mailbox))
            except SealedValueAltered:
                return _Reseal.ALTERED
            key_id, sealed = self.keys.seal(plaintext, context=_context(mailbox))
            with self._engine.begin() as conn:
                if conn.execute(update(oauth_tokens)
                                .where(c.mailbox == mailbox, c.key_id == row.key_id,
                                       c.sealed == bytes(row.sealed))
                                .values(key_id=key_id, sealed=sealed,
                                        updated_at=self._clock())).rowcount:
                    return _Reseal.RE_ENCRYPTED
        return _Reseal.CURRENT  # written as often as read: the final key usage check tells
