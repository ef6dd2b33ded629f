"""Refuse to replace an exported checkpoint file with a checkpoint that does not extend it.

An exported checkpoint is the evidence a rollback, truncation or rewrite of the log cannot
remove. A job that exports to the same file every day would, after such tampering, write
the tampered log's checkpoint over the one that shows it. Before a file is replaced, the
checkpoint it holds must be one of this log (signed by its key) that the log still
contains: no larger than the log, with the same root at its size.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from audit.checkpoint import open_signed_checkpoint
from audit.errors import AuditError, CheckpointError, TamperDetected


def require_replaceable(path: str | os.PathLike[str], *, origin: str, verifier_key: str,
                        size: int, root_at: Callable[[int], bytes]) -> None:
    """Raise unless the file at ``path`` is absent or holds a checkpoint the log extends.

    ``size`` is the size of the checkpoint about to be written; ``root_at(n)`` returns the
    log's root at ``n`` entries. A file that is no checkpoint of this log raises
    AuditError; one the log no longer extends raises TamperDetected. Either way the file is
    left as it is.
    """
    target = Path(path)
    if not target.exists():
        return
    try:
        old = open_signed_checkpoint(target.read_text(encoding="utf-8"), verifier_key,
                                     origin=origin)
    except (OSError, UnicodeDecodeError, CheckpointError) as exc:
        raise AuditError(
            f"{target} already exists and holds no checkpoint of this log "
            f"({_reason(exc)}); it was not replaced: export to another file, or move it "
            "away first if it is not needed as evidence") from None
    kept = (f"{target} was kept; run 'mailguard audit verify --checkpoint {target}' and "
            "export to another file")
    if old.size > size:
        raise TamperDetected(size, f"{target} holds a checkpoint of {old.size} entries but the "
                             f"log now has {size}: entries {size}..{old.size - 1} were "
                             f"removed (truncation or rollback); {kept}")
    if root_at(old.size) != old.root_hash:
        raise TamperDetected(0, f"the log's first {old.size} entries no longer hash to the "
                             f"root {target} holds: one of them was rewritten, or the log was "
                             f"rolled back and grew again; {kept}", last_seq=old.size - 1)


def _reason(exc: BaseException) -> str:
    """Say briefly why a file could not be read as a checkpoint of this log."""
    if isinstance(exc, OSError):
        return exc.strerror or type(exc).__name__
    if isinstance(exc, UnicodeDecodeError):
        return "it is not text"
    return str(exc)
