"""A long session of user actions while the emulator fails at random, seeded so it repeats.

The emulator injects 429 (with and without Retry-After), 500, 503, latency and dropped
connections with a probability on every Gmail method. The user reads, opens conversations,
searches, archives, stars, and sends new messages through the web client. At the end, with
the faults cleared, the mailbox matches what the user was told, every sent message is in
Sent once (unique Message-IDs, counted in the emulator), every failure was a page that
says what happened, and the audit log verifies.

``make test`` runs a short session; ``make hostile`` runs sessions with new seeds until
``HOSTILE_SECONDS`` have passed. The seed fixes the user's actions and the fault stream;
pages that load several Gmail calls at once draw from that stream in thread order, so two
runs of one seed meet the same kinds of faults but not always at the same calls.
"""

from __future__ import annotations

import email
import email.policy
import random
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

from fakegmail.faults import FaultInjector
from fakegmail.server import EmulatorServer
from fakegmail.state import EmulatorState
from tests.hostile.conftest import hostile_seconds
from tests.webclient.conftest import (
    Mailbox,
    app_config,
    control,
    new_mailbox,
    post,
    register_web_client,
    sign_in,
)
from webclient import create_app

#: what the user reads when Gmail fails; every failed step must show one of them
FAILURE_TEXTS = ("Gmail is not answering", "Gmail refused the request",
                 "Gmail could not be reached", "cannot be sent")
FAULTS = (
    {"status": 429, "retry_after": 1},
    {"status": 429},
    {"status": 500},
    {"status": 503},
    {"drop_connection": True},
    {"latency_ms": 20},
)


@dataclass
class Session:
    """What the user was told, to compare with the mailbox at the end."""

    archived: set[str] = field(default_factory=set)
    starred: set[str] = field(default_factory=set)
    sent_ok: list[str] = field(default_factory=list)
    sent_failed: list[str] = field(default_factory=list)
    failures: Counter[str] = field(default_factory=Counter)
    steps: int = 0


@pytest.fixture
def faulty_emulator() -> Iterator[EmulatorServer]:
    """Run a private emulator (faults are emulator-wide) whose latency does not sleep."""
    with EmulatorServer(EmulatorState(sleep=lambda _seconds: None)) as server:
        register_web_client(server)
        yield server


def _inject(emulator: EmulatorServer, *, seed: int, probability: float) -> None:
    emulator.state.faults = FaultInjector(sleep=emulator.state.sleep, seed=seed)
    for fault in FAULTS:
        control(emulator, "POST", "faults", {"method": "*", "probability": probability,
                                             **fault})


def _outcome(answer: Any, session: Session, what: str) -> bool:
    """Return True when the step succeeded; check a failure says what happened."""
    assert answer.status_code != 500, f"{what}: a server error"
    if answer.status_code in (200, 302):
        return True
    text = answer.get_data(as_text=True)
    assert answer.status_code in (400, 429, 502, 503), (what, answer.status_code)
    assert any(t in text for t in FAILURE_TEXTS), (what, answer.status_code, text[:400])
    session.failures[f"{what}:{answer.status_code}"] += 1
    return False


def _thread_ids(mailbox: Mailbox) -> list[str]:
    return sorted({m.thread_id for m in mailbox.state.list_messages(label_ids=["INBOX"])})


def _step(client: Any, mailbox: Mailbox, rng: random.Random, session: Session) -> None:
    session.steps += 1
    kind = rng.choice(("inbox", "inbox", "thread", "search", "archive", "star", "send"))
    threads = _thread_ids(mailbox)
    if kind == "inbox":
        _outcome(client.get("/u/0/f/inbox"), session, kind)
    elif kind == "thread" and threads:
        _outcome(client.get(f"/u/0/t/{rng.choice(threads)}"), session, kind)
    elif kind == "search":
        _outcome(client.get("/u/0/search?q=" + rng.choice(("invoice", "is:unread", "from:a"))),
                 session, kind)
    elif kind in ("archive", "star") and threads:
        thread = rng.choice(threads)
        answer = post(client, "/u/0/act", {"action": kind, "thread_ids": thread,
                                           "next": "/u/0/f/inbox"})
        if _outcome(answer, session, kind):
            (session.archived if kind == "archive" else session.starred).add(thread)
    elif kind == "send":
        subject = f"Fault session message {len(session.sent_ok) + len(session.sent_failed)}"
        answer = post(client, "/u/0/compose", {"action": "send", "to": "rina@example.org",
                                               "subject": subject, "body": "Isi pesan."})
        (session.sent_ok if _outcome(answer, session, kind) else session.sent_failed
         ).append(subject)


def _check_end_state(app: Any, mailbox: Mailbox, emulator: EmulatorServer,
                     session: Session) -> None:
    requests.delete(emulator.url + "_emulator/faults", timeout=10).raise_for_status()
    sent = [email.message_from_bytes(m.raw, policy=email.policy.default)
            for m in mailbox.state.list_messages(label_ids=["SENT"])]
    ids = Counter(str(m["Message-ID"]) for m in sent)
    assert all(n == 1 for n in ids.values()), "a message was sent twice"
    subjects = Counter(str(m["Subject"]) for m in sent)
    for subject in session.sent_ok:
        assert subjects[subject] == 1, subject
    for subject in session.sent_failed:
        assert subjects[subject] <= 1, subject
    for thread in session.archived:
        labels = {label for m in mailbox.state.get_thread(thread).messages
                  for label in m.label_ids}
        assert "INBOX" not in labels, thread
    for thread in session.starred:
        labels = {label for m in mailbox.state.get_thread(thread).messages
                  for label in m.label_ids}
        assert "STARRED" in labels, thread
    guard = app.extensions["mailguard.guard"]
    guard.audit.verify().raise_for_problems()


def run_session(emulator: EmulatorServer, tmp_path: Path, *, seed: int, steps: int | None,
                deadline: float | None, probability: float) -> Session:
    """Sign in, inject faults, play seeded steps; check the end state; return the tally."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    mailbox = new_mailbox(emulator, messages=25)
    app = create_app(app_config(emulator, tmp_path))
    try:
        client = app.test_client()
        assert sign_in(client, emulator, mailbox.email).status_code == 302
        _inject(emulator, seed=seed, probability=probability)
        rng = random.Random(seed)
        session = Session()
        while (steps is None or session.steps < steps) and (
                deadline is None or time.monotonic() < deadline):
            _step(client, mailbox, rng, session)
        _check_end_state(app, mailbox, emulator, session)
        return session
    finally:
        app.extensions["mailguard.guard"].close()


def test_a_seeded_session_under_random_faults_ends_consistent(faulty_emulator, tmp_path):
    session = run_session(faulty_emulator, tmp_path, seed=6, steps=60, deadline=None,
                          probability=0.15)
    assert session.steps == 60
    assert session.sent_ok, "the session sent nothing; raise the step count"
    assert sum(session.failures.values()) > 0, "no fault reached the user; the test is idle"


@pytest.mark.hostile_long
def test_long_fault_sessions_within_the_time_budget(faulty_emulator, tmp_path):
    deadline = time.monotonic() + hostile_seconds(0)
    seed, totals = 100, Counter[str]()
    while time.monotonic() < deadline:
        session = run_session(faulty_emulator, tmp_path / str(seed), seed=seed, steps=200,
                              deadline=deadline, probability=0.15)
        totals.update(session.failures)
        totals["steps"] += session.steps
        totals["sent"] += len(session.sent_ok)
        seed += 1
    print(f"fault sessions: {seed - 100} seeds, {dict(totals)}")
    assert totals["steps"] > 0
