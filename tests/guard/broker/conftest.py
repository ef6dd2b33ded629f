"""Fixtures for the human-access services: a fresh database (SQLite or PostgreSQL) per test."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from audit import AuditEntry, AuditLog, AuditQuery
from guard.broker import AccessBroker
from guard.consents import ConsentBook, TransferConsentBook
from guard.db import create_schema, open_engine
from guard.grants import GrantBook, GrantRules
from guard.policy import Actor, ActorKind, Consent, Grant, Policy
from guard.staff import StaffRegistry
from guard.vault import VaultKeys
from tests.conftest import backend_params
from tests.guard.conftest import NOW

HMAC_KEY = b"guard-tests-hmac-key-0123456789ab"
#: The vault key the consent books seal wordings with (URL-safe base64 of 32 bytes).
VAULT_KEY = "Y29uc2VudC13b3JkaW5nLXRlc3Qta2V5LTAxMjM0NTY="
ADMIN = Actor(kind=ActorKind.STAFF, id="admin@qontak.com", role="security")
USER = "owner@example.com"


@dataclass
class Clock:
    """A settable clock for the services under test."""

    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now = self.now + timedelta(**delta)


@pytest.fixture
def pg_url(postgres_url: str) -> str:
    """Return a fresh PostgreSQL database for one test (the top-level fixture drops it)."""
    return postgres_url


@pytest.fixture(params=backend_params())
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Return a fresh database URL shared by the guard tables and the audit log."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'mailguard.db'}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """Return an engine with every guard table created."""
    eng = open_engine(db_url)
    create_schema(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def audit_log(db_url: str, clock: Clock) -> Iterator[AuditLog]:
    """Open the audit log in the same database, its entry times from the test clock."""
    log = AuditLog.open(db_url, hmac_key=HMAC_KEY, clock=clock)
    yield log
    log.close()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def staff(engine: Engine, policy: Policy, audit_log: AuditLog, clock: Clock) -> StaffRegistry:
    """Return a registry with a support, two security and two legal members."""
    registry = StaffRegistry(engine, policy, audit_log, clock=clock)
    for email, role in (("sam@qontak.com", "support"), ("sec1@qontak.com", "security"),
                        ("sec2@qontak.com", "security"), ("law1@qontak.com", "legal"),
                        ("law2@qontak.com", "legal"), ("ops@qontak.com", "ops")):
        registry.add(email, roles=[role], by=ADMIN)
    return registry


@pytest.fixture
def vault_keys() -> VaultKeys:
    return VaultKeys([VAULT_KEY])


@pytest.fixture
def consents(engine: Engine, policy: Policy, audit_log: AuditLog, clock: Clock,
             vault_keys: VaultKeys) -> ConsentBook:
    return ConsentBook(engine, policy, audit_log, keys=vault_keys, clock=clock)


@pytest.fixture
def transfer_consents(engine: Engine, policy: Policy, audit_log: AuditLog,
                      clock: Clock, vault_keys: VaultKeys) -> TransferConsentBook:
    return TransferConsentBook(engine, policy, audit_log, keys=vault_keys, clock=clock)


@pytest.fixture
def grants(engine: Engine, policy: Policy, audit_log: AuditLog, staff: StaffRegistry,
           clock: Clock) -> GrantBook:
    return GrantBook(engine, policy, audit_log, staff, clock=clock,
                     rules=GrantRules(pending_for=timedelta(hours=2),
                                      approval_for=timedelta(hours=8)))


#: The thread each message of the stand-in mailbox belongs to.
THREAD_OF = {"m1": "t1", "m2": "t1", "m3": "t1", "m7": "t2"}


@dataclass(frozen=True, slots=True)
class Fetched:
    """What the stand-in mail layer returns."""

    kind: str
    id: str
    mailbox: str
    thread_id: str = ""
    label_ids: tuple[str, ...] = ("INBOX",)
    internal_date: None = None


@dataclass
class StandInMail:
    """Stands in for MailboxAccess: remembers each fetch and the evidence it carried."""

    calls: list[dict[str, Any]] = field(default_factory=list)
    #: The thread-id lookups (no content), kept apart from the fetches in ``calls``.
    lookups: list[dict[str, Any]] = field(default_factory=list)

    def get_message(self, *, actor: Actor, mailbox: str, purpose: str, message_id: str,
                    request_id: str | None = None,
                    evidence: Consent | Grant | None = None) -> Fetched:
        self.calls.append({"actor": actor, "mailbox": mailbox, "purpose": purpose,
                           "id": message_id, "evidence": evidence})
        return Fetched("message", message_id, mailbox, THREAD_OF.get(message_id, "t9"))

    def get_thread(self, *, actor: Actor, mailbox: str, purpose: str, thread_id: str,
                   request_id: str | None = None,
                   evidence: Consent | Grant | None = None) -> Fetched:
        self.calls.append({"actor": actor, "mailbox": mailbox, "purpose": purpose,
                           "id": thread_id, "evidence": evidence})
        return Fetched("thread", thread_id, mailbox)

    def thread_ids_of(self, *, actor: Actor, mailbox: str, purpose: str,
                      message_ids: Iterable[str], request_id: str | None = None,
                      evidence: Consent | Grant | None = None) -> dict[str, str]:
        ids = sorted(message_ids)
        self.lookups.append({"actor": actor, "mailbox": mailbox, "purpose": purpose,
                             "ids": ids, "evidence": evidence})
        return {m: THREAD_OF.get(m, "t9") for m in ids}


@pytest.fixture
def mail() -> StandInMail:
    return StandInMail()


@pytest.fixture
def broker(policy: Policy, audit_log: AuditLog, staff: StaffRegistry, consents: ConsentBook,
           grants: GrantBook, mail: StandInMail, clock: Clock) -> AccessBroker:
    return AccessBroker(policy, audit_log, staff, consents, grants, mail, clock=clock)


def staff_actor(email: str, role: str) -> Actor:
    return Actor(kind=ActorKind.STAFF, id=email, role=role)


def user_actor(mailbox: str = USER) -> Actor:
    return Actor(kind=ActorKind.USER, id=mailbox)


def entries(log: AuditLog, **filters: Any) -> list[AuditEntry]:
    """Return the audit entries matching ``filters``, oldest first."""
    return list(log.query(AuditQuery(**filters)))
