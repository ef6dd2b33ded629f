"""Retry Gmail calls on rate limits and server errors; turn Gmail's errors into ours.

Retried: 429, 403 with a rate-limit reason, 5xx, and (unless told otherwise) connection
failures and timeouts. The wait is exponential backoff with full jitter, never shorter
than the server's Retry-After (seconds or an HTTP date); when the server asks for a longer
wait than ``RetryPolicy.max_retry_after``, the call is not retried early but given up as
rate-limited. Sleep and randomness are injectable so tests never sleep.

The client library's ``HttpError`` is recognised by shape (``resp.status`` and
``content``) because only ``guard._gmail`` may import the library.
"""

from __future__ import annotations

import email.utils
import json
import math
import random as random_module
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from guard.errors import (
    GmailAuthError,
    GmailError,
    GmailNotFound,
    GmailRateLimited,
    GmailRejected,
    GmailTimeout,
    GmailUnavailable,
    HistoryExpired,
)

T = TypeVar("T")

__all__ = [
    "GmailNotFound", "GmailRateLimited", "GmailRejected", "HistoryExpired", "HttpFailure",
    "RetryPolicy", "Retrier", "failure_of", "http_failure", "translate",
]

RATE_LIMIT_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded",
                                "concurrentLimitExceeded", "quotaExceeded"})


@dataclass(frozen=True, slots=True)
class HttpFailure:
    """An HTTP error answer from Gmail: status, first error reason, Retry-After seconds."""

    status: int
    reason: str
    retry_after: float | None

    @property
    def retryable(self) -> bool:
        """Return whether waiting and retrying may succeed."""
        return (self.status == 429 or self.status >= 500
                or (self.status == 403 and self.reason in RATE_LIMIT_REASONS))


def http_failure(error: BaseException) -> HttpFailure | None:
    """Return the HTTP failure carried by a client-library ``HttpError``, else None."""
    resp = getattr(error, "resp", None)
    status = getattr(resp, "status", None)
    if not isinstance(status, int) or not hasattr(error, "content"):
        return None
    return failure_of(status, resp, getattr(error, "content", b""))


def failure_of(status: int, headers: Any, content: Any, *,
               now: Callable[[], float] = time.time) -> HttpFailure:
    """Build an ``HttpFailure`` from a status, a header mapping and a JSON error body.

    ``now`` (seconds since the epoch) turns a Retry-After given as an HTTP date into seconds.
    """
    reason = ""
    try:
        text = content.decode("utf-8") if isinstance(content, bytes) else str(content or "")
        body = json.loads(text) if text else {}
        errors = body.get("error", {}).get("errors") or []
        if errors:
            reason = str(errors[0].get("reason", ""))
        elif isinstance(body.get("error"), dict):
            reason = str(body["error"].get("status", ""))
    except (ValueError, AttributeError):
        pass
    raw = headers.get("retry-after") if hasattr(headers, "get") else None
    retry_after = retry_after_seconds(str(raw), now()) if raw is not None else None
    return HttpFailure(status=status, reason=reason, retry_after=retry_after)


def retry_after_seconds(raw: str, now: float) -> float | None:
    """Return the wait a Retry-After value asks for, in seconds from ``now``; None if unreadable.

    RFC 9110 allows a number of seconds or an HTTP date (``Wed, 21 Oct 2015 07:28:00 GMT``).
    """
    text = raw.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        if when.tzinfo is None:  # an HTTP date is always GMT
            return None
        seconds = when.timestamp() - now
    return max(0.0, seconds) if math.isfinite(seconds) else None


def translate(failure: HttpFailure, what: str) -> GmailError:
    """Return our error for a Gmail failure; ``what`` names the call, never its data."""
    if failure.status == 404:
        return GmailNotFound(f"Gmail found nothing for {what}; it may have been deleted")
    if failure.status == 401:
        return GmailAuthError("Gmail refused the credentials; ask the user to reconnect "
                              "their Google account")
    reason = failure.reason or "no reason"
    if failure.retryable:
        wait = (f" (it asked to wait {math.ceil(failure.retry_after)} seconds)"
                if failure.retry_after else "")
        return GmailRateLimited(f"Gmail kept answering {failure.status} ({reason}) to {what}"
                                f"{wait}; retry later")
    if failure.status == 403:
        return GmailRejected(f"Gmail forbade {what} ({reason}); the "
                             "account may lack a scope: reconnect it", status=403,
                             reason=failure.reason)
    return GmailRejected(f"Gmail refused {what} with {failure.status} ({reason}); check the "
                         "request", status=failure.status,
                         reason=failure.reason)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how long to retry."""

    max_attempts: int = 6
    base_delay: float = 0.5
    max_delay: float = 32.0
    max_retry_after: float = 120.0


class Retrier:
    """Run calls with retries; ``sleep`` and ``random`` are injectable."""

    def __init__(self, policy: RetryPolicy | None = None, *,
                 sleep: Callable[[float], None] = time.sleep,
                 random: Callable[[], float] = random_module.random) -> None:
        self.policy = policy or RetryPolicy()
        self.sleep = sleep
        self.random = random

    def delay(self, attempt: int, retry_after: float | None) -> float:
        """Return the wait before retry number ``attempt`` (0-based)."""
        p = self.policy
        backoff = min(p.max_delay, p.base_delay * (2 ** attempt)) * self.random()
        if retry_after is not None:
            return max(backoff, min(retry_after, p.max_retry_after))
        return backoff

    def too_long(self, retry_after: float | None) -> bool:
        """Return True when the server asks for a longer wait than this retrier allows.

        Retrying sooner would not honour Retry-After, so such a call is given up instead.
        """
        return retry_after is not None and retry_after > self.policy.max_retry_after

    def call(self, fn: Callable[[], T], *, what: str, retry_timeouts: bool = True) -> T:
        """Return ``fn()``, retrying rate limits, 5xx and (if allowed) transport failures."""
        attempts = self.policy.max_attempts
        for attempt in range(attempts):
            last = attempt == attempts - 1
            try:
                return fn()
            except (GmailTimeout, GmailUnavailable) as error:
                if isinstance(error, GmailRateLimited):
                    raise
                if not retry_timeouts or last:
                    raise
                self.sleep(self.delay(attempt, None))
            except GmailError:
                raise
            except Exception as error:
                failure = http_failure(error)
                if failure is None:
                    raise
                if not failure.retryable or last or self.too_long(failure.retry_after):
                    raise translate(failure, what) from None
                self.sleep(self.delay(attempt, failure.retry_after))
        raise AssertionError("unreachable")  # pragma: no cover
