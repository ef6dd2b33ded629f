"""Connected accounts on SQLite and PostgreSQL: connect, list, actor, refusal, disconnect."""

from __future__ import annotations

from pathlib import Path

import pytest
from google.oauth2.credentials import Credentials

from audit import AuditQuery
from fakegmail.pytest_plugin import FakeGmailAccount, new_account
from fakegmail.server import EmulatorServer
from guard.errors import AccessDenied, GmailAuthError
from guard.policy import Actor, ActorKind
from guard.service import Guard
from tests.guard.mail.conftest import credentials_of, settings_for


def test_accounts_lifecycle(database_url: str, tmp_path: Path, emulator: EmulatorServer,
                            account: FakeGmailAccount) -> None:
    settings = settings_for(emulator, tmp_path, database_url=database_url)
    with Guard.open(settings) as guard:
        user = "ann@qontak.example"
        connected = guard.accounts.connect(user, email=account.email.upper(),
                                           credentials=credentials_of(account, emulator),
                                           granted_scopes=["https://mail.google.com/"])
        assert connected.email == account.email
        assert [a.email for a in guard.accounts.list_for(user)] == [account.email]
        assert guard.accounts.actor_for(user, account.email) == Actor(ActorKind.USER,
                                                                      account.email)
        with pytest.raises(AccessDenied):
            guard.accounts.actor_for("bob@qontak.example", account.email,
                                     request_id="bob-try")
        [denied] = guard.audit.query(AuditQuery(request_id="bob-try"))
        assert denied.decision.value == "deny" and denied.rule_id == "account.not_connected"
        assert guard.accounts.credentials_for(account.email).refresh_token == \
            account.refresh_token
        assert guard.accounts.disconnect(user, account.email)
        assert guard.accounts.list_for(user) == ()
        with pytest.raises(GmailAuthError):
            guard.accounts.credentials_for(account.email)
        actions = [e.action for e in guard.audit.query(AuditQuery())]
        assert actions == ["account.connect", "account.use", "account.disconnect"]


def test_connect_without_a_refresh_token_is_refused(tmp_path: Path,
                                                    emulator: EmulatorServer) -> None:
    with Guard.open(settings_for(emulator, tmp_path)) as guard:
        with pytest.raises(GmailAuthError, match="access_type=offline"):
            guard.accounts.connect("ann@qontak.example", email="ann@example.org",
                                   credentials=Credentials(token="t"), granted_scopes=[])


def test_own_mailbox_stays_first_whatever_else_is_connected(
        database_url: str, tmp_path: Path, emulator: EmulatorServer) -> None:
    """/u/0/ is the user's own mailbox; the others keep the order they were connected in.

    Added accounts sorting before it by address do not displace it, a new account takes
    the next number, and connecting one again (a new token) keeps its number.
    """
    own = new_account(emulator.state, emulator.url, email="web98@qontak-test.test")
    added = [new_account(emulator.state, emulator.url, email=f"web{n}@qontak-test.test")
             for n in (102, 100, 99)]
    settings = settings_for(emulator, tmp_path, database_url=database_url)
    with Guard.open(settings) as guard:
        def connect(account: FakeGmailAccount) -> None:
            guard.accounts.connect(own.email, email=account.email,
                                   credentials=credentials_of(account, emulator),
                                   granted_scopes=["https://mail.google.com/"])

        def order() -> list[str]:
            return [a.email for a in guard.accounts.list_for(own.email)]

        for account in [added[0], added[1], own]:
            connect(account)
        assert order() == ["web98@qontak-test.test", "web102@qontak-test.test",
                           "web100@qontak-test.test"]
        connect(added[2])
        connect(added[0])  # again: it keeps /u/1/
        assert order() == ["web98@qontak-test.test", "web102@qontak-test.test",
                           "web100@qontak-test.test", "web99@qontak-test.test"]
