"""OAuth tokens the emulator issues: access tokens (1 hour), refresh tokens, their scopes."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

ACCESS_TOKEN_LIFETIME = 3600


@dataclass(frozen=True, slots=True)
class TokenGrant:
    """What an access token stands for: whose mailbox, which scopes, until when."""

    email: str
    scopes: frozenset[str]
    client_id: str
    access_token: str
    refresh_token: str
    expires_at: float
    delegated: bool = False
    """Issued to a service account with domain-wide authority acting as ``email`` (see
    :func:`fakegmail.methods.require_domain_wide_authority`), not to the person."""
    service_account: bool = False
    """The service account's own token (a JWT grant without ``sub``): ``email`` is the
    service account's address, which has no Gmail mailbox."""

    def covers(self, accepted: Iterable[str]) -> bool:
        """Return True when any of the ``accepted`` scopes was granted to this token."""
        return not self.scopes.isdisjoint(accepted)


class TokenStore:
    """Mint, look up, refresh and revoke tokens; safe to share between threads."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._by_access: dict[str, TokenGrant] = {}
        self._by_refresh: dict[str, TokenGrant] = {}

    def mint(self, email: str, scopes: Iterable[str], client_id: str = "emulator", *,
             delegated: bool = False, service_account: bool = False) -> TokenGrant:
        """Issue a fresh access and refresh token pair; ``delegated`` for one that stands for
        a service account with domain-wide authority impersonating ``email``,
        ``service_account`` for the service account ``email``'s own."""
        grant = TokenGrant(
            email=email,
            scopes=frozenset(scopes),
            client_id=client_id,
            access_token="ya29.emu-" + secrets.token_urlsafe(32),
            refresh_token="1//emu-" + secrets.token_urlsafe(32),
            expires_at=self._clock() + ACCESS_TOKEN_LIFETIME,
            delegated=delegated,
            service_account=service_account,
        )
        with self._lock:
            self._by_access[grant.access_token] = grant
            self._by_refresh[grant.refresh_token] = grant
        return grant

    def lookup(self, access_token: str) -> TokenGrant | None:
        """Return the live grant behind ``access_token``, or None if unknown or expired."""
        with self._lock:
            grant = self._by_access.get(access_token)
        if grant is None or grant.expires_at <= self._clock():
            return None
        return grant

    def refresh(self, refresh_token: str, client_id: str | None = None) -> TokenGrant | None:
        """Issue a new access token for ``refresh_token``; None when it is unknown or revoked."""
        with self._lock:
            grant = self._by_refresh.get(refresh_token)
            if grant is None or (client_id is not None and client_id != grant.client_id):
                return None
            fresh = replace(
                grant,
                access_token="ya29.emu-" + secrets.token_urlsafe(32),
                expires_at=self._clock() + ACCESS_TOKEN_LIFETIME,
            )
            self._by_access[fresh.access_token] = fresh
            self._by_refresh[refresh_token] = fresh
        return fresh

    def revoke(self, token: str) -> bool:
        """Revoke an access or refresh token; a refresh token takes its access tokens along."""
        with self._lock:
            grant = self._by_access.pop(token, None)
            if grant is not None:
                return True
            grant = self._by_refresh.pop(token, None)
            if grant is None:
                return False
            for access, other in list(self._by_access.items()):
                if other.refresh_token == token:
                    del self._by_access[access]
            return True

    def expire_all(self, email: str | None = None) -> int:
        """Make every access token (of ``email``, or of everyone) expire now; return how many."""
        now = self._clock()
        count = 0
        with self._lock:
            for access, grant in list(self._by_access.items()):
                if email is None or grant.email == email:
                    self._by_access[access] = replace(grant, expires_at=now)
                    count += 1
        return count
