"""Run the tests as if started at another moment: ``MAILGUARD_TEST_NOW=2026-11-30T03:00:00Z``.

Office hours in Jakarta, days that end at UTC midnight, Gmail's dates at Pacific midnight:
code that reads the wall clock can pass at one hour and fail at another, and the suite
otherwise only ever runs at the hour someone happens to start it. With the variable set,
the test process's wall clock (``time.time``, ``datetime.now`` and friends) starts at that
moment when the session starts and runs on from there; monotonic clocks, sleeps and
timeouts are untouched. ``make test-clock`` runs the in-process suites at the moments in
its ``CLOCK_MOMENTS``.

Only the test process moves: servers in other processes (PostgreSQL, Chromium, Node.js,
gunicorn in the scale tests) keep the real time, so run the suites that stay in one
process, without the ``postgres`` marker.
"""

from __future__ import annotations

import os
from datetime import datetime

import pytest

VARIABLE = "MAILGUARD_TEST_NOW"


def _moment() -> datetime | None:
    """Return the moment the variable names (a timezone is required), or None when unset."""
    text = os.environ.get(VARIABLE, "").strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise pytest.UsageError(f"{VARIABLE}={text!r} is not an ISO 8601 time "
                                "(e.g. 2026-11-30T03:00:00Z)") from None
    if moment.tzinfo is None:
        raise pytest.UsageError(f"{VARIABLE}={text!r} needs a time zone (Z or +07:00)")
    return moment


def pytest_configure(config: pytest.Config) -> None:
    """Move the wall clock to the chosen moment for the whole session."""
    moment = _moment()
    if moment is None:
        return
    import time_machine  # a development dependency, needed only here

    traveller = time_machine.travel(moment, tick=True)
    traveller.start()
    config.add_cleanup(traveller.stop)


def pytest_report_header(config: pytest.Config) -> str | None:
    """Say that the clock was moved, and where to."""
    moment = _moment()
    return None if moment is None else f"wall clock started at {moment.isoformat()}"
