"""Reach the guard's human-access parts (staff registry, grants, broker, aggregates).

Views never build these services; the guard attaches them when it opens. A part that is
missing is a wiring error and stops the request with a message naming it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from guard.errors import GuardError
from webclient.guard_link import current_guard


class ConsoleWiringError(GuardError, RuntimeError):
    """The guard has no part the staff console needs; attach it in ``Guard.open``."""


def _part(name: str) -> Any:
    part = getattr(current_guard(), name, None)
    if part is None:
        raise ConsoleWiringError(f"the guard has no {name!r} part; attach it when the guard "
                                 f"opens (Guard.open) before serving the staff console")
    return part


def staff() -> Any:
    """Return the staff registry (``guard.staff.StaffRegistry``)."""
    return _part("staff")


def consents() -> Any:
    """Return the consent book (``guard.consents.ConsentBook``)."""
    return _part("consents")


def grants() -> Any:
    """Return the grant book (``guard.grants.GrantBook``)."""
    return _part("grants")


def broker() -> Any:
    """Return the access broker (``guard.broker.AccessBroker``)."""
    return _part("broker")


def aggregates() -> Any:
    """Return the aggregate service (``guard.aggregates.Aggregates``)."""
    return _part("aggregates")


def now() -> datetime:
    """Return the guard's current time (injectable in tests and the demo)."""
    moment: datetime = current_guard().settings.clock()
    return moment
