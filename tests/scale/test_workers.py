"""Several web processes on one PostgreSQL keep one truth: log, consents, sends, sessions.

Three gunicorn processes (as three hosts would be) serve the web client on their own
loopback sockets, sharing one PostgreSQL database and one Gmail emulator that runs as
``mailguard fake-gmail`` in its own process. Everything is driven by real HTTP.
"""

from __future__ import annotations

import html
import json
import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from audit import AuditLog, AuditQuery
from audit.checkpoint import load_or_create_signing_key
from guard.policy import Actor, ActorKind
from guard.service import Guard
from guard.settings import GuardSettings, OAuthClient
from guard.vault import generate_key

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
WORKERS = 3
USERS = [f"scale{n}@qontak-scale.test" for n in range(4)]
SUPPORT = "sari.support@qontak.com"
CLIENT_ID = "mailguard-scale.apps.googleusercontent.com"
CLIENT_SECRET = "scale-test-secret"  # noqa: S105 - the emulator's test client
SENDS_PER_USER = 4
TIMEOUT = 30


@dataclass(frozen=True, slots=True)
class Deployment:
    """The running processes and what the test needs to reach them."""

    emulator: str
    workers: tuple[str, ...]
    settings: GuardSettings


def listening_socket() -> socket.socket:
    """Return a bound, listening loopback socket that a child process can inherit."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a child process and its workers (SIGTERM, then SIGKILL after 10 s)."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def deployment(postgres_url: str, tmp_path: Path) -> Iterator[Deployment]:
    """Start the emulator, migrate the database, start the web processes; stop them after."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    emulator = subprocess.Popen(
        [str(BIN / "mailguard"), "fake-gmail", "--port", "0", "--seed-messages", "5",
         *(arg for email in (*USERS, SUPPORT) for arg in ("--account", email))],
        stdout=subprocess.PIPE, stderr=(tmp_path / "emulator.log").open("wb"), env=env)
    processes: list[subprocess.Popen[bytes]] = [emulator]
    try:
        assert emulator.stdout is not None
        first = emulator.stdout.readline().decode()
        assert first.startswith("fakegmail listening on "), first
        emulator_url = first.split()[-1]
        migrated = subprocess.run([str(BIN / "mailguard"), "db", "upgrade", "--db", postgres_url],
                                  capture_output=True, text=True, env=env, timeout=60)
        assert migrated.returncode == 0, migrated.stderr
        assert "upgraded from no revision" in migrated.stdout
        sockets = [listening_socket() for _ in range(WORKERS)]
        workers = tuple(f"http://127.0.0.1:{s.getsockname()[1]}/" for s in sockets)
        requests.post(emulator_url + "_emulator/clients", timeout=TIMEOUT, json={
            "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
            "redirect_uris": [w + path for w in workers
                              for path in ("auth/callback", "staff/callback")]},
                      ).raise_for_status()
        key_file = tmp_path / "audit-signing.key"
        load_or_create_signing_key(key_file)
        shared = {"secret_key": "scale-test-secret-key-0123456789abcdef",
                  "database_url": postgres_url, "token_keys": [generate_key()],
                  "audit_hmac_key": os.urandom(32).hex(), "audit_signing_key": str(key_file),
                  "emulator": emulator_url, "client_id": CLIENT_ID,
                  "client_secret": CLIENT_SECRET, "staff_domain": "qontak.com"}
        site = tmp_path / "site.json"
        site.write_text(json.dumps(shared))
        for sock in sockets:
            processes.append(subprocess.Popen(
                [str(BIN / "gunicorn"), "--bind", f"fd://{sock.fileno()}", "--workers", "1",
                 "--worker-class", "gthread", "--threads", "4", "--timeout", "60",
                 "tests.scale.site:build()"],
                pass_fds=(sock.fileno(),), cwd=ROOT,
                env=dict(env, MAILGUARD_SCALE_SITE=str(site)),
                stdout=subprocess.DEVNULL,
                stderr=(tmp_path / f"worker{len(processes)}.log").open("wb")))
            sock.close()  # the child holds it; requests queue in its backlog until it serves
        settings = GuardSettings(
            database_url=postgres_url, token_keys=tuple(shared["token_keys"]),
            audit_hmac_key=bytes.fromhex(shared["audit_hmac_key"]),
            audit_signing_key_path=str(key_file),
            oauth_client=OAuthClient.for_root(emulator_url, client_id=CLIENT_ID,
                                              client_secret=CLIENT_SECRET),
            gmail_root_url=emulator_url)
        yield Deployment(emulator=emulator_url, workers=workers, settings=settings)
    finally:
        for process in reversed(processes):
            stop(process)


def consent_at_emulator(emulator: str, authorize_url: str, email: str) -> str:
    """Play the user on the emulator's consent page; return the redirect back to us."""
    page = requests.get(authorize_url, timeout=TIMEOUT)
    assert page.status_code == 200, page.text[:300]
    found = re.search(r'name="request_id" value="([^"]+)"', page.text)
    assert found is not None
    answer = requests.post(emulator + "signin/oauth/consent", allow_redirects=False,
                           timeout=TIMEOUT, data={"request_id": html.unescape(found.group(1)),
                                                  "account": email, "action": "allow"})
    assert answer.status_code == 302, answer.text[:300]
    return str(answer.headers["Location"])


def sign_in(worker: str, emulator: str, email: str, start: str = "auth/start"
            ) -> requests.Session:
    """Sign ``email`` in on ``worker`` through the emulator's OAuth page; return the session."""
    session = requests.Session()
    begun = session.get(worker + start, allow_redirects=False, timeout=TIMEOUT)
    assert begun.status_code == 302, begun.text[:300]
    back = consent_at_emulator(emulator, begun.headers["Location"], email)
    assert urlsplit(back).netloc == urlsplit(worker).netloc, back
    done = session.get(back, allow_redirects=False, timeout=TIMEOUT)
    assert done.status_code == 302, done.text[:300]
    return session


def csrf_token(session: requests.Session, page: str) -> str:
    """Return the CSRF token the session's pages carry."""
    text = session.get(page, timeout=TIMEOUT).text
    found = re.search(r'name="csrf-token" content="([^"]+)"', text)
    assert found is not None, text[:300]
    return found.group(1)


def gmail(emulator: str, email: str, path: str, **params: object) -> dict:
    """Read the emulator directly (as Gmail itself would answer) with a fresh token."""
    minted = requests.post(emulator + "_emulator/accounts", json={"email": email},
                           timeout=TIMEOUT)
    minted.raise_for_status()
    answer = requests.get(f"{emulator}gmail/v1/users/me/{path}", params=params,
                          timeout=TIMEOUT,
                          headers={"Authorization": "Bearer " + minted.json()["access_token"]})
    answer.raise_for_status()
    result: dict = answer.json()
    return result


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
