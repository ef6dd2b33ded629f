"""The guard facade: one object holding the policy, audit log, accounts, vault and mail access.

``Guard.open(settings)`` wires the parts on one database; the web client keeps one ``Guard``
per process and asks it for everything Gmail.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from audit import AuditLog
from guard.accounts import ConnectedAccounts
from guard.db import create_schema, open_engine
from guard.mail_cache import MailCache
from guard.mailbox import MailboxAccess
from guard.policy import Policy, load_policy
from guard.retry import Retrier
from guard.settings import GuardSettings
from guard.transport import pooled_session
from guard.vault import TokenVault, VaultKeys


class Guard:
    """The only road to Gmail data, with its policy, audit log and stores.

    Attributes: ``policy``, ``audit`` (the ``AuditLog``), ``accounts``
    (``ConnectedAccounts``), ``vault`` (``TokenVault``), ``mail`` (``MailboxAccess``),
    ``cache`` (``MailCache`` or None), ``engine``, ``settings``, ``http_session`` (the
    pooled session every Gmail and OAuth request goes through). The human-access parts
    (``consents``, ``grants``, ``broker``, ``transfers``, ``aggregates``) are attached by
    ``attach`` when their modules are wired in.
    """

    def __init__(self, *, settings: GuardSettings, engine: Engine, policy: Policy,
                 audit: AuditLog, vault: TokenVault, accounts: ConnectedAccounts,
                 mail: MailboxAccess, cache: MailCache | None, session: Any) -> None:
        self.settings = settings
        self.engine = engine
        self.policy = policy
        self.audit = audit
        self.vault = vault
        self.accounts = accounts
        self.mail = mail
        self.cache = cache
        self.http_session = session
        self.consents: Any = None
        self.grants: Any = None
        self.broker: Any = None
        self.transfers: Any = None
        self.aggregates: Any = None

    @classmethod
    def open(cls, settings: GuardSettings, *, retrier: Retrier | None = None) -> Guard:
        """Open the database (creating missing tables), the policy, the audit log and stores."""
        policy = load_policy(Path(settings.policy_path))
        engine = open_engine(settings.database_url)
        create_schema(engine)
        audit = AuditLog.open(settings.audit_url or settings.database_url,
                              hmac_key=settings.audit_hmac_key,
                              signing_key=settings.audit_signing_key_path,
                              clock=settings.clock)
        try:
            keys = VaultKeys(settings.token_keys)
            vault = TokenVault(engine, keys, settings.clock)
            session = pooled_session(settings.pool_size)
            cache = MailCache(engine, keys, settings.clock) if settings.cache_enabled else None
            holder: list[MailboxAccess] = []

            def on_change(mailbox: str) -> None:
                if holder:
                    holder[0].forget(mailbox)
                if cache is not None:
                    cache.clear(mailbox)

            accounts = ConnectedAccounts(engine, vault=vault, audit=audit, policy=policy,
                                         oauth_client=settings.oauth_client, session=session,
                                         clock=settings.clock, on_change=on_change)
            mail = MailboxAccess(policy=policy, audit=audit, accounts=accounts,
                                 root_url=settings.gmail_root_url, session=session,
                                 clock=settings.clock, retrier=retrier, cache=cache)
            holder.append(mail)
        except BaseException:
            audit.close()
            engine.dispose()
            raise
        return cls(settings=settings, engine=engine, policy=policy, audit=audit, vault=vault,
                   accounts=accounts, mail=mail, cache=cache, session=session)

    def attach(self, **parts: Any) -> None:
        """Attach the human-access parts (consents, grants, broker, transfers, aggregates)."""
        allowed = {"consents", "grants", "broker", "transfers", "aggregates"}
        unknown = set(parts) - allowed
        if unknown:
            raise TypeError(f"unknown guard parts {sorted(unknown)}; allowed: {sorted(allowed)}")
        for name, part in parts.items():
            setattr(self, name, part)

    def close(self) -> None:
        """Close the audit log, the HTTP pool and the database engine."""
        try:
            self.audit.close()
        finally:
            self.http_session.close()
            self.engine.dispose()

    def __enter__(self) -> Guard:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
