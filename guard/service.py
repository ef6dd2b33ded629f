"""The guard facade: one object holding the policy, audit log, stores and services.

``Guard.open(settings)`` wires every part on one database; the web client keeps one
``Guard`` per process and asks it for everything Gmail, staff access and transfers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from audit import AuditLog
from guard.accounts import ConnectedAccounts
from guard.aggregates import Aggregates
from guard.broker import AccessBroker
from guard.consents import ConsentBook, TransferConsentBook
from guard.db import create_schema, open_engine
from guard.grants import GrantBook
from guard.mail_cache import MailCache
from guard.mailbox import MailboxAccess
from guard.policy import Policy, load_policy
from guard.retry import Retrier
from guard.settings import GuardSettings, SettingsError
from guard.staff import StaffRegistry
from guard.transfers import TransferGate
from guard.transport import pooled_session
from guard.vault import TokenVault, VaultKeys

_PARTS = ("staff", "consents", "transfer_consents", "grants", "broker", "transfers",
          "aggregates")


class Guard:
    """The only road to Gmail data, with its policy, audit log, stores and services.

    Attributes: ``policy``, ``audit`` (the ``AuditLog``), ``accounts``
    (``ConnectedAccounts``), ``vault`` (``TokenVault``), ``mail`` (``MailboxAccess``),
    ``cache`` (``MailCache`` or None), ``staff`` (``StaffRegistry``), ``consents``
    (``ConsentBook``), ``transfer_consents`` (``TransferConsentBook``), ``grants``
    (``GrantBook``), ``broker`` (``AccessBroker``), ``transfers`` (``TransferGate``),
    ``aggregates`` (``Aggregates``), ``engine``, ``settings``, ``http_session`` (the pooled
    session every Gmail, OAuth and transfer request goes through).
    """

    def __init__(self, *, settings: GuardSettings, engine: Engine, policy: Policy,
                 audit: AuditLog, vault: TokenVault, accounts: ConnectedAccounts,
                 mail: MailboxAccess, cache: MailCache | None, session: Any,
                 staff: StaffRegistry | None = None, consents: ConsentBook | None = None,
                 transfer_consents: TransferConsentBook | None = None,
                 grants: GrantBook | None = None, broker: AccessBroker | None = None,
                 transfers: TransferGate | None = None,
                 aggregates: Aggregates | None = None) -> None:
        self.settings = settings
        self.engine = engine
        self.policy = policy
        self.audit = audit
        self.vault = vault
        self.accounts = accounts
        self.mail = mail
        self.cache = cache
        self.http_session = session
        clock = settings.clock
        self.staff = staff or StaffRegistry(engine, policy, audit, clock=clock)
        self.consents = consents or ConsentBook(engine, policy, audit, keys=vault.keys,
                                                clock=clock)
        self.transfer_consents = transfer_consents or TransferConsentBook(
            engine, policy, audit, keys=vault.keys, clock=clock)
        self.grants = grants or GrantBook(engine, policy, audit, self.staff, clock=clock)
        self.broker = broker or AccessBroker(policy, audit, self.staff, self.consents,
                                             self.grants, mail, clock=clock)
        self.transfers = transfers or TransferGate(
            policy, audit, self.transfer_consents, settings.transfer_endpoints,
            session=session, clock=clock)
        self.aggregates = aggregates or Aggregates(engine, policy, audit, self.staff,
                                                   clock=clock)

    @classmethod
    def open(cls, settings: GuardSettings, *, retrier: Retrier | None = None) -> Guard:
        """Open the database (creating missing tables), the policy, the audit log and stores.

        Raise ``SettingsError`` when a transfer endpoint names a recipient the policy does
        not list.
        """
        policy = load_policy(Path(settings.policy_path))
        unlisted = sorted(set(settings.transfer_endpoints) - set(policy.transfers.recipients))
        if unlisted:
            raise SettingsError(f"transfer endpoints name recipients the policy does not list "
                                f"({', '.join(unlisted)}); list them in the policy file or "
                                "remove their URLs")
        engine = open_engine(settings.database_url)
        try:
            create_schema(engine)
            audit = AuditLog.open(settings.audit_url or settings.database_url,
                                  hmac_key=settings.audit_hmac_key,
                                  signing_key=settings.audit_signing_key_path,
                                  origin=settings.audit_origin, clock=settings.clock)
        except BaseException:  # a refused schema or log: release the pool before raising
            engine.dispose()
            raise
        try:
            keys = VaultKeys(settings.token_keys)
            vault = TokenVault(engine, keys, settings.clock)
            session = pooled_session(settings.pool_size,
                                     connect_timeout=settings.gmail_connect_timeout,
                                     read_timeout=settings.gmail_read_timeout)
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
            return cls(settings=settings, engine=engine, policy=policy, audit=audit,
                       vault=vault, accounts=accounts, mail=mail, cache=cache,
                       session=session)
        except BaseException:
            audit.close()
            engine.dispose()
            raise

    def attach(self, **parts: Any) -> None:
        """Replace human-access parts (e.g. a broker with another clock in tests)."""
        unknown = set(parts) - set(_PARTS)
        if unknown:
            raise TypeError(f"unknown guard parts {sorted(unknown)}; allowed: {sorted(_PARTS)}")
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
