"""Events given as mappings, and content-bearing fields refused by name in every form."""

from __future__ import annotations

from dataclasses import asdict

import pytest

from audit import AuditEvent, ForbiddenField

from .conftest import make_event


def _fields(n: int) -> dict[str, object]:
    data = asdict(make_event(n))
    data["actor_kind"] = str(data["actor_kind"])
    data["decision"] = str(data["decision"])
    data["resources"] = [{"kind": str(r["kind"]), "id": r["id"]} for r in data["resources"]]
    return data


@pytest.mark.parametrize("name", ["subject", "body", "snippet", "access_token", "Subject",
                                  "message_body", "from"])
def test_the_constructor_names_a_content_field_it_refuses(name):
    with pytest.raises(ForbiddenField, match=repr(name)):
        AuditEvent(actor_kind="user", actor_id="a@example.com", action="messages.get",
                   purpose="email.read", decision="allow", **{name: "x"})


def test_the_constructor_names_an_unknown_field():
    with pytest.raises(ForbiddenField, match="unknown field"):
        AuditEvent(actor_kind="user", actor_id="a@example.com", action="messages.get",
                   purpose="email.read", decision="allow", colour="blue")


def test_a_mapping_is_appended_like_the_event_it_describes(db_url, open_log):
    log = open_log(db_url)
    from_mapping = log.append(_fields(1))
    from_event = log.append(make_event(2))
    assert (from_mapping.seq, from_event.seq) == (0, 1)
    stored = log.get(0)
    assert stored is not None and stored.action == make_event(1).action
    assert stored.resources == make_event(1).resources
    assert log.verify().ok


def test_a_mapping_with_a_content_field_records_nothing(db_url, open_log):
    log = open_log(db_url)
    log.append(make_event(0))
    with pytest.raises(ForbiddenField, match="'subject'"):
        log.append({**_fields(1), "subject": "Quarterly numbers"})
    with pytest.raises(ForbiddenField):
        log.append_many([_fields(2), {**_fields(3), "body": "hello"}])
    assert log.size() == 1
