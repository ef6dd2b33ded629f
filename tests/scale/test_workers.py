"""Several web processes on one PostgreSQL keep one truth: log, consents, sends, sessions.

Three gunicorn processes (as three hosts would be) serve the web client on their own
loopback sockets, sharing one PostgreSQL database and one Gmail emulator that runs as
``mailguard fake-gmail`` in its own process. Everything is driven by real HTTP.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from audit import AuditLog, AuditQuery
from guard.policy import Actor, ActorKind
from guard.service import Guard
from guard.settings import GuardSettings, OAuthClient
from tests.scale.deployment import (
    CLIENT_ID,
    CLIENT_SECRET,
    TIMEOUT,
    DeploymentProcesses,
    csrf_token,
    gmail,
    sign_in,
)

pytestmark = pytest.mark.postgres

WORKERS = 3
USERS = [f"scale{n}@qontak-scale.test" for n in range(4)]
SUPPORT = "sari.support@qontak.com"
SENDS_PER_USER = 4


@dataclass(frozen=True, slots=True)
class Deployment:
    """The running processes and what the test needs to reach them."""

    emulator: str
    workers: tuple[str, ...]
    settings: GuardSettings


@pytest.fixture
def deployment(postgres_url: str, tmp_path: Path) -> Iterator[Deployment]:
    """Start the emulator, migrate the database, start the web processes; stop them after."""
    running = DeploymentProcesses.start(
        tmp_path, postgres_url, accounts=(*USERS, SUPPORT), seed_messages=5, arbiters=WORKERS,
        callbacks=("auth/callback", "staff/callback"),
        secret_key="scale-test-secret-key-0123456789abcdef")
    try:
        assert "upgraded from no revision" in running.migration_output
        assert running.signing_key_path is not None
        settings = GuardSettings(
            database_url=postgres_url, token_keys=running.token_keys,
            audit_hmac_key=running.audit_hmac_key,
            audit_signing_key_path=str(running.signing_key_path),
            oauth_client=OAuthClient.for_root(running.emulator, client_id=CLIENT_ID,
                                              client_secret=CLIENT_SECRET),
            gmail_root_url=running.emulator)
        yield Deployment(emulator=running.emulator, workers=running.web, settings=settings)
    finally:
        running.stop()


def sent_message_ids(emulator: str, email: str) -> list[tuple[str, str]]:
    """Return (Message-ID, Subject) of every message in the SENT label of ``email``."""
    listed = gmail(emulator, email, "messages", labelIds="SENT", maxResults=500)
    found = []
    for ref in listed.get("messages", []):
        message = gmail(emulator, email, f"messages/{ref['id']}", format="metadata",
                        metadataHeaders=["Message-ID", "Subject"])
        headers = {h["name"].lower(): h["value"] for h in message["payload"]["headers"]}
        found.append((headers.get("message-id", ""), headers.get("subject", "")))
    return found


def test_three_web_processes_on_one_postgresql_keep_one_truth(deployment: Deployment) -> None:
    workers, emulator = deployment.workers, deployment.emulator
    with ThreadPoolExecutor(max_workers=8) as pool:
        # Each user signs in on a different process, all at once.
        sessions = list(pool.map(lambda n: sign_in(workers[n % WORKERS], emulator, USERS[n]),
                                 range(len(USERS))))

        # A session made by one process is valid on every other: same cookie, any host.
        pages = list(pool.map(lambda w: sessions[0].get(w + "u/0/f/inbox", timeout=TIMEOUT,
                                                        allow_redirects=False), workers))
        assert [p.status_code for p in pages] == [200] * WORKERS
        tokens = [csrf_token(s, workers[(n + 1) % WORKERS] + "u/0/compose")
                  for n, s in enumerate(sessions)]

        # Concurrent sends, each user's spread over all processes: none lost, none twice.
        def send(job: tuple[int, int]) -> int:
            user, k = job
            answer = sessions[user].post(
                workers[(user + k) % WORKERS] + "u/0/compose", allow_redirects=False,
                timeout=TIMEOUT, data={"csrf_token": tokens[user], "action": "send",
                                       "to": "partner@example.org",
                                       "subject": f"scale {user}-{k}", "body": "Hello."})
            return answer.status_code

        jobs = [(u, k) for u in range(len(USERS)) for k in range(SENDS_PER_USER)]
        assert list(pool.map(send, jobs)) == [302] * len(jobs)
        for user, email in enumerate(USERS):
            sent = [(mid, subject) for mid, subject in sent_message_ids(emulator, email)
                    if subject.startswith("scale ")]
            assert sorted(subject for _mid, subject in sent) == sorted(
                f"scale {user}-{k}" for k in range(SENDS_PER_USER))
            assert len({mid for mid, _subject in sent}) == SENDS_PER_USER
            assert all(mid for mid, _subject in sent)

        # A consent recorded on the shared database is honoured by every process, and its
        # withdrawal on one process is refused by every process right after.
        owner = USERS[0]
        inbox = gmail(emulator, owner, "messages", labelIds="INBOX", maxResults=1)
        message_id = inbox["messages"][0]["id"]
        with Guard.open(deployment.settings) as guard:
            guard.staff.add(SUPPORT, roles=["support"],
                            by=Actor(kind=ActorKind.STAFF, id="admin@qontak.com",
                                     role="security"))
            consent = guard.consents.record(
                actor=Actor(kind=ActorKind.USER, id=owner), grantee="support",
                message_ids=[message_id], wording="Qontak support may read this message.",
                expires_at=datetime.now(UTC) + timedelta(days=1))
        agent = sign_in(workers[2], emulator, SUPPORT, start="staff/start")
        path = f"staff/consented/{consent.id}/m/{message_id}/frame"
        views = list(pool.map(lambda w: agent.get(w + path, timeout=TIMEOUT), workers))
        assert [v.status_code for v in views] == [200] * WORKERS
        withdrawn = sessions[0].post(
            workers[1] + f"u/0/privacy/consents/{consent.id}/withdraw", timeout=TIMEOUT,
            data={"csrf_token": tokens[0]}, allow_redirects=False)
        assert withdrawn.status_code == 302, withdrawn.text[:300]
        refused = list(pool.map(lambda w: agent.get(w + path, timeout=TIMEOUT), workers))
        assert [r.status_code for r in refused] == [404] * WORKERS

    # One linear log that verifies, holding every process's decisions.
    log = AuditLog.open(deployment.settings.database_url,
                        hmac_key=deployment.settings.audit_hmac_key)
    try:
        report = log.verify()
        assert report.ok, report.problems
        sends = list(log.query(AuditQuery(action="messages.send", decision="allow")))
        assert len(sends) == len(jobs)
        staff = [(e.decision, e.rule_id) for e in log.query(AuditQuery(actor_kind="staff"))
                 if e.action == "messages.get" and e.outcome in ("view", "refused")]
        assert staff == [("allow", "consent.allowed")] * WORKERS + [
            ("deny", "consent.revoked")] * WORKERS
        assert [e.seq for e in log.query()] == list(range(report.size))
    finally:
        log.close()
