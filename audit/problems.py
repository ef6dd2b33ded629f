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
    """One finding: the first seq not proven good (``seq``..``last_seq``) and what is wrong."""

    kind: ProblemKind
    seq: int | None
    detail: str
    last_seq: int | None = None
