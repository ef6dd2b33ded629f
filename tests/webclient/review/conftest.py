"""The review pages against the emulator: staff sign in as in the staff console's tests.

The staff console's fixtures are reused as they are (``web_emulator`` with the staff
callback, ``app`` with the registry filled, ``staff_client``, ``user``, ``clock``).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from audit import AuditEvent, ResourceKind, ResourceRef
from guard import GuardError
from guard.policy import Actor, ActorKind
from tests.webclient.conftest import Mailbox
from tests.webclient.staff.conftest import (  # noqa: F401 - fixtures
    ADMIN,
    LEGAL,
    OPS,
    ROLES,
    SECURITY_1,
    SECURITY_2,
    SUPPORT,
    app,
    clock,
    give_consent,
    guard_of,
    revoke_consent,
    staff_client,
    thread_of_two,
    user,
    web_emulator,
)

REVIEW = "/staff/review/"


def page_csrf(client: FlaskClient, path: str) -> str:
    """Return the CSRF token the page at ``path`` carries."""
    page = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf-token" content="([^"]+)"', page)
    assert found is not None, page[:300]
    return found.group(1)


def text_of(answer: Any) -> str:
    """Return a response's body as text."""
    return str(answer.get_data(as_text=True))


@dataclass(frozen=True, slots=True)
class Scenario:
    """What happened before the reviewer looked: ids to search for."""

    mailbox: str
    consent_id: str
    consented: str
    refused: str
    grant_id: str


@pytest.fixture
def scenario(app: Flask, staff_client: Any, user: Mailbox) -> Scenario:  # noqa: F811
    """Return the ids of a played scenario (see ``play_scenario``)."""
    return play_scenario(app, staff_client, user)


def play_scenario(application: Flask, sign_in_staff: Any, mailbox: Mailbox) -> Scenario:
    """Let a support agent view a consented message and be refused its neighbour; add a
    refused advertising read, a CRM transfer, a refused transfer, and a grant used after a
    revocation attempt (the last three appended as the transfer gate and broker record)."""
    _thread, first, reply = thread_of_two(mailbox)
    consent = give_consent(application, mailbox, [first])
    agent = sign_in_staff(SUPPORT)
    assert agent.get(f"/staff/consented/{consent.id}/m/{first}/frame").status_code == 200
    assert agent.get(f"/staff/consented/{consent.id}/m/{reply}").status_code == 404
    guard = guard_of(application)
    owner = Actor(kind=ActorKind.USER, id=mailbox.email)
    with pytest.raises(GuardError):
        guard.mail.get_message(actor=owner, mailbox=mailbox.email,
                               purpose="advertising.targeting", message_id=first)
    grant = "grt_" + "a" * 24
    crm = (ResourceRef(ResourceKind.RECIPIENT, "qontak-crm"),)
    guard.audit.append_many([
        event(action="transfer.send", mailbox=mailbox.email, purpose="transfer.feature",
              basis="feature", resources=crm, rule_id="transfer.allowed",
              outcome="classes=content,metadata"),
        event(action="transfer.send", mailbox=mailbox.email, purpose="transfer.feature",
              basis="feature", resources=(ResourceRef(ResourceKind.RECIPIENT, "ads-partner"),),
              rule_id="transfer.unlisted_recipient", decision="deny"),
        event(actor_kind="staff", actor_id=SECURITY_2, actor_role="security",
              action="grant.revoke", mailbox=mailbox.email, purpose="security.investigation",
              basis="security", resources=(ResourceRef(ResourceKind.GRANT, grant),),
              rule_id="grant.revoker_not_eligible", decision="deny"),
        event(actor_kind="staff", actor_id=SECURITY_1, actor_role="security",
              action="messages.get", mailbox=mailbox.email, purpose="security.investigation",
              basis="security", basis_ref=grant,
              resources=(ResourceRef(ResourceKind.MESSAGE, reply),
                         ResourceRef(ResourceKind.GRANT, grant)),
              rule_id="grant.allowed", outcome="view"),
    ])
    return Scenario(mailbox=mailbox.email, consent_id=consent.id, consented=first,
                    refused=reply, grant_id=grant)


def event(*, actor_kind: str = "system", actor_id: str = "transfer-gate",
          actor_role: str = "", decision: str = "allow", **fields: Any) -> AuditEvent:
    """Return an audit event as the guard's services record them."""
    return AuditEvent(actor_kind=actor_kind, actor_id=actor_id,  # type: ignore[arg-type]
                      actor_role=actor_role, decision=decision,  # type: ignore[arg-type]
                      policy_version="test", request_id=uuid.uuid4().hex, **fields)
