"""Errors raised by the audit package; every message says what happened and what to do."""

from __future__ import annotations


class AuditError(Exception):
    """Base class of every error the audit package raises."""


class AuditUnavailable(AuditError):
    """Raise when an entry cannot be made durable; callers must refuse the access (fail closed)."""


class TamperDetected(AuditError):
    """Raise when verification finds the log altered; names the first bad entry.

    ``last_seq`` is given when only a range can be named: the first bad entry is one of
    ``seq``..``last_seq``.
    """

    def __init__(self, seq: int | None, problem: str, *, last_seq: int | None = None) -> None:
        self.seq = seq
        self.last_seq = last_seq
        self.problem = problem
        where = f"entry {seq}" if seq is not None else "the log"
        if seq is not None and last_seq is not None and last_seq > seq:
            where = f"one of entries {seq}..{last_seq} (the hashes cannot say which)"
        super().__init__(
            f"audit log tampered at {where}: {problem}; keep the database as it is and "
            "compare it with an exported checkpoint or a backup"
        )


class ProofError(AuditError):
    """Raise when a Merkle inclusion or consistency proof does not verify."""

    def __init__(self, message: str, *, expected: bytes | None = None,
                 actual: bytes | None = None) -> None:
        self.expected = expected
        self.actual = actual
        if expected is not None or actual is not None:
            message = (
                f"{message} (expected {_hex(expected)}, got {_hex(actual)})"
            )
        super().__init__(message)


class CheckpointError(AuditError):
    """Raise when a signed checkpoint note is malformed, forged or altered."""


class ForgedCheckpoint(CheckpointError):
    """Raise when a note carries a signature by the trusted key that does not verify.

    Unlike a note signed by another key or naming another log (a plain CheckpointError,
    the wrong file), this is evidence that the note was altered or forged.
    """


class SigningKeyMissing(AuditError):
    """Raise when the signing key file is missing for a log that a key already signs.

    ``path`` is the file that was asked for; nothing was created there.
    """

    def __init__(self, message: str, path: str) -> None:
        super().__init__(message)
        self.path = path


class InvalidEvent(AuditError, ValueError):
    """Raise when an audit event or stored entry is malformed (bad value, missing field)."""


class ForbiddenField(InvalidEvent):
    """Raise when an audit event carries a field the log must never hold (content, tokens)."""

    def __init__(self, field: str, reason: str = "") -> None:
        self.field = field
        detail = reason or (
            "the audit log records who accessed what and why, never message content, "
            "headers, credentials or tokens; remove it from the event"
        )
        super().__init__(f"audit event field {field!r} is not allowed: {detail}")


def _hex(value: bytes | None) -> str:
    """Render a hash for an error message."""
    return "nothing" if value is None else (value.hex() or "<empty>")
