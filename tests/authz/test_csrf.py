"""CSRF on every state-changing route: without a token, or with another session's, refused.

The routes come from the app's url_map (every POST, PUT, PATCH and DELETE), each called
by a role the route table lets in, so the only thing wrong with the request is the token.
A refusal is a 400 that changes nothing: no audit entry (the guard was never asked), the
session cookie as it was, and the caller still signed in.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.authz.conftest import ANON, OTHER, USER, World, page_token
from tests.authz.route_table import LOGIN, PROBES, STAFF_LOGIN, Probe

CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: Roles tried in order; the first one the table lets in calls the route.
PREFERENCE = (USER, "security", "legal", "ops", "support", OTHER, ANON)


def admitted(probe: Probe) -> str:
    """Return the first role that the route table lets through ``probe``."""
    for role in PREFERENCE:
        if probe.expected(role) not in ("404", LOGIN, STAFF_LOGIN):
            return role
    raise AssertionError(f"nobody may call {probe.endpoint}")


STATE_CHANGING = [pytest.param(p, id=p.endpoint) for p in PROBES if p.method in CHANGING]


def test_every_state_changing_route_is_tried(world: World) -> None:
    served = {rule.endpoint for rule in world.app.url_map.iter_rules()
              if rule.methods & CHANGING}
    assert served == {p.values[0].endpoint for p in STATE_CHANGING}


def contents(client: Any) -> list[tuple[str, str]]:
    """Return the client's cookies with their signed payloads (re-signing moves the time)."""
    return sorted((c.key, c.value.rsplit(".", 2)[0])
                  for c in client._cookies.values())  # noqa: SLF001 - werkzeug's jar


def attempt(world: World, probe: Probe, token: str | None) -> tuple[str, Any, Any]:
    """POST ``probe`` as its admitted role with ``token``; return role, answer, cookie jar."""
    role = admitted(probe)
    path = probe.path(world, role)
    client = world.clone(role)
    form = probe.form(world, role, client) if probe.form is not None else {}
    form.pop("csrf_token", None)
    if token is not None:
        form["csrf_token"] = token
    cookies = contents(client)
    before = world.last_seq()
    answer = client.open(path, method=probe.method, data=form)
    assert answer.status_code == 400, (role, path, answer.status_code)
    assert "not sent from a current MailGuard page" in answer.get_data(as_text=True)
    assert world.entries_since(before) == []
    assert contents(client) == cookies
    return role, answer, client


def still_signed_in(role: str, client: Any) -> None:
    """Assert the role's session still works after the refused post."""
    if role in (USER, OTHER):
        assert client.get("/auth/accounts").status_code == 200
    elif role != ANON:
        assert client.get("/staff/").status_code == 302
        assert not client.get("/staff/").headers["Location"].startswith("/staff/signin")


@pytest.mark.parametrize("probe", STATE_CHANGING)
def test_a_post_without_a_token_is_refused_and_changes_nothing(world: World,
                                                               probe: Probe) -> None:
    role, _answer, client = attempt(world, probe, None)
    still_signed_in(role, client)


@pytest.mark.parametrize("probe", STATE_CHANGING)
def test_a_post_with_another_sessions_token_is_refused_and_changes_nothing(
        world: World, probe: Probe) -> None:
    foreign = page_token(world.app.test_client(), "/auth/signin")
    role, _answer, client = attempt(world, probe, foreign)
    still_signed_in(role, client)


@pytest.mark.parametrize("probe", STATE_CHANGING)
def test_a_post_with_a_forged_token_is_refused(world: World, probe: Probe) -> None:
    attempt(world, probe, "IjAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAi.AAAAAA.AAAA")
