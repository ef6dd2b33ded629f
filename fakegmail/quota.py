"""Per-user quota accounting in Gmail's units, with an optional enforced per-second limit.

Gmail charges each method a number of quota units and limits each user to 250 units per
second (a moving average); above it, calls fail with 429 ``rateLimitExceeded`` whose
message names the moment the limit lifts, as Gmail writes it ("User-rate limit exceeded.
Retry after 2024-11-12T11:16:42.247Z"); clients parse that timestamp.
"""

from __future__ import annotations

import math
import threading
from collections import defaultdict, deque
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from fakegmail.errors import GmailError

# Units per method, as Gmail documents them ("Usage limits", quota units per method). A
# method the table leaves out (settings.getLanguage, settings.updateLanguage) costs
# DEFAULT_UNITS; a patch costs what its update costs.
METHOD_UNITS: dict[str, int] = {
    "gmail.users.getProfile": 1,
    "gmail.users.watch": 100,
    "gmail.users.stop": 50,
    "gmail.users.drafts.create": 10,
    "gmail.users.drafts.delete": 10,
    "gmail.users.drafts.get": 5,
    "gmail.users.drafts.list": 5,
    "gmail.users.drafts.send": 100,
    "gmail.users.drafts.update": 15,
    "gmail.users.history.list": 2,
    "gmail.users.labels.create": 5,
    "gmail.users.labels.delete": 5,
    "gmail.users.labels.get": 1,
    "gmail.users.labels.list": 1,
    "gmail.users.labels.patch": 5,
    "gmail.users.labels.update": 5,
    "gmail.users.messages.attachments.get": 5,
    "gmail.users.messages.batchDelete": 50,
    "gmail.users.messages.batchModify": 50,
    "gmail.users.messages.delete": 10,
    "gmail.users.messages.get": 5,
    "gmail.users.messages.import": 25,
    "gmail.users.messages.insert": 25,
    "gmail.users.messages.list": 5,
    "gmail.users.messages.modify": 5,
    "gmail.users.messages.send": 100,
    "gmail.users.messages.trash": 5,
    "gmail.users.messages.untrash": 5,
    "gmail.users.settings.filters.create": 5,
    "gmail.users.settings.filters.delete": 5,
    "gmail.users.settings.filters.get": 1,
    "gmail.users.settings.filters.list": 1,
    "gmail.users.settings.forwardingAddresses.create": 100,
    "gmail.users.settings.forwardingAddresses.delete": 5,
    "gmail.users.settings.forwardingAddresses.get": 1,
    "gmail.users.settings.forwardingAddresses.list": 1,
    "gmail.users.settings.getAutoForwarding": 1,
    "gmail.users.settings.getImap": 1,
    "gmail.users.settings.getPop": 1,
    "gmail.users.settings.getVacation": 1,
    "gmail.users.settings.sendAs.create": 100,
    "gmail.users.settings.sendAs.delete": 5,
    "gmail.users.settings.sendAs.get": 1,
    "gmail.users.settings.sendAs.list": 1,
    "gmail.users.settings.sendAs.patch": 100,  # not in the table; charged as update
    "gmail.users.settings.sendAs.update": 100,
    "gmail.users.settings.sendAs.verify": 100,
    "gmail.users.settings.updateAutoForwarding": 5,
    "gmail.users.settings.updateImap": 5,
    "gmail.users.settings.updatePop": 100,
    "gmail.users.settings.updateVacation": 5,
    "gmail.users.threads.delete": 20,
    "gmail.users.threads.get": 10,
    "gmail.users.threads.list": 10,
    "gmail.users.threads.modify": 10,
    "gmail.users.threads.trash": 10,
    "gmail.users.threads.untrash": 10,
}
DEFAULT_UNITS = 1
GMAIL_PER_USER_LIMIT = 250


def units_for(method_id: str) -> int:
    """Return the quota units Gmail charges for ``method_id``."""
    return METHOD_UNITS.get(method_id, DEFAULT_UNITS)


class QuotaLedger:
    """Count units per user and per method; refuse calls over the per-user limit if set."""

    def __init__(self, clock: Callable[[], float], per_user_limit: int | None = None) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self.per_user_limit = per_user_limit
        self._window: dict[str, deque[tuple[float, int]]] = defaultdict(deque)
        self.units_by_user: dict[str, int] = defaultdict(int)
        self.units_by_method: dict[str, int] = defaultdict(int)

    def charge(self, email: str, method_id: str) -> int:
        """Charge ``method_id`` to ``email``; raise a 429 when over the enforced limit."""
        units = units_for(method_id)
        now = self._clock()
        with self._lock:
            window = self._window[email]
            while window and window[0][0] <= now - 1.0:
                window.popleft()
            if self.per_user_limit is not None:
                used = sum(u for _, u in window)
                excess = used + units - self.per_user_limit
                if excess > 0:
                    raise _rate_limited(now, _lifts_at(window, excess, now))
            window.append((now, units))
            self.units_by_user[email] += units
            self.units_by_method[method_id] += units
        return units

    def reset(self) -> None:
        """Forget every count and the sliding window."""
        with self._lock:
            self._window.clear()
            self.units_by_user.clear()
            self.units_by_method.clear()


def _lifts_at(window: Iterable[tuple[float, int]], excess: int, now: float) -> float:
    """Return when enough of ``window``'s units have left the one-second window.

    A call that alone costs more than the limit never fits; it is told to wait a second.
    """
    freed = 0
    last = now
    for spent_at, units in window:
        last = spent_at
        freed += units
        if freed >= excess:
            break
    return last + 1.0


def _rate_limited(now: float, lifts_at: float) -> GmailError:
    """Return Gmail's 429, whose message names the moment the limit lifts (UTC, in ms)."""
    moment = datetime.fromtimestamp(lifts_at, tz=UTC)
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    return GmailError(
        429,
        f"User-rate limit exceeded.  Retry after {stamp}",
        reason="rateLimitExceeded",
        domain="usageLimits",
        headers={"Retry-After": str(max(1, math.ceil(lifts_at - now)))},
    )
