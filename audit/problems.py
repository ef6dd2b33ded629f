"""What verification can find wrong with an audit log, each finding named by seq."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class ProblemKind(enum.StrEnum):
    """What verification found wrong."""

    MODIFIED = "modified"
    MISSING = "missing"
    INSERTED = "inserted"
    REORDERED = "reordered"
    TREE_MISMATCH = "tree_mismatch"
    COLUMN_MISMATCH = "column_mismatch"
    CHECKPOINT_INVALID = "checkpoint_invalid"
    CHECKPOINT_MISMATCH = "checkpoint_mismatch"
    TRUNCATED = "truncated"


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding: the first seq not proven good (``seq``..``last_seq``) and what is wrong.

    ``located`` is False when the hashes show only that some entry of ``seq``..``last_seq``
    differs, not which: a Merkle node or a checkpoint's root commits to all the entries
    under it at once, so ``seq`` is then the first entry not proven good, not one known bad.
    """

    kind: ProblemKind
    seq: int | None
    detail: str
    last_seq: int | None = None
    located: bool = True

    @property
    def range_end(self) -> int | None:
        """Return the last entry of the range the first bad one lies in, or None when the
        finding names the entry itself (or no entry at all)."""
        if self.located or self.seq is None or self.last_seq is None:
            return None
        return self.last_seq if self.last_seq > self.seq else None

    @property
    def where(self) -> str:
        """Name the first bad entry, or the range it lies in when no hash can say which."""
        if self.seq is None:
            return "no single entry can be named"
        if self.range_end is None:
            return f"first bad entry is entry {self.seq}"
        return f"first bad entry is one of entries {self.seq}..{self.range_end}"
