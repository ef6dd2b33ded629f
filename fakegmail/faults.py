"""Fault injection: latency, error statuses, rate limits and dropped connections.

A rule applies to one Gmail method (by discovery id, ``gmail.users.messages.get``, or the
short forms ``users.messages.get`` or ``messages.get``) or to every method (``*``).
``count`` makes it fail only the next N matching calls; ``probability`` makes it fire
at random (seeded, so runs repeat).

By default a ``status`` or ``drop_connection`` fault answers *instead of* the call: nothing
happens in the mailbox. With ``after_commit`` the call runs and takes effect first (the
message is really sent, inserted, or the draft sent), and only then is its answer replaced
by the status or the dropped connection: "Gmail did it, but the answer was lost", the case
a client must handle without doing it twice. For a resumable upload the call takes effect
when its last chunk arrives, so the fault replaces the answer to that chunk. ``latency_ms``
always waits before the call.
"""

from __future__ import annotations

import itertools
import random
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any, NoReturn

from fakegmail.errors import GmailError

_ERROR_REASONS = {
    400: ("invalidArgument", "global", "Invalid argument (injected fault)."),
    401: ("authError", "global", "Invalid Credentials (injected fault)."),
    403: ("rateLimitExceeded", "usageLimits", "Rate Limit Exceeded (injected fault)."),
    404: ("notFound", "global", "Requested entity was not found (injected fault)."),
    429: ("rateLimitExceeded", "usageLimits", "Rate Limit Exceeded (injected fault)."),
    500: ("backendError", "global", "Backend Error (injected fault)."),
    502: ("backendError", "global", "Bad Gateway (injected fault)."),
    503: ("backendError", "global", "The service is currently unavailable (injected fault)."),
    504: ("backendError", "global", "Deadline exceeded (injected fault)."),
}

#: Gmail's domain and words for a reason a rule names (403s differ by reason); a reason not
#: listed keeps the status's domain and words.
_REASON_WORDS = {
    "rateLimitExceeded": ("usageLimits", "Rate Limit Exceeded (injected fault)."),
    "userRateLimitExceeded": ("usageLimits", "User Rate Limit Exceeded (injected fault)."),
    "dailyLimitExceeded": ("usageLimits", "Daily Limit Exceeded (injected fault)."),
    "quotaExceeded": ("usageLimits", "Quota Exceeded (injected fault)."),
    "forbidden": ("global", "Forbidden (injected fault)."),
    "insufficientPermissions": ("global", "Insufficient Permission (injected fault)."),
    "backendError": ("global", "Backend Error (injected fault)."),
}


#: The fields of a rule's JSON form (the control API's ``POST /_emulator/faults``).
FAULT_FIELDS = ("method", "status", "reason", "retry_after", "latency_ms", "drop_connection",
                "count", "probability", "after_commit")


class DropConnection(Exception):
    """Raised to make the server close the connection without answering."""


@dataclass(frozen=True, slots=True)
class FaultRule:
    """One injected fault; see the module docstring."""

    id: int
    method: str = "*"
    status: int | None = None
    reason: str | None = None
    retry_after: int | None = None
    latency_ms: int = 0
    drop_connection: bool = False
    count: int | None = None
    probability: float = 1.0
    after_commit: bool = False

    def matches(self, method_id: str) -> bool:
        """Return True when this rule applies to ``method_id``."""
        if self.method == "*":
            return True
        return method_id in (self.method, "gmail." + self.method, "gmail.users." + self.method)

    def to_json(self) -> dict[str, Any]:
        """Return the rule as the control API shows it."""
        return asdict(self)

    @classmethod
    def from_json(cls, rule_id: int, data: dict[str, Any]) -> FaultRule:
        """Build a rule from the control API's JSON; raise ValueError naming a bad field."""
        allowed = set(FAULT_FIELDS)
        unknown = set(data) - allowed
        if unknown:
            raise ValueError(f"unknown fault fields {sorted(unknown)}; allowed: {sorted(allowed)}")
        status = data.get("status")
        if status is not None and (not isinstance(status, int) or not 400 <= status <= 599):
            raise ValueError("status must be an HTTP error status between 400 and 599")
        latency = data.get("latency_ms", 0)
        if not isinstance(latency, int) or not 0 <= latency <= 120_000:
            raise ValueError("latency_ms must be an integer between 0 and 120000")
        count = data.get("count")
        if count is not None and (not isinstance(count, int) or count < 1):
            raise ValueError("count must be a positive integer")
        probability = data.get("probability", 1.0)
        if not isinstance(probability, int | float) or not 0.0 <= probability <= 1.0:
            raise ValueError("probability must be between 0 and 1")
        retry_after = data.get("retry_after")
        if retry_after is not None and (not isinstance(retry_after, int) or retry_after < 0):
            raise ValueError("retry_after must be a non-negative integer (seconds)")
        for flag in ("drop_connection", "after_commit"):
            if not isinstance(data.get(flag, False), bool):
                raise ValueError(f"{flag} must be true or false")
        after_commit = data.get("after_commit", False)
        if after_commit and status is None and not data.get("drop_connection", False):
            raise ValueError("after_commit replaces the answer of a call that took effect; "
                             "give it a status or drop_connection: true")
        method = data.get("method", "*")
        if not isinstance(method, str) or not method:
            raise ValueError("method must be a Gmail method id, e.g. 'messages.get', or '*'")
        return cls(
            id=rule_id,
            method=method,
            status=status,
            reason=data.get("reason"),
            retry_after=retry_after,
            latency_ms=latency,
            drop_connection=bool(data.get("drop_connection", False)),
            count=count,
            probability=float(probability),
            after_commit=bool(after_commit),
        )


class FaultInjector:
    """Hold the active fault rules and apply them to each Gmail call."""

    def __init__(self, sleep: Callable[[float], None] = time.sleep, seed: int = 0) -> None:
        self._sleep = sleep
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []
        self._remaining: dict[int, int] = {}
        self._ids = itertools.count(1)
        self._random = random.Random(seed)

    def add(self, data: dict[str, Any]) -> FaultRule:
        """Add a rule from its JSON form and return it."""
        with self._lock:
            rule = FaultRule.from_json(next(self._ids), data)
            self._rules.append(rule)
            if rule.count is not None:
                self._remaining[rule.id] = rule.count
        return rule

    def clear(self, method: str | None = None) -> int:
        """Remove every rule (or those for ``method``); return how many were removed."""
        with self._lock:
            keep = [r for r in self._rules if method is not None and r.method != method]
            removed = len(self._rules) - len(keep)
            self._rules = keep
            self._remaining = {k: v for k, v in self._remaining.items()
                               if any(r.id == k for r in keep)}
        return removed

    def rules(self) -> list[FaultRule]:
        """Return the active rules."""
        with self._lock:
            return list(self._rules)

    def apply(self, method_id: str) -> FaultRule | None:
        """Apply the matching rules before the call: sleep, raise ``GmailError`` or
        ``DropConnection``; return an ``after_commit`` rule to fire once the call has taken
        effect (see ``fire``), or None."""
        delay_ms = 0
        firing: FaultRule | None = None
        after: FaultRule | None = None
        with self._lock:
            for rule in self._rules:
                if not rule.matches(method_id):
                    continue
                if rule.probability < 1.0 and self._random.random() >= rule.probability:
                    continue
                if rule.id in self._remaining:
                    if self._remaining[rule.id] <= 0:
                        continue
                    self._remaining[rule.id] -= 1
                delay_ms += rule.latency_ms
                if rule.status is None and not rule.drop_connection:
                    continue
                if rule.after_commit:
                    after = after or rule
                elif firing is None:
                    firing = rule
            self._rules = [r for r in self._rules if self._remaining.get(r.id, 1) > 0]
        if delay_ms:
            self._sleep(delay_ms / 1000.0)
        if firing is not None:
            fire(firing, method_id)
        return after


def fire(rule: FaultRule, method_id: str) -> NoReturn:
    """Raise the fault of ``rule``: ``DropConnection`` or a Gmail-shaped ``GmailError``."""
    if rule.drop_connection:
        raise DropConnection(method_id)
    assert rule.status is not None
    reason, domain, message = _ERROR_REASONS.get(
        rule.status, ("backendError", "global", "Injected fault.")
    )
    if rule.reason in _REASON_WORDS:
        domain, message = _REASON_WORDS[rule.reason]
    headers = {}
    if rule.retry_after is not None:
        headers["Retry-After"] = str(rule.retry_after)
    raise GmailError(rule.status, message, reason=rule.reason or reason,
                     domain=domain, headers=headers)
