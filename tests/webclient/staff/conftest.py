"""The staff console against the emulator: staff sign in with OpenID Connect, users consent.

``web_emulator`` is overridden so the OAuth client also accepts the console's callback;
the other fixtures (``app``, ``client``, ``mailbox``, ``signed_in``) come from the web
client's conftest and use it. The guard runs on a settable clock.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from fakegmail.server import EmulatorServer
from guard.aggregates import Aggregates
from guard.broker import AccessBroker
from guard.consents import ConsentBook, ConsentRecord
from guard.grants import GrantBook
from guard.policy import Actor, ActorKind
from guard.service import Guard
from guard.staff import StaffRegistry
from tests.webclient.conftest import (
    CLIENT_ID,
    CLIENT_SECRET,
    REDIRECT_URI,
    Mailbox,
    app_config,
    consent,
    control,
    new_mailbox,
    sign_in,
)
from webclient import create_app

STAFF_REDIRECT_URI = "http://localhost/staff/callback"
STAFF_DOMAIN = "qontak.com"
ADMIN = Actor(kind=ActorKind.STAFF, id="admin@qontak.com", role="security")

SUPPORT = "sari.support@qontak.com"
SECURITY_1 = "budi.security@qontak.com"
SECURITY_2 = "dewi.security@qontak.com"
LEGAL = "lukas.legal@qontak.com"
OPS = "oki.ops@qontak.com"
ROLES = {SUPPORT: "support", SECURITY_1: "security", SECURITY_2: "security", LEGAL: "legal",
         OPS: "ops"}


@dataclass
class Clock:
    """The guard's clock, settable by the tests."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now = self.now + timedelta(**delta)


@pytest.fixture(scope="session")
def web_emulator() -> Iterator[EmulatorServer]:
    """Run an emulator whose OAuth client accepts the mail and the staff callbacks."""
    with EmulatorServer() as server:
        control(server, "POST", "clients", {"client_id": CLIENT_ID,
                                            "client_secret": CLIENT_SECRET,
                                            "redirect_uris": [REDIRECT_URI,
                                                              STAFF_REDIRECT_URI]})
        for email in (*ROLES, "stranger@qontak.com", "someone@gmail.com",
                      "outsider@partner.test"):
            control(server, "POST", "accounts", {"email": email})
        yield server


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime.now(UTC).replace(microsecond=0))


def attach_people(guard: Guard) -> Guard:
    """Attach the human-access parts to ``guard`` unless ``Guard.open`` already did."""
    clock = guard.settings.clock
    if getattr(guard, "staff", None) is None:
        guard.staff = StaffRegistry(guard.engine, guard.policy, guard.audit,  # type: ignore[attr-defined]
                                    clock=clock)
    staff = guard.staff  # type: ignore[attr-defined]
    if guard.consents is None:
        guard.attach(consents=ConsentBook(guard.engine, guard.policy, guard.audit, clock=clock))
    if guard.grants is None:
        guard.attach(grants=GrantBook(guard.engine, guard.policy, guard.audit, staff,
                                      clock=clock))
    if guard.broker is None:
        guard.attach(broker=AccessBroker(guard.policy, guard.audit, staff, guard.consents,
                                         guard.grants, guard.mail, clock=clock))
    if guard.aggregates is None:
        guard.attach(aggregates=Aggregates(guard.engine, guard.policy, guard.audit, staff,
                                           clock=clock))
    return guard


def staff_config(emulator: EmulatorServer, tmp_path: Path, clock: Clock,
                 **overrides: Any) -> dict[str, Any]:
    """Return the web client's test configuration with the staff domain and the clock."""
    return app_config(emulator, tmp_path, STAFF_DOMAIN=STAFF_DOMAIN, GUARD_CLOCK=clock,
                      **overrides)


@pytest.fixture
def app(web_emulator: EmulatorServer, tmp_path: Path, clock: Clock) -> Iterator[Flask]:
    """Return the web client with the staff console, its guard on the test clock."""
    application = create_app(staff_config(web_emulator, tmp_path, clock))
    guard = attach_people(application.extensions["mailguard.guard"])
    for email, role in ROLES.items():
        guard.staff.add(email, roles=[role], by=ADMIN)  # type: ignore[attr-defined]
    yield application
    guard.close()


def guard_of(app: Flask) -> Any:
    """Return the app's guard (typed loosely: the human-access parts are attached)."""
    return app.extensions["mailguard.guard"]


def staff_sign_in(client: FlaskClient, emulator: EmulatorServer, email: str) -> Any:
    """Sign in to the staff console as ``email`` at the emulator; return the callback answer."""
    start = client.get("/staff/start")
    assert start.status_code == 302, start.get_data(as_text=True)
    back = urlsplit(consent(emulator, start.headers["Location"], email))
    return client.get(f"{back.path}?{back.query}")


@pytest.fixture
def staff_client(app: Flask, web_emulator: EmulatorServer) -> Any:
    """Return a factory: a fresh test client signed in to the console as the given member."""

    def make(email: str) -> FlaskClient:
        client = app.test_client()
        answer = staff_sign_in(client, web_emulator, email)
        assert answer.status_code == 302, answer.get_data(as_text=True)
        return client

    return make


@pytest.fixture
def user(app: Flask, web_emulator: EmulatorServer) -> Mailbox:
    """Return a seeded mailbox whose owner signed in once (so the guard holds its tokens)."""
    mailbox = new_mailbox(web_emulator, messages=5)
    answer = sign_in(app.test_client(), web_emulator, mailbox.email)
    assert answer.status_code == 302, answer.get_data(as_text=True)
    return mailbox


def thread_of_two(mailbox: Mailbox) -> tuple[str, str, str]:
    """Deliver a two-message conversation; return (thread id, first id, reply id)."""
    from tests.webclient.conftest import deliver

    first = deliver(mailbox, subject="Invoice 42 is wrong", text="The total should be 420.",
                    message_id="<invoice-42@example.org>")
    reply = deliver(mailbox, subject="Re: Invoice 42 is wrong",
                    text="My bank PIN is 123456, do not share.",
                    in_reply_to="<invoice-42@example.org>")
    assert first.thread_id == reply.thread_id
    return first.thread_id, first.id, reply.id


def give_consent(app: Flask, mailbox: Mailbox, message_ids: list[str], *,
                 grantee: str = "support", days: int = 3) -> ConsentRecord:
    """Record the user's consent through the guard, as the privacy centre does."""
    guard = guard_of(app)
    record: ConsentRecord = guard.consents.record(
        actor=Actor(kind=ActorKind.USER, id=mailbox.email), grantee=grantee,
        message_ids=message_ids, wording="Qontak support may read this message for 3 days.",
        expires_at=guard.settings.clock() + timedelta(days=days))
    return record


def revoke_consent(app: Flask, mailbox: Mailbox, consent_id: str) -> None:
    """Revoke the user's consent through the guard."""
    guard_of(app).consents.revoke(consent_id,
                                  actor=Actor(kind=ActorKind.USER, id=mailbox.email))
