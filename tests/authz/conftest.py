"""One deployment under attack: two mail users, five staff members, every kind of resource.

``world`` is built once per test run and shared by every suite here (an app on a fresh
database, the emulator, the demo CRM on loopback) and holds a signed-in client per role
plus the ids of everything the owner's mailbox holds: a two-message conversation (the
first message consented to support), an attachment, an inline image, a draft, a user
label, a view consent, a transfer consent, an approved security grant and an approved
legal grant. Tests that change shared state undo it or work on throwaway resources they
create themselves.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from audit import AuditEntry, AuditQuery
from fakegmail.server import EmulatorServer
from guard.mail_values import OutgoingMessage
from guard.policy import AccessBasis, Actor, ActorKind, GrantReference
from mailguard.crm_demo import CrmDemoServer
from tests.webclient.conftest import (
    CLIENT_ID,
    CLIENT_SECRET,
    PNG_1X1,
    REDIRECT_URI,
    Mailbox,
    app_config,
    control,
    deliver,
    new_mailbox,
    sign_in,
)
from tests.webclient.staff.conftest import (
    ADMIN,
    LEGAL,
    OPS,
    ROLES,
    SECURITY_1,
    SECURITY_2,
    STAFF_DOMAIN,
    STAFF_REDIRECT_URI,
    SUPPORT,
    Clock,
    attach_people,
    staff_sign_in,
)
from webclient import create_app

#: The administrator who adds and removes staff in these tests.
ADMIN_ACTOR = ADMIN
#: A second legal member, so legal grants can be approved by a second person.
LEGAL_2 = "lena.legal@qontak.com"
STAFF = {**ROLES, LEGAL_2: "legal"}

ANON, USER, OTHER = "anonymous", "user", "other"
#: Every role the matrix knows, in the order tables list them.
ALL_ROLES = (ANON, USER, OTHER, "support", "security", "legal", "ops")
STAFF_ROLES = ("support", "security", "legal", "ops")
#: Who acts for each staff role.
STAFF_MEMBER = {"support": SUPPORT, "security": SECURITY_1, "legal": LEGAL, "ops": OPS}

#: Text only the owner's mailbox holds; no other principal may ever see it.
OWNER_SUBJECT = "Ledger 7731 for PT Owner"
OWNER_SECRET = "owner-secret-918273"
OTHER_SECRET = "other-secret-564738"


@pytest.fixture(scope="session")
def authz_emulator() -> Iterator[EmulatorServer]:
    """Run an emulator whose OAuth client accepts the mail and the staff callbacks."""
    with EmulatorServer() as server:
        control(server, "POST", "clients", {"client_id": CLIENT_ID,
                                            "client_secret": CLIENT_SECRET,
                                            "redirect_uris": [REDIRECT_URI,
                                                              STAFF_REDIRECT_URI]})
        yield server


@dataclass(frozen=True, slots=True)
class Resources:
    """The ids of one mailbox's resources, as an attacker would paste them into URLs."""

    thread: str
    first: str
    reply: str
    with_attachment: str
    attachment: str
    #: The thread page's download link carries the part id too: Gmail issues a new
    #: attachment id on every fetch of the message.
    attachment_part: str
    html_message: str
    draft: str
    draft_message: str
    label: str
    consent: str
    transfer_consent: str


@dataclass
class World:
    """The deployment: app, clock, the two mailboxes, per-role clients and resource ids."""

    app: Flask
    clock: Clock
    emulator: EmulatorServer
    owner: Mailbox
    other: Mailbox
    mine: Resources
    theirs: Resources
    security_grant: str
    legal_grant: str
    inline_path: str
    #: The security member's inline image URL of ``mine.html_message`` under their grant.
    staff_inline_path: str = ""
    clients: dict[str, FlaskClient] = field(default_factory=dict)

    @property
    def guard(self) -> Any:
        """Return the app's guard (the human-access parts attached)."""
        return self.app.extensions["mailguard.guard"]

    def client(self, role: str) -> FlaskClient:
        """Return the role's signed-in client (a fresh cookieless one for anonymous)."""
        if role == ANON:
            return self.app.test_client()
        return self.clients[role]

    def principal(self, role: str) -> str | None:
        """Return the id the audit log names the role's principal by (None if anonymous)."""
        if role == ANON:
            return None
        if role == USER:
            return self.owner.email
        if role == OTHER:
            return self.other.email
        return STAFF_MEMBER[role]

    def clone(self, role: str) -> FlaskClient:
        """Return a new client carrying a copy of the role's cookies (for destructive posts)."""
        copy = self.app.test_client()
        if role != ANON:
            copy_cookies(self.clients[role], copy)
        return copy

    def signed_in_anew(self, role: str) -> FlaskClient:
        """Return a new client with a session of its own for the role (for sign-out tests).

        A clone shares the role's session record, so signing a clone out would sign the
        shared client out too.
        """
        client = self.app.test_client()
        if role in (USER, OTHER):
            box = self.owner if role == USER else self.other
            assert sign_in(client, self.emulator, box.email).status_code == 302
        elif role != ANON:
            assert staff_sign_in(client, self.emulator, STAFF_MEMBER[role]).status_code == 302
        return client

    def sign_in_again(self, role: str) -> None:
        """Give the role a new session after a probe ended every session of its user."""
        if role != ANON:
            self.clients[role] = self.signed_in_anew(role)

    def last_seq(self) -> int:
        """Return the sequence number of the newest audit entry (-1 when empty)."""
        newest = list(self.guard.audit.query(AuditQuery(newest_first=True, limit=1)))
        return newest[0].seq if newest else -1

    def entries_since(self, seq: int, **filters: Any) -> list[AuditEntry]:
        """Return the audit entries appended after ``seq`` that match ``filters``."""
        return list(self.guard.audit.query(AuditQuery(after_seq=seq, **filters)))

    def user_actor(self, mailbox: Mailbox) -> Actor:
        """Return the guard actor of a mailbox's owner."""
        return Actor(kind=ActorKind.USER, id=mailbox.email)

    def staff_actor(self, email: str) -> Actor:
        """Return the guard actor of a staff member in their registered role."""
        return Actor(kind=ActorKind.STAFF, id=email, role=STAFF[email])

    def new_consent(self, mailbox: Mailbox, message_id: str) -> str:
        """Record a fresh view consent to support for one message; return its id."""
        record = self.guard.consents.record(
            actor=self.user_actor(mailbox), grantee="support", message_ids=[message_id],
            wording="Qontak support may read this message for 3 days.",
            expires_at=self.clock() + timedelta(days=3))
        return str(record.id)

    def new_transfer_consent(self, mailbox: Mailbox) -> str:
        """Record a fresh consent to transfers to the CRM; return its id."""
        record = self.guard.transfer_consents.record(
            actor=self.user_actor(mailbox), recipient_id="qontak-crm",
            wording="Qontak CRM may receive this conversation's metadata and content.")
        return str(record.id)

    def pending_grant(self, requester: str, mailbox: Mailbox) -> str:
        """Have ``requester`` ask for a grant on ``mailbox`` (pending); return its id."""
        actor = self.staff_actor(requester)
        basis = AccessBasis.LEGAL if STAFF[requester] == "legal" else AccessBasis.SECURITY
        reference = (GrantReference(legal_ref="LR-2025-17") if basis is AccessBasis.LEGAL
                     else GrantReference(case_id="SEC-900", category="abuse"))
        grant = self.guard.grants.request(actor=actor, mailbox=mailbox.email, basis=basis,
                                          reference=reference, duration=timedelta(hours=8))
        return str(grant.id)

    def approved_grant(self, requester: str, approver: str, mailbox: Mailbox) -> str:
        """Return the id of a grant ``approver`` approved for ``requester`` on ``mailbox``."""
        grant_id = self.pending_grant(requester, mailbox)
        self.guard.grants.approve(grant_id, actor=self.staff_actor(approver))
        return grant_id


def copy_cookies(source: FlaskClient, target: FlaskClient) -> None:
    """Copy every cookie of ``source`` into ``target`` (same domain and path)."""
    for cookie in list(source._cookies.values()):  # noqa: SLF001 - werkzeug's cookie jar
        target.set_cookie(cookie.key, cookie.value, domain=cookie.domain, path=cookie.path)


def cookie_value(client: FlaskClient, name: str, path: str = "/") -> str | None:
    """Return the value of cookie ``name`` the client holds, or None."""
    cookie = client.get_cookie(name, path=path)
    return cookie.value if cookie is not None else None


def seed_resources(world_app: Flask, mailbox: Mailbox, secret: str, clock: Clock) -> Resources:
    """Deliver the attacked resources into ``mailbox``; return their ids."""
    guard = world_app.extensions["mailguard.guard"]
    actor = Actor(kind=ActorKind.USER, id=mailbox.email)
    subject = OWNER_SUBJECT if secret == OWNER_SECRET else "Their note"
    first = deliver(mailbox, subject=subject, text=f"First: {secret}",
                    message_id=f"<first-{secret}@example.org>")
    reply = deliver(mailbox, subject=f"Re: {subject}", text=f"Reply: {secret}",
                    in_reply_to=f"<first-{secret}@example.org>")
    assert first.thread_id == reply.thread_id
    attached = deliver(mailbox, subject="With a file", text=f"File: {secret}",
                       attachments=(("notes.txt", "text/plain", secret.encode()),))
    html = deliver(mailbox, subject="With a picture", text=secret,
                   html_body=f'<p>{secret}</p><img src="cid:px-{secret}">',
                   inline_png=f"px-{secret}")
    attachment = guard.mail.get_message(actor=actor, mailbox=mailbox.email,
                                        purpose="email.read", message_id=attached.id)
    draft = guard.mail.save_draft(actor=actor, mailbox=mailbox.email, purpose="email.compose",
                                  outgoing=OutgoingMessage(from_=mailbox.email,
                                                           to=("ann@example.org",),
                                                           subject="Unsent",
                                                           text_body=f"Draft: {secret}"))
    # The owner has one label more, so their label's id is unknown in the other mailbox.
    for number in range(2 if secret == OWNER_SECRET else 1):
        label = guard.mail.create_label(actor=actor, mailbox=mailbox.email,
                                        purpose="email.organize",
                                        name=f"Private {number} {secret[:5]}")
    consent = guard.consents.record(actor=actor, grantee="support", message_ids=[first.id],
                                    wording="Qontak support may read this message.",
                                    expires_at=clock() + timedelta(days=3))
    transfer = guard.transfer_consents.record(actor=actor, recipient_id="qontak-crm",
                                              wording="Qontak CRM may receive this.")
    return Resources(thread=first.thread_id, first=first.id, reply=reply.id,
                     with_attachment=attached.id,
                     attachment=attachment.attachments[0].attachment_id,
                     attachment_part=attachment.attachments[0].part_id,
                     html_message=html.id, draft=draft.id, draft_message=draft.message_id,
                     label=label.id, consent=consent.id, transfer_consent=transfer.id)


def build_world(emulator: EmulatorServer, tmp: Any) -> Iterator[World]:
    """Build the deployment described in this module's docstring."""
    clock = Clock(datetime.now(UTC).replace(microsecond=0))
    with CrmDemoServer() as crm:
        app = create_app(app_config(
            emulator, tmp, STAFF_DOMAIN=STAFF_DOMAIN, GUARD_CLOCK=clock,
            TRANSFER_ENDPOINTS={"qontak-crm": crm.transfer_url}))
        guard = attach_people(app.extensions["mailguard.guard"])
        for email, role in STAFF.items():
            guard.staff.add(email, roles=[role], by=ADMIN)
        owner = new_mailbox(emulator, messages=3, name="Owner Person")
        other = new_mailbox(emulator, messages=3, name="Other Person")
        clients: dict[str, FlaskClient] = {}
        for role, box in ((USER, owner), (OTHER, other)):
            clients[role] = app.test_client()
            assert sign_in(clients[role], emulator, box.email).status_code == 302
        for role, email in STAFF_MEMBER.items():
            clients[role] = app.test_client()
            assert staff_sign_in(clients[role], emulator, email).status_code == 302
        mine = seed_resources(app, owner, OWNER_SECRET, clock)
        theirs = seed_resources(app, other, OTHER_SECRET, clock)
        world = World(app=app, clock=clock, emulator=emulator, owner=owner, other=other,
                      mine=mine, theirs=theirs, security_grant="", legal_grant="",
                      inline_path="", clients=clients)
        world.security_grant = world.approved_grant(SECURITY_1, SECURITY_2, owner)
        world.legal_grant = world.approved_grant(LEGAL, LEGAL_2, owner)
        frame = clients[USER].get(f"/u/0/m/{mine.html_message}/frame").get_data(as_text=True)
        found = re.search(r'src="(/u/0/inline/[^"]+)"', frame)
        assert found is not None, frame[:400]
        world.inline_path = found.group(1).replace("&amp;", "&")
        frame = clients["security"].get(f"/staff/grants/{world.security_grant}/m/"
                                      f"{mine.html_message}/frame").get_data(as_text=True)
        found = re.search(r'src="(/staff/inline/[^"]+)"', frame)
        assert found is not None, frame[:400]
        world.staff_inline_path = found.group(1).replace("&amp;", "&")
        try:
            yield world
        finally:
            guard.close()


@pytest.fixture(scope="session")
def world(authz_emulator: EmulatorServer,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """Return the shared deployment (see ``build_world``); leave it as you found it."""
    yield from build_world(authz_emulator, tmp_path_factory.mktemp("authz"))


def page_token(client: FlaskClient, path: str) -> str:
    """Return the CSRF token the page at ``path`` carries for this client's session."""
    page = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf-token" content="([^"]+)"', page)
    assert found is not None, page[:300]
    return found.group(1)


def leaks(answer: Any, *secrets: str) -> list[str]:
    """Return which of ``secrets`` appear in a response's body or Location header."""
    body = answer.get_data(as_text=True) if answer.mimetype.startswith("text") or \
        answer.mimetype.endswith("json") else answer.get_data().decode("latin-1")
    where = body + answer.headers.get("Location", "")
    return [s for s in secrets if s in where]


__all__ = ["PNG_1X1"]
