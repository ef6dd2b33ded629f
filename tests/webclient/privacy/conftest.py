"""The privacy pages against the emulator, the real guard and the demo CRM on loopback."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from fakegmail.server import EmulatorServer
from guard.policy import Actor, ActorKind
from guard.service import Guard
from mailguard.crm_demo import CrmDemoServer
from tests.webclient.conftest import Mailbox, app_config, deliver
from webclient import create_app
from webclient.guard_link import guard_settings

SUPPORT_AGENT = "agent@qontak.com"
ADMIN = Actor(kind=ActorKind.STAFF, id="admin@qontak.com", role="security")


@pytest.fixture
def crm() -> Iterator[CrmDemoServer]:
    """Run the demo CRM on a loopback port."""
    with CrmDemoServer() as server:
        yield server


def open_guard(config: dict[str, Any], crm: CrmDemoServer) -> Guard:
    """Open the guard of ``config`` with the demo CRM as the ``qontak-crm`` endpoint."""
    settings = dataclasses.replace(guard_settings(config),
                                   transfer_endpoints={"qontak-crm": crm.transfer_url})
    return Guard.open(settings, retrier=config["GUARD_RETRIER"])


@pytest.fixture
def app(web_emulator: EmulatorServer, tmp_path: Path, crm: CrmDemoServer) -> Iterator[Flask]:
    """Return the web client whose guard sends ``qontak-crm`` transfers to the demo CRM."""
    config = app_config(web_emulator, tmp_path)
    guard = open_guard(config, crm)
    application = create_app({**config, "GUARD": guard})
    yield application
    guard.close()


@pytest.fixture
def guard(app: Flask) -> Guard:
    """Return the app's guard."""
    found: Guard = app.extensions["mailguard.guard"]
    return found


@pytest.fixture
def support_agent(guard: Guard) -> Actor:
    """Register a support agent; return the actor they act as."""
    guard.staff.add(SUPPORT_AGENT, roles=["support"], by=ADMIN)
    return Actor(kind=ActorKind.STAFF, id=SUPPORT_AGENT, role="support")


@dataclasses.dataclass(frozen=True, slots=True)
class Conversation:
    """Two messages of one thread in the signed-in mailbox."""

    thread_id: str
    first: str
    second: str


@pytest.fixture
def conversation(mailbox: Mailbox) -> Conversation:
    """Deliver a two-message conversation into ``mailbox``."""
    first = deliver(mailbox, subject="Invoice 4471 for PT Maju", text="Please find the invoice.",
                    message_id="<inv-4471@example.org>")
    second = deliver(mailbox, subject="Re: Invoice 4471 for PT Maju",
                     text="Paid yesterday, thanks.", in_reply_to="<inv-4471@example.org>",
                     message_id="<inv-4471-re@example.org>")
    assert first.thread_id == second.thread_id
    return Conversation(thread_id=first.thread_id, first=first.id, second=second.id)


def form_fields(page: str) -> dict[str, str]:
    """Return the hidden fields of the agreement form on ``page``."""
    return {name: value for name, value in re.findall(
        r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"', page)
        if name != "csrf_token"}


def text(answer: Any) -> str:
    """Return a response's body as text."""
    return str(answer.get_data(as_text=True))


def page_of(client: FlaskClient, path: str) -> str:
    """GET ``path`` and return its text, asserting it answered 200."""
    answer = client.get(path)
    assert answer.status_code == 200, text(answer)[:500]
    return text(answer)
