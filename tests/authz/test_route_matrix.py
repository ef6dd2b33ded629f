"""The route × role matrix: every route of the app, as every role, with the expected answer.

A signed-in principal who is refused (404) must find the refusal in the audit log: an
entry by them, appended by that request, that is a denial or names the id they tried.
No role but the owner (and staff through a consent or grant) ever sees the owner's text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.authz.conftest import (
    ALL_ROLES,
    ANON,
    OTHER,
    OWNER_SECRET,
    OWNER_SUBJECT,
    World,
    leaks,
)
from tests.authz.route_table import ANYWHERE, LOGIN, PROBES, STAFF_LOGIN, Probe

CASES = [pytest.param(probe, role, id=f"{probe.endpoint}-{probe.method}-{role}")
         for probe in PROBES for role in ALL_ROLES]


def test_the_table_covers_every_route_and_method(world: World) -> None:
    served = {(rule.endpoint, method) for rule in world.app.url_map.iter_rules()
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    listed = {(probe.endpoint, probe.method) for probe in PROBES}
    assert served - listed == set(), "routes missing from the matrix"
    assert listed - served == set(), "the matrix lists routes the app does not serve"


def test_the_table_gives_every_role_an_expectation() -> None:
    for probe in PROBES:
        assert set(probe.expect) == set(ALL_ROLES), probe.endpoint


@dataclass(frozen=True, slots=True)
class Call:
    """What was sent (path, and every id the query or form named) and the answer."""

    path: str
    tried: frozenset[str]
    answer: Any


def call(world: World, probe: Probe, role: str) -> Call:
    """Call ``probe`` as ``role`` on a copy of the role's session (or a new one)."""
    path = probe.path(world, role)
    client = world.signed_in_anew(role) if probe.ends_session else world.clone(role)
    ids = {name: getattr(world.mine, name) for name in world.mine.__dataclass_fields__}
    query = {key: value.format(**ids) for key, value in probe.query.items()}
    form = probe.form(world, role, client) if probe.form is not None else {}
    answer = (client.get(path, query_string=query) if probe.method == "GET" else
              client.open(path, method=probe.method, data=form, query_string=query))
    values = [*path.split("/"), *query.values(),
              *(v for k, v in form.items() if k != "csrf_token" and isinstance(v, str))]
    return Call(path=path, tried=frozenset(v for v in values if len(v) > 6), answer=answer)


def matches(expected: str, answer: Any) -> bool:
    """Return whether ``answer`` is what ``expected`` describes."""
    location = answer.headers.get("Location", "")
    if expected == LOGIN:
        return answer.status_code == 302 and location.startswith("/auth/signin")
    if expected == STAFF_LOGIN:
        return answer.status_code == 302 and location.startswith("/staff/signin")
    if expected == ANYWHERE:
        return answer.status_code == 302
    if expected == "302":
        return answer.status_code == 302 and not location.startswith(
            ("/auth/signin", "/staff/signin"))
    return answer.status_code == int(expected)


@pytest.mark.parametrize(("probe", "role"), CASES)
def test_route_answers_each_role_as_the_table_says(world: World, probe: Probe,
                                                   role: str) -> None:
    before = world.last_seq()
    sent = call(world, probe, role)
    if probe.ends_every_session:
        world.sign_in_again(role)
    path, answer = sent.path, sent.answer
    expected = probe.expected(role)
    assert matches(expected, answer), (
        f"{probe.method} {path} as {role}: expected {expected}, got {answer.status_code} "
        f"{answer.headers.get('Location', '')}")
    if role in (ANON, OTHER) or answer.status_code != 200:
        assert leaks(answer, OWNER_SECRET, OWNER_SUBJECT) == []
    if expected == "404" and role != ANON:
        principal = world.principal(role)
        entries = world.entries_since(before, actor_id=principal)
        assert any(e.decision == "deny" or
                   {r.id for r in e.resources} & sent.tried or e.basis_ref in sent.tried
                   for e in entries), (
            f"the refusal of {role} on {path} is not in the audit log: "
            f"{[(e.action, e.decision, e.rule_id) for e in entries]}")
