"""Sign and open tree-head checkpoints (C2SP tlog-checkpoint over C2SP signed-note, Ed25519).

A checkpoint commits to the log's size and Merkle root. Exported to a place the database's
writers cannot change, it lets a reviewer detect any later rewrite or truncation.

Security caveat: a note's text means nothing until ``open_signed_checkpoint`` has verified
it against a verifier key obtained out of band (never from the note or the database itself).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from audit.errors import CheckpointError, ForgedCheckpoint
from audit.merkle import HASH_SIZE

ED25519_TYPE = b"\x01"
SIGNATURE_PREFIX = "\u2014 "
MAX_SIGNATURES = 100
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f]")
_DECIMAL = re.compile(r"0|[1-9][0-9]*")


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A log's tree head: origin, tree size, root hash and optional extension lines."""

    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.origin or "\n" in self.origin or _CONTROL.search(self.origin):
            raise CheckpointError(
                "a checkpoint origin must be one non-empty line, e.g. 'mailguard.example/audit'"
            )
        if isinstance(self.size, bool) or not isinstance(self.size, int) or self.size < 0:
            raise CheckpointError(f"a checkpoint size must be an integer >= 0, got {self.size!r}")
        if not isinstance(self.root_hash, bytes) or len(self.root_hash) != HASH_SIZE:
            raise CheckpointError(f"a checkpoint root must be a {HASH_SIZE}-byte SHA-256 hash")
        if not isinstance(self.extensions, tuple):
            object.__setattr__(self, "extensions", tuple(self.extensions))
        for line in self.extensions:
            if not line or "\n" in line or _CONTROL.search(line):
                raise CheckpointError(
                    "checkpoint extension lines must be non-empty single lines without "
                    "control characters"
                )

    def body(self) -> str:
        """Return the note text: origin, size, base64 root, extension lines, each ending in \\n."""
        lines = [self.origin, str(self.size), base64.b64encode(self.root_hash).decode("ascii")]
        lines.extend(self.extensions)
        return "".join(line + "\n" for line in lines)

    @classmethod
    def from_body(cls, text: str) -> Checkpoint:
        """Parse note text produced by ``body()``; raise ``CheckpointError`` if malformed."""
        if not text.endswith("\n"):
            raise CheckpointError("checkpoint text must end with a newline")
        lines = text[:-1].split("\n")
        if len(lines) < 3:
            raise CheckpointError(
                "checkpoint text needs at least three lines: origin, tree size, root hash"
            )
        origin, size_text, root_text, *extensions = lines
        if not _DECIMAL.fullmatch(size_text):
            raise CheckpointError(
                "checkpoint tree size must be ASCII decimal without leading zeroes"
            )
        root = _strict_b64(root_text, "checkpoint root hash")
        if len(root) != HASH_SIZE:
            raise CheckpointError(f"checkpoint root hash must be {HASH_SIZE} bytes")
        return cls(origin, int(size_text), root, tuple(extensions))


def key_id(name: str, public_key: bytes) -> bytes:
    """Return the 4-byte note key id: SHA-256(name || 0x0A || 0x01 || public key)[:4]."""
    return hashlib.sha256(name.encode("utf-8") + b"\n" + ED25519_TYPE + public_key).digest()[:4]


@dataclass(frozen=True, slots=True)
class VerifierKey:
    """A parsed note verifier key: name, key id and Ed25519 public key."""

    name: str
    key_id: bytes
    public_key: bytes

    @classmethod
    def parse(cls, text: str) -> VerifierKey:
        """Parse "name+hexkeyid+base64(0x01||pub)"; raise ``CheckpointError`` if malformed."""
        parts = text.strip().split("+", 2)
        if len(parts) != 3:
            raise CheckpointError(
                "a verifier key looks like 'name+1a2b3c4d+base64key' (three parts joined by '+')"
            )
        name, hex_id, key_text = parts
        _check_name(name)
        if not re.fullmatch(r"[0-9a-f]{8}", hex_id):
            raise CheckpointError("a verifier key's id must be 8 lower-case hex digits")
        raw = _strict_b64(key_text, "verifier key")
        if len(raw) != 33 or raw[:1] != ED25519_TYPE:
            raise CheckpointError("only Ed25519 verifier keys (type 0x01, 32 bytes) are supported")
        public = raw[1:]
        if key_id(name, public) != bytes.fromhex(hex_id):
            raise CheckpointError("the verifier key's id does not match its name and public key")
        return cls(name, bytes.fromhex(hex_id), public)

    def __str__(self) -> str:
        """Return the verifier key in its text form."""
        encoded = base64.b64encode(ED25519_TYPE + self.public_key).decode("ascii")
        return f"{self.name}+{self.key_id.hex()}+{encoded}"


class CheckpointSigner:
    """Sign checkpoints as signed notes with one named Ed25519 key."""

    __slots__ = ("_key", "_key_id", "_name", "_public")

    def __init__(self, name: str, private_key: Ed25519PrivateKey | bytes) -> None:
        _check_name(name)
        if isinstance(private_key, bytes):
            if len(private_key) != 32:
                raise CheckpointError("an Ed25519 private key is 32 raw bytes")
            private_key = Ed25519PrivateKey.from_private_bytes(private_key)
        if not isinstance(private_key, Ed25519PrivateKey):
            raise CheckpointError("checkpoints are signed with an Ed25519 private key")
        self._name = name
        self._key = private_key
        self._public = private_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        self._key_id = key_id(name, self._public)

    @property
    def name(self) -> str:
        """Return the key name that appears in signature lines."""
        return self._name

    def sign(self, checkpoint: Checkpoint) -> str:
        """Return the signed checkpoint note: body, a blank line, one signature line."""
        return self.sign_note(checkpoint.body())

    def sign_note(self, text: str) -> str:
        """Return ``text`` (ending in a newline) as a signed note with this key's signature."""
        if not text.endswith("\n") or _CONTROL.search(text):
            raise CheckpointError(
                "note text must end with a newline and contain no control characters"
            )
        signature = self._key.sign(text.encode("utf-8"))
        encoded = base64.b64encode(self._key_id + signature).decode("ascii")
        return f"{text}\n{SIGNATURE_PREFIX}{self._name} {encoded}\n"

    def verifier_key(self) -> str:
        """Return the verifier key text (name+hexkeyid+base64(0x01||public key))."""
        return str(VerifierKey(self._name, self._key_id, self._public))


def open_signed_checkpoint(note: str, verifier_key: str | VerifierKey, *,
                           origin: str | None = None) -> Checkpoint:
    """Verify a signed checkpoint note against ``verifier_key`` and return its checkpoint."""
    checkpoint = Checkpoint.from_body(open_note(note, verifier_key))
    if origin is not None and checkpoint.origin != origin:
        raise CheckpointError(
            f"the checkpoint is for log {checkpoint.origin!r}, not {origin!r}"
        )
    return checkpoint


def stated_checkpoint(note: str) -> Checkpoint:
    """Return the checkpoint a signed note's text states, checking no signature.

    For reading a note whose signature is checked elsewhere (or not trusted at all): the
    root it states is what its signature covers, unlike a copy stored beside it.
    """
    text, _signatures = _split_note(note)
    return Checkpoint.from_body(text)


def foreign_note_reason(note: str, verifier_keys: Sequence[str], *, origin: str) -> str | None:
    """Return why ``note`` is not a checkpoint of the log ``origin`` signed by one of the keys.

    ``None`` means one of the keys signed it, validly or not (a failing signature by the
    log's own key is forgery, which verification reports; anything else is the wrong file).
    """
    reason = "no verifier key is known for this log"
    for key in verifier_keys:
        try:
            open_signed_checkpoint(note, key, origin=origin)
            return None
        except ForgedCheckpoint:
            return None
        except CheckpointError as exc:
            reason = str(exc)
    return reason


def open_note(note: str, verifier_key: str | VerifierKey) -> str:
    """Verify a signed note against ``verifier_key`` and return its text.

    Signatures by other keys are ignored (witness cosignatures, rotated keys); a signature
    by this key that fails, or no signature by this key at all, rejects the whole note.
    """
    key = verifier_key if isinstance(verifier_key, VerifierKey) else VerifierKey.parse(
        verifier_key)
    text, signatures = _split_note(note)
    public = Ed25519PublicKey.from_public_bytes(key.public_key)
    verified = False
    for name, raw in signatures:
        if name != key.name or raw[:4] != key.key_id:
            continue
        try:
            public.verify(raw[4:], text.encode("utf-8"))
        except InvalidSignature:
            raise ForgedCheckpoint(
                f"the signature by {key.name!r} does not verify: the note was altered or "
                "forged; do not trust it"
            ) from None
        verified = True
    if not verified:
        raise CheckpointError(
            f"the note carries no signature by the key {key.name!r} "
            f"({key.key_id.hex()}); check that you passed this log's verifier key"
        )
    return text


def load_or_create_signing_key(path: str | os.PathLike[str]) -> Ed25519PrivateKey:
    """Load the Ed25519 signing key in ``path`` (PKCS#8 PEM), creating it (mode 0600) if absent.

    Creation is atomic: concurrent first starts agree on one key. Keep the file away from the
    database's writers; whoever holds it can sign checkpoints.
    """
    target = Path(path)
    if not target.exists():
        try:
            create_signing_key(target)
        except FileExistsError:
            pass  # another process created it first: use theirs
    return _load_signing_key(target)


def create_signing_key(path: str | os.PathLike[str]) -> Ed25519PrivateKey:
    """Create a new Ed25519 signing key file (PKCS#8 PEM, mode 0600) at ``path``.

    Raises FileExistsError if a file is there: a key is never overwritten. The file is
    written beside the target, flushed to disk, then linked into place, so a reader never
    sees half a key.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    fd, temp = tempfile.mkstemp(prefix=".signing-key-", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o600)
        os.link(temp, target)
    finally:
        os.unlink(temp)
    return key


def _load_signing_key(target: Path) -> Ed25519PrivateKey:
    """Read the Ed25519 key in ``target``; CheckpointError names what is wrong with it."""
    try:
        key = serialization.load_pem_private_key(target.read_bytes(), password=None)
    except (ValueError, TypeError) as exc:
        raise CheckpointError(
            f"the checkpoint signing key file {target} is not an unencrypted PKCS#8 PEM "
            "Ed25519 key; restore it from backup or point to the right file"
        ) from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise CheckpointError(
            f"the checkpoint signing key file {target} holds a non-Ed25519 key"
        )
    return key


def _split_note(note: str) -> tuple[str, list[tuple[str, bytes]]]:
    """Split a signed note into its text and (key name, id||signature) pairs."""
    if _CONTROL.search(note):
        raise CheckpointError("a signed note must not contain control characters")
    split = note.rfind("\n\n")
    if split < 0 or not note.endswith("\n"):
        raise CheckpointError(
            "a signed note is text ending in a newline, a blank line, then signature lines"
        )
    text = note[: split + 1]
    lines = note[split + 2 : -1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise CheckpointError(f"a signed note may carry at most {MAX_SIGNATURES} signatures")
    signatures: list[tuple[str, bytes]] = []
    for line in lines:
        if not line.startswith(SIGNATURE_PREFIX):
            raise CheckpointError("every signature line must start with an em dash and a space")
        name, sep, encoded = line[len(SIGNATURE_PREFIX):].partition(" ")
        if not sep:
            raise CheckpointError("a signature line is '\u2014 <key name> <base64 signature>'")
        _check_name(name)
        raw = _strict_b64(encoded, "note signature")
        if len(raw) < 5:
            raise CheckpointError("a note signature must hold a 4-byte key id and a signature")
        signatures.append((name, raw))
    return text, signatures


def _check_name(name: str) -> None:
    """Reject key names that are empty or contain spaces or '+'."""
    if not name or "+" in name or any(ch.isspace() for ch in name) or _CONTROL.search(name):
        raise CheckpointError(
            "a note key name must be non-empty without spaces or '+', "
            "e.g. 'mailguard.example/audit'"
        )


def _strict_b64(text: str, what: str) -> bytes:
    """Decode standard, padded base64 and reject any other spelling of the same bytes."""
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise CheckpointError(f"{what} is not valid base64") from None
    if base64.b64encode(raw).decode("ascii") != text:
        raise CheckpointError(f"{what} is not canonical base64")
    return raw
