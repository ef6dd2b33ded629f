"""Seeding a mailbox through the control API."""

from __future__ import annotations

from flask.testing import FlaskClient

from fakegmail.app import create_app
from fakegmail.state import EmulatorState


def test_seed_creates_the_account_labels_and_messages() -> None:
    state = EmulatorState()
    client: FlaskClient = create_app(state).test_client()

    answer = client.post("/_emulator/seed", json={"email": "ayu@example.com", "messages": 40,
                                                  "seed": 3})

    assert answer.status_code == 200
    body = answer.get_json()
    assert body["email"] == "ayu@example.com"
    assert body["messages_added"] == 40
    assert body["labels_created"] > 0
    mailbox = state.account("ayu@example.com").mailbox
    assert mailbox.profile()["messagesTotal"] == 40
    user_labels = {label["id"] for label in mailbox.list_labels() if label["type"] == "user"}
    assert len(user_labels) == body["labels_created"]
    labelled = [m for m in mailbox.list_messages() if set(m.label_ids) & user_labels]
    assert labelled, "seeded messages carry the created user labels"
    assert not any(i.startswith("user:") for m in mailbox.list_messages(include_spam_trash=True)
                   for i in m.label_ids)


def test_seeding_again_reuses_labels_and_adds_messages() -> None:
    state = EmulatorState()
    client = create_app(state).test_client()
    client.post("/_emulator/seed", json={"email": "b@example.com", "messages": 10})

    again = client.post("/_emulator/seed", json={"email": "b@example.com", "messages": 5,
                                                 "seed": 1}).get_json()

    assert again["messages_added"] == 5
    assert again["labels_created"] == 0
    assert state.account("b@example.com").mailbox.profile()["messagesTotal"] == 15


def test_seed_refuses_bad_counts() -> None:
    client = create_app(EmulatorState()).test_client()
    for body in ({"email": "c@example.com", "messages": -1},
                 {"email": "c@example.com", "messages": "ten"},
                 {"messages": 3}):
        answer = client.post("/_emulator/seed", json=body)
        assert answer.status_code == 400
        assert "must be" in answer.get_json()["error"]["message"]
