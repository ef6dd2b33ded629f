"""A search filter with a value no entry can hold (a misspelt decision, actor kind or
resource kind, a negative limit) is refused by name instead of quietly finding nothing: a
reviewer who asks for decision="denied" must not read the empty answer as "no denials"."""

from __future__ import annotations

import pytest

from audit import AuditError, AuditLog, AuditQuery
from audit.entry import ActorKind, Decision

from .conftest import make_event


@pytest.fixture
def log(db_url, open_log) -> AuditLog:
    opened = open_log(db_url, checkpoint_every=0, checkpoint_seconds=0)
    for n in range(6):
        opened.append(make_event(n))
    return opened


@pytest.mark.parametrize(("field", "value", "allowed"), [
    ("decision", "denied", "allow, deny"),
    ("decision", "DENY", "allow, deny"),
    ("actor_kind", "robot", "user, staff, system"),
    ("resource_kind", "mesage", "message, thread, label"),
])
def test_a_value_no_entry_can_hold_is_refused_by_name(log, field, value, allowed):
    with pytest.raises(AuditError) as caught:
        list(log.query(**{field: value}))
    assert repr(value) in str(caught.value) and field in str(caught.value)
    assert allowed in str(caught.value)
    with pytest.raises(AuditError):
        AuditQuery(**{field: value})


def test_a_negative_limit_is_refused(log):
    with pytest.raises(AuditError, match="limit"):
        list(log.query(limit=-1))


@pytest.mark.parametrize(("criteria", "count"), [
    ({"decision": "deny"}, 2),
    ({"decision": Decision.ALLOW}, 4),
    ({"actor_kind": ActorKind.USER}, 6),
    ({"actor_kind": "staff"}, 0),
    ({"resource_kind": "thread"}, 6),
    ({"limit": 0}, 0),
])
def test_every_value_an_entry_can_hold_is_still_searched(log, criteria, count):
    assert len(list(log.query(**criteria))) == count
