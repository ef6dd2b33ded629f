"""Fixtures for the audit store: a fresh database per test (SQLite file or PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from audit import AuditEvent, AuditLog
from tests.conftest import backend_params

HMAC_KEY = b"0123456789abcdef0123456789abcdef"


@pytest.fixture
def pg_url(postgres_url: str) -> str:
    """Return a fresh PostgreSQL database for one test (the top-level fixture drops it)."""
    return postgres_url


@pytest.fixture(params=backend_params())
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Return a fresh audit database URL: an SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "audit.db")
    return request.getfixturevalue("pg_url")


@pytest.fixture
def sqlite_path(tmp_path: Path) -> Path:
    """Return the path of a fresh SQLite audit file."""
    return tmp_path / "audit.db"


@pytest.fixture
def signing_key() -> Ed25519PrivateKey:
    """Return a fresh checkpoint signing key."""
    return Ed25519PrivateKey.generate()


@pytest.fixture
def cli_keys(signing_key: Ed25519PrivateKey, tmp_path: Path,
             monkeypatch: pytest.MonkeyPatch) -> Path:
    """Give ``mailguard audit`` the test keys (signing key file, HMAC key); return the file.

    No origin or verifier key comes from the environment the tests run in.
    """
    key_file = tmp_path / "signing.pem"
    key_file.write_bytes(signing_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    monkeypatch.setenv("MAILGUARD_AUDIT_SIGNING_KEY", str(key_file))
    monkeypatch.setenv("MAILGUARD_AUDIT_HMAC_KEY", HMAC_KEY.hex())
    monkeypatch.delenv("MAILGUARD_AUDIT_ORIGIN", raising=False)
    monkeypatch.delenv("MAILGUARD_AUDIT_VERIFIER_KEY", raising=False)
    return key_file


@pytest.fixture
def open_log(signing_key: Ed25519PrivateKey) -> Iterator[Callable[..., AuditLog]]:
    """Open audit logs with the test keys; close them all at the end."""
    opened: list[AuditLog] = []

    def _open(url: str | Path, **kwargs: Any) -> AuditLog:
        kwargs.setdefault("hmac_key", HMAC_KEY)
        kwargs.setdefault("signing_key", signing_key)
        log = AuditLog.open(url, **kwargs)
        opened.append(log)
        return log

    yield _open
    for log in opened:
        log.close()


def make_event(n: int = 0, **overrides: Any) -> AuditEvent:
    """Build a realistic event; ``n`` varies the ids."""
    values: dict[str, Any] = {
        "actor_kind": "user",
        "actor_id": f"user{n % 7}@example.com",
        "actor_role": "owner",
        "mailbox": f"user{n % 7}@example.com",
        "action": "message.get",
        "purpose": "email.read",
        "basis": "owner",
        "resources": [{"kind": "message", "id": f"msg-{n}"},
                      {"kind": "thread", "id": f"thr-{n // 3}"}],
        "decision": "allow" if n % 5 else "deny",
        "rule_id": "owner-reads-own-mail" if n % 5 else "default-deny",
        "policy_version": "p1",
        "request_id": f"req-{n}",
        "outcome": "ok",
        "client_ip": "192.0.2.10",
    }
    values.update(overrides)
    return AuditEvent.from_dict(values)
