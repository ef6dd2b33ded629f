"""Fixtures for the guard's tests: a private emulator, accounts, the shipped policy."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from fakegmail.pytest_plugin import FakeGmailAccount, new_account
from fakegmail.server import EmulatorServer
from guard.policy import Policy, load_policy

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatorServer]:
    """Run an emulator of our own, so other tests' OAuth clients or faults do not leak in."""
    with EmulatorServer(host="127.0.0.1", port=0) as server:
        yield server


@pytest.fixture
def account(emulator: EmulatorServer) -> FakeGmailAccount:
    """Return a fresh emulator account with a full-scope token."""
    return new_account(emulator.state, emulator.url)


@pytest.fixture(scope="session")
def policy() -> Policy:
    """Return the shipped policy file, loaded."""
    return load_policy()
