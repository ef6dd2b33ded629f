"""The outbound record: mail the emulator sent to addresses outside it.

Gmail would hand such mail to the Internet; the emulator keeps it instead, so a test can
check what left: ``messages.send`` and ``drafts.send`` to an address no emulator account
holds (``sent``), a filter's ``forward`` (``forwarded``), auto-forwarding's copy
(``auto-forwarded``) and the vacation responder's reply (``vacation``). Each record names
the account the mail left from, the outside recipients, the RFC 822 Message-ID, the reason
and the time, and keeps the bytes as they left (no Bcc field). Only the last ``limit``
records of each account are kept, so a long run does not grow without bound.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

Reason = Literal["sent", "forwarded", "auto-forwarded", "vacation"]

DEFAULT_LIMIT = 100
"""Records kept per account unless the emulator is started with another limit."""


@dataclass(frozen=True, slots=True)
class OutboundMail:
    """One message that left the emulator."""

    id: str
    account: str
    recipients: tuple[str, ...]
    message_id: str
    reason: Reason
    sent_at: float
    """Seconds since the epoch, by the emulator's clock."""
    raw: bytes

    def to_json(self) -> dict[str, Any]:
        """Return the record as the control API lists it (without the message's bytes)."""
        millis = int(round(self.sent_at * 1000))
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(millis // 1000))
        return {"id": self.id, "account": self.account, "recipients": list(self.recipients),
                "message_id": self.message_id, "reason": self.reason,
                "time": f"{stamp}.{millis % 1000:03d}Z", "time_ms": millis,
                "size": len(self.raw)}


class OutboundLog:
    """The last ``limit`` outbound messages of each account; thread-safe."""

    def __init__(self, limit: int = DEFAULT_LIMIT) -> None:
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise ValueError("the outbound record keeps at least 1 message per account")
        self.limit = limit
        self._lock = threading.Lock()
        self._numbers = itertools.count(1)
        self._by_account: dict[str, deque[OutboundMail]] = {}
        self._by_id: dict[str, OutboundMail] = {}

    def record(self, *, account: str, recipients: Iterable[str], message_id: str,
               reason: Reason, sent_at: float, raw: bytes) -> OutboundMail:
        """Keep one message that left ``account``; the account's oldest record goes when
        it already holds ``limit``."""
        with self._lock:
            mail = OutboundMail(id=f"out-{next(self._numbers)}", account=account,
                                recipients=tuple(recipients), message_id=message_id,
                                reason=reason, sent_at=sent_at, raw=raw)
            kept = self._by_account.setdefault(account, deque())
            while len(kept) >= self.limit:
                del self._by_id[kept.popleft().id]
            kept.append(mail)
            self._by_id[mail.id] = mail
            return mail

    def entries(self, account: str | None = None) -> list[OutboundMail]:
        """Return the records kept (of ``account`` only, when given), oldest first."""
        with self._lock:
            if account is not None:
                return list(self._by_account.get(account.strip().lower(), ()))
            return sorted(self._by_id.values(), key=lambda m: int(m.id[4:]))

    def get(self, mail_id: str) -> OutboundMail | None:
        """Return the record ``mail_id``, or None when unknown or no longer kept."""
        with self._lock:
            return self._by_id.get(mail_id)

    def clear(self) -> None:
        """Forget every record (ids keep counting, so an old id never names a new one)."""
        with self._lock:
            self._by_account.clear()
            self._by_id.clear()
