"""Hostile suites: the web client and the guard against the Gmail emulator, attacked.

The fixtures are the web client suite's (a real OAuth sign-in, the real guard, the
emulator); this package adds the attacks. ``HOSTILE_SECONDS`` (set by ``make hostile``)
turns the short runs of the fault session and the fuzzer into long ones.
"""

from __future__ import annotations

import os

from tests.webclient.conftest import (  # noqa: F401 - fixtures shared with the web suite
    app,
    client,
    mailbox,
    signed_in,
    web_emulator,
)


def hostile_seconds(default: float) -> float:
    """Return the time budget of a long run (``HOSTILE_SECONDS``) or ``default``."""
    return float(os.environ.get("HOSTILE_SECONDS") or default)
