"""A clock for audit tests whose readings advance by a fixed step (commit times on cue).

The log reads its clock once per commit, so with one append per commit entry n is
recorded at ``first + n * step``.
"""

from __future__ import annotations

from datetime import datetime, timedelta


class SteppingClock:
    """Return ``first`` at the first reading, then one ``step`` more at each reading."""

    def __init__(self, first: datetime, step: timedelta = timedelta(minutes=1)) -> None:
        self.step = step
        self.now = first - step

    def __call__(self) -> datetime:
        self.now += self.step
        return self.now
