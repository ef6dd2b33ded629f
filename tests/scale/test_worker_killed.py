"""A web worker killed mid-request loses no acknowledged audit entry.

The web client runs under one gunicorn arbiter with one worker process; the Gmail emulator
runs as ``mailguard fake-gmail`` in its own process. Client threads, one signed-in user
each, keep opening the inbox and conversations and starring and unstarring messages and
conversations over real HTTP, while the test SIGKILLs the worker (never the arbiter) after
a seeded random number of answers, several times; gunicorn starts a fresh worker each
time. Every answer that came back 2xx/3xx was acknowledged to the user, so the audit entry
recorded for it (same mailbox, action and resource ids) must be in the log afterwards, and
the log must verify as one gap-free sequence.

The web client does not expose its request id to the browser, so acknowledged answers are
matched to entries by mailbox, action and resource ids, counted: a key answered k times
must have at least k allowed entries.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from audit import AuditLog, AuditQuery
from tests.conftest import backend_params
from tests.scale.deployment import (
    TIMEOUT,
    DeploymentProcesses,
    csrf_token,
    gmail,
    sign_in,
)

USERS = [f"killed{n}@qontak-scale.test" for n in range(3)]
SEED = 20240607
KILLS = 3
#: Answers the clients must get between two kills (drawn from this range by the seeded RNG).
ANSWERS_BETWEEN_KILLS = (len(USERS) + 1, 12)
#: Answers after the last kill, so the last fresh worker is proven to serve.
ANSWERS_AFTER_LAST_KILL = len(USERS) + 3
#: Give up on the whole session after this many requests per client.
MAX_REQUESTS_PER_CLIENT = 400


@dataclass(frozen=True, slots=True)
class Site:
    """The running arbiter, where to reach it and what to open the log with."""

    url: str
    emulator: str
    arbiter: subprocess.Popen[bytes]
    database_url: str
    audit_hmac_key: bytes


@dataclass(frozen=True, slots=True)
class Request:
    """One user request and the audit entry an acknowledged answer to it must leave."""

    method: str
    path: str
    form: tuple[tuple[str, str], ...]
    action: str
    resource_kind: str
    resource_id: str


@dataclass(frozen=True, slots=True)
class Answered:
    """A request that was acknowledged (2xx/3xx) to the user ``email``."""

    email: str
    request: Request


@pytest.fixture(params=backend_params())
def site(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Site]:
    """Start the emulator, migrate, start one gunicorn arbiter with one worker; stop after."""
    if request.param == "postgres":
        database_url = str(request.getfixturevalue("postgres_url"))
    else:
        database_url = f"sqlite:///{tmp_path / 'mailguard.db'}"
    running = DeploymentProcesses.start(
        tmp_path, database_url, accounts=USERS, seed_messages=4,
        secret_key="killed-worker-secret-key-0123456789abcdef")
    try:
        yield Site(url=running.web[0], emulator=running.emulator,
                   arbiter=running.arbiters[0], database_url=database_url,
                   audit_hmac_key=running.audit_hmac_key)
    finally:
        running.stop()


def worker_pids(arbiter: int) -> list[int]:
    """Return the live (not zombie) child processes of ``arbiter``, read from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may hold spaces, so split after the last ")".
        state, ppid = stat.rsplit(")", 1)[1].split()[:2]
        if int(ppid) == arbiter and state != "Z":
            found.append(int(entry.name))
    return found


def plan(email: str, emulator: str, rng: random.Random) -> list[Request]:
    """Return a seeded, shuffled round of requests over the user's own conversations."""
    threads = gmail(emulator, email, "threads", labelIds="INBOX", maxResults=10)["threads"]
    requests_: list[Request] = [Request("GET", "u/0/f/inbox", (), "threads.list", "", "")]
    for found in threads:
        thread = gmail(emulator, email, f"threads/{found['id']}", format="minimal")
        message_id = thread["messages"][0]["id"]
        back = f"/u/0/t/{found['id']}"
        requests_.append(Request("GET", back.lstrip("/"), (), "threads.get", "thread",
                                 found["id"]))
        for star in ("star", "unstar"):
            requests_.append(Request("POST", f"u/0/m/{message_id}/act",
                                     (("action", star), ("next", back)), "messages.modify",
                                     "message", message_id))
            requests_.append(Request("POST", "u/0/act",
                                     (("action", star), ("thread_ids", found["id"]),
                                      ("next", "/u/0/f/inbox")),
                                     "threads.modify", "thread", found["id"]))
    rng.shuffle(requests_)
    return requests_


class Session:
    """The shared record of a killing session: answers so far, and when to stop."""

    def __init__(self) -> None:
        self.answered: list[Answered] = []
        self.refused: Counter[int] = Counter()
        self.dropped = 0
        self.stop = threading.Event()
        self._changed = threading.Condition()

    def note(self, email: str, request: Request, status: int | None) -> None:
        """Record one request's fate and wake the killer."""
        with self._changed:
            if status is None:
                self.dropped += 1
            elif 200 <= status < 400:
                self.answered.append(Answered(email, request))
            else:
                self.refused[status] += 1
            self._changed.notify_all()

    def count(self) -> int:
        """Return how many answers have been acknowledged so far."""
        with self._changed:
            return len(self.answered)

    def finish(self) -> None:
        """Tell the clients to stop and wake the killer."""
        with self._changed:
            self.stop.set()
            self._changed.notify_all()

    def wait_for_answers(self, count: int) -> bool:
        """Wait until ``count`` answers have been acknowledged; False if the clients quit."""
        with self._changed:
            return self._changed.wait_for(
                lambda: len(self.answered) >= count or self.stop.is_set(),
                timeout=TIMEOUT) and len(self.answered) >= count


def client(site: Site, email: str, session: requests.Session, token: str,
           requests_: list[Request], record: Session) -> None:
    """Send the user's requests round after round until told to stop."""
    sent = 0
    while not record.stop.is_set() and sent < MAX_REQUESTS_PER_CLIENT:
        request = requests_[sent % len(requests_)]
        sent += 1
        try:
            if request.method == "GET":
                answer = session.get(site.url + request.path, allow_redirects=False,
                                     timeout=TIMEOUT)
            else:
                answer = session.post(site.url + request.path, allow_redirects=False,
                                      timeout=TIMEOUT,
                                      data=[("csrf_token", token), *request.form])
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError):
            # Cut off by a kill before or while the answer arrived: not acknowledged.
            record.note(email, request, None)
            continue
        record.note(email, request, answer.status_code)
    record.finish()


def test_a_killed_worker_loses_no_acknowledged_audit_entry(site: Site) -> None:
    rng = random.Random(SEED)
    sessions = [sign_in(site.url, site.emulator, email) for email in USERS]
    tokens = [csrf_token(s, site.url + "u/0/f/inbox") for s in sessions]
    plans = [plan(email, site.emulator, rng) for email in USERS]
    record = Session()
    clients = [threading.Thread(target=client, args=(site, email, s, t, p, record))
               for email, s, t, p in zip(USERS, sessions, tokens, plans, strict=True)]
    for thread in clients:
        thread.start()
    killed: list[int] = []
    try:
        for _kill in range(KILLS):
            # Counted from the answers so far: each client may still note one answer the
            # killed worker sent, so a draw above len(USERS) needs the fresh worker to serve.
            target = record.count() + rng.randint(*ANSWERS_BETWEEN_KILLS)
            assert record.wait_for_answers(target), "the clients stopped getting answers"
            workers = worker_pids(site.arbiter.pid)
            assert len(workers) == 1, workers
            assert workers[0] not in killed
            os.kill(workers[0], signal.SIGKILL)
            killed.append(workers[0])
        assert record.wait_for_answers(record.count() + ANSWERS_AFTER_LAST_KILL), (
            "no fresh worker answered after the last kill")
    finally:
        record.finish()
        for thread in clients:
            thread.join(timeout=2 * TIMEOUT)
    assert site.arbiter.poll() is None, "the arbiter itself died"
    assert len(killed) == KILLS
    # Requests cut off by a kill were dropped, never answered with a server error.
    assert record.dropped > 0
    assert not record.refused, record.refused

    log = AuditLog.open(site.database_url, hmac_key=site.audit_hmac_key)
    try:
        report = log.verify()
        assert report.ok, report.problems
        entries = list(log.query())
        assert [e.seq for e in entries] == list(range(report.size))
        missing = []
        acknowledged = Counter((a.email, a.request.action, a.request.resource_kind,
                                a.request.resource_id) for a in record.answered)
        for (email, action, kind, resource_id), count in acknowledged.items():
            recorded = [e for e in log.query(AuditQuery(mailbox=email, action=action,
                                                        decision="allow"))
                        if not kind or any(r.kind.value == kind and r.id == resource_id
                                           for r in e.resources)]
            if len(recorded) < count:
                missing.append((action, kind, resource_id, count, len(recorded)))
        assert not missing, missing
    finally:
        log.close()
