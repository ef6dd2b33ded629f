"""Place a rollback behind a checkpoint by the times its signed checkpoints carry.

A log restored from an older backup and appended to again holds checkpoints signed after
the rollback, over entries that replaced the ones an exported checkpoint covers. Those
checkpoints match the rewritten entries, so the tree alone would take them as proof that
the entries they cover are good. Their signed times give them away: a checkpoint of fewer
entries signed after one of more entries means the log shrank in between.

Pure functions over what verification already read; they only move the blame of a
checkpoint verification already found broken to the earliest entry that can be trusted
no longer, so they can never raise an alarm on a clean log.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from audit.checkpoint import Checkpoint
from audit.entry import parse_time
from audit.errors import InvalidEvent
from audit.problems import Problem, ProblemKind

TIME_PREFIX = "time "


@dataclass(frozen=True, slots=True)
class SignedMark:
    """A validly signed checkpoint: what it is, its tree size and when it was signed."""

    what: str
    size: int
    time: str

    @classmethod
    def from_checkpoint(cls, what: str, checkpoint: Checkpoint) -> SignedMark | None:
        """Return the mark of a checkpoint that carries a signed time line, else None."""
        for line in checkpoint.extensions:
            if line.startswith(TIME_PREFIX):
                text = line[len(TIME_PREFIX):]
                try:
                    parse_time(text)  # canonical UTC, so the text orders as the time does
                except InvalidEvent:
                    return None
                return cls(what, checkpoint.size, text)
        return None


def broken_sizes(problems: Iterable[Problem]) -> set[int]:
    """Return the tree sizes of the checkpoints the findings say the log no longer holds."""
    return {p.last_seq + 1 for p in problems
            if p.kind in (ProblemKind.TRUNCATED, ProblemKind.CHECKPOINT_MISMATCH)
            and p.last_seq is not None}


def rollback_problems(marks: Sequence[SignedMark], broken: set[int]) -> list[Problem]:
    """Name the first entry not to trust for each broken checkpoint a later, smaller one follows.

    The entries before the largest checkpoint signed no later than the broken one (and no
    larger than the first checkpoint signed after the rollback) are the last ones proven
    good; the rollback replaced entries from there up to that later checkpoint's size.
    """
    problems = []
    for broken_mark in marks:
        if broken_mark.size not in broken:
            continue
        later = [m for m in marks if m.size < broken_mark.size and m.time > broken_mark.time]
        if not later:
            continue
        after = min(later, key=lambda m: (m.size, m.time))
        good = max((m.size for m in marks
                    if m.time <= broken_mark.time and m.size <= after.size), default=0)
        problems.append(Problem(
            ProblemKind.TRUNCATED, good,
            f"the {after.what} of {after.size} entries was signed at {after.time}, after the "
            f"{broken_mark.what} of {broken_mark.size} entries (signed at {broken_mark.time}): "
            f"the log was rolled back behind it and grew again; the first replaced entry is "
            f"one of {good}..{after.size}",
            broken_mark.size - 1))
    return problems
