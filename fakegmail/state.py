"""Everything one running emulator holds: accounts with their mailboxes, tokens, quota,
faults, request counters and the record of mail sent outside the emulator. Shared by all
request threads; each part locks itself."""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fakegmail.faults import FaultInjector
from fakegmail.mail_settings import MailSettings
from fakegmail.mailbox import Mailbox
from fakegmail.outbound import DEFAULT_LIMIT, OutboundLog
from fakegmail.quota import QuotaLedger
from fakegmail.service_accounts import ServiceAccounts
from fakegmail.tokens import TokenStore


@dataclass(slots=True)
class Account:
    """A Google account the emulator knows: its address, display name, mailbox and settings."""

    email: str
    name: str
    mailbox: Mailbox
    default_scopes: tuple[str, ...] = ()
    aliases: dict[str, str] = field(default_factory=dict)
    """Verified send-as aliases besides the account's own address: address -> display name."""
    settings: MailSettings = field(default_factory=MailSettings)
    """Vacation, language, IMAP, POP, forwarding, filters, send-as details and the watch."""


class RequestStats:
    """Count calls, errors and quota units per Gmail method, and calls in flight at once.

    ``peak_in_flight`` is the most Gmail calls that were being served at the same moment
    since the last reset, so an integrator can check that their client overlaps calls.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.calls: dict[str, int] = defaultdict(int)
        self.errors: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        self.in_flight = 0
        self.peak_in_flight = 0

    def begin(self) -> None:
        """Note that a Gmail call started being served."""
        with self._lock:
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)

    def end(self) -> None:
        """Note that a Gmail call finished being served."""
        with self._lock:
            self.in_flight -= 1

    def record(self, method_id: str, status: int, *, new_call: bool = True) -> None:
        """Record one call of ``method_id`` answered with ``status``.

        ``new_call=False`` records only an error status, for a request that continues a
        call already counted (the later requests of a resumable upload).
        """
        with self._lock:
            if new_call:
                self.calls[method_id] += 1
            if status >= 400:
                self.errors[method_id][status] += 1

    def reset(self) -> None:
        """Forget every count."""
        with self._lock:
            self.calls.clear()
            self.errors.clear()
            self.peak_in_flight = self.in_flight

    def snapshot(self, quota: QuotaLedger) -> dict[str, Any]:
        """Return the counters as the control API shows them."""
        with self._lock:
            methods = {
                m: {
                    "calls": self.calls[m],
                    "errors": {str(s): n for s, n in self.errors.get(m, {}).items()},
                    "quota_units": quota.units_by_method.get(m, 0),
                }
                for m in sorted(set(self.calls) | set(quota.units_by_method))
            }
            return {
                "total_calls": sum(self.calls.values()),
                "methods": methods,
                "quota_units_by_user": dict(quota.units_by_user),
                "peak_in_flight": self.peak_in_flight,
            }


@dataclass
class EmulatorState:
    """The whole state of one emulator instance."""

    clock: Callable[[], float] = time.time
    sleep: Callable[[float], None] = time.sleep
    per_user_quota_limit: int | None = None
    outbound_limit: int = DEFAULT_LIMIT
    """Outbound records kept per account (see :mod:`fakegmail.outbound`)."""
    accounts: dict[str, Account] = field(default_factory=dict)
    tokens: TokenStore = field(init=False)
    service_accounts: ServiceAccounts = field(init=False, default_factory=ServiceAccounts)
    quota: QuotaLedger = field(init=False)
    faults: FaultInjector = field(init=False)
    stats: RequestStats = field(init=False, default_factory=RequestStats)
    outbound: OutboundLog = field(init=False)
    lock: threading.RLock = field(init=False, default_factory=threading.RLock)

    def __post_init__(self) -> None:
        self.tokens = TokenStore(self.clock)
        self.quota = QuotaLedger(self.clock, self.per_user_quota_limit)
        self.faults = FaultInjector(sleep=self.sleep)
        self.outbound = OutboundLog(self.outbound_limit)

    def ensure_account(self, email: str, name: str | None = None,
                       scopes: tuple[str, ...] = ()) -> Account:
        """Return the account for ``email``, creating it (with an empty mailbox) if needed."""
        key = email.strip().lower()
        with self.lock:
            account = self.accounts.get(key)
            if account is None:
                account = Account(
                    email=key,
                    name=name or key.split("@", 1)[0],
                    mailbox=Mailbox(email=key, clock=self.clock),
                    default_scopes=scopes,
                )
                self.accounts[key] = account
            elif name:
                account.name = name
            return account

    def account(self, email: str) -> Account | None:
        """Return the account for ``email`` or None."""
        return self.accounts.get(email.strip().lower())
