"""Start what a multi-process deployment runs, as separate processes, and reach it over HTTP.

``DeploymentProcesses.start`` runs ``mailguard fake-gmail`` (its own process), migrates the
database with ``mailguard db upgrade``, registers the web client's OAuth client for every
web process's callbacks, writes the shared settings file ``tests.scale.site`` reads, and
starts gunicorn arbiters on inherited loopback sockets (so requests queue in the backlog
until a worker serves). ``stop`` ends them all, newest first. The helpers below play the
user on the emulator's consent page and read Gmail as the emulator itself answers.
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
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import gunicorn
import requests

from audit.checkpoint import load_or_create_signing_key
from guard.vault import generate_key

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CLIENT_ID = "mailguard-scale.apps.googleusercontent.com"
CLIENT_SECRET = "scale-test-secret"  # noqa: S105 - the emulator's test client
TIMEOUT = 30


#: gunicorn >= 25.1 opens one control socket per OS user: the arbiters started here (and
#: the emulator beside them) must not share it, as `mailguard serve` does not.
NO_CONTROL_SOCKET = ("--no-control-socket",) if gunicorn.version_info >= (25, 1) else ()


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


@dataclass
class DeploymentProcesses:
    """The running emulator and web arbiters, and the settings every process shares."""

    folder: Path
    database_url: str
    emulator: str = ""
    #: One base URL per arbiter, in start order.
    web: tuple[str, ...] = ()
    arbiters: tuple[subprocess.Popen[bytes], ...] = ()
    token_keys: tuple[str, ...] = ()
    signing_key_path: Path | None = None
    audit_hmac_key: bytes = b""
    #: What ``mailguard db upgrade`` printed.
    migration_output: str = ""
    _processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @classmethod
    def start(cls, folder: Path, database_url: str, *, accounts: Sequence[str],
              seed_messages: int, arbiters: int = 1, workers: int = 1, threads: int = 4,
              callbacks: Sequence[str] = ("auth/callback",), secret_key: str
              ) -> DeploymentProcesses:
        """Start everything (see the module docstring); on any failure stop what started."""
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        deployment = cls(folder=folder, database_url=database_url)
        try:
            deployment._start_emulator(accounts, seed_messages, env)
            migrated = subprocess.run([str(BIN / "mailguard"), "db", "upgrade", "--db",
                                       database_url], capture_output=True, text=True,
                                      env=env, timeout=60)
            assert migrated.returncode == 0, migrated.stderr
            deployment.migration_output = migrated.stdout
            sockets = [listening_socket() for _ in range(arbiters)]
            deployment.web = tuple(f"http://127.0.0.1:{s.getsockname()[1]}/" for s in sockets)
            requests.post(deployment.emulator + "_emulator/clients", timeout=TIMEOUT, json={
                "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
                "redirect_uris": [w + path for w in deployment.web for path in callbacks]},
                          ).raise_for_status()
            settings_file = deployment._write_settings(secret_key)
            started = []
            for n, sock in enumerate(sockets):
                started.append(subprocess.Popen(
                    [str(BIN / "gunicorn"), "--bind", f"fd://{sock.fileno()}",
                     "--workers", str(workers), "--worker-class", "gthread",
                     "--threads", str(threads), "--timeout", "60", *NO_CONTROL_SOCKET,
                     "tests.scale.site:build()"],
                    pass_fds=(sock.fileno(),), cwd=ROOT,
                    env=dict(env, MAILGUARD_SCALE_SITE=str(settings_file)),
                    stdout=subprocess.DEVNULL,
                    stderr=(folder / f"gunicorn{n}.log").open("wb")))
                deployment._processes.append(started[-1])
                sock.close()  # the arbiter holds it
            deployment.arbiters = tuple(started)
            return deployment
        except BaseException:
            deployment.stop()
            raise

    def _start_emulator(self, accounts: Sequence[str], seed_messages: int,
                        env: dict[str, str]) -> None:
        process = subprocess.Popen(
            [str(BIN / "mailguard"), "fake-gmail", "--port", "0", "--seed-messages",
             str(seed_messages), *(arg for email in accounts for arg in ("--account", email))],
            stdout=subprocess.PIPE, stderr=(self.folder / "emulator.log").open("wb"), env=env)
        self._processes.append(process)
        assert process.stdout is not None
        first = process.stdout.readline().decode()
        assert first.startswith("fakegmail listening on "), first
        self.emulator = first.split()[-1]

    def _write_settings(self, secret_key: str) -> Path:
        """Write the settings every web process reads (``tests.scale.site``)."""
        self.signing_key_path = self.folder / "audit-signing.key"
        load_or_create_signing_key(self.signing_key_path)
        self.audit_hmac_key = os.urandom(32)
        self.token_keys = (generate_key(),)
        settings_file = self.folder / "site.json"
        settings_file.write_text(json.dumps({
            "secret_key": secret_key, "database_url": self.database_url,
            "token_keys": list(self.token_keys), "audit_hmac_key": self.audit_hmac_key.hex(),
            "audit_signing_key": str(self.signing_key_path), "emulator": self.emulator,
            "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
            "staff_domain": "qontak.com"}))
        return settings_file

    def stop(self) -> None:
        """Stop every process this deployment started, newest first; print their logs' ends.

        pytest shows what a fixture prints only when its test fails, so a failure that the
        servers saw first (a worker that did not boot, one killed on a timeout) says so.
        """
        for process in reversed(self._processes):
            stop(process)
        for log in sorted(self.folder.glob("*.log")):
            tail = log.read_text(errors="replace").splitlines()[-30:]
            print(f"--- the end of {log.name}", *tail, sep="\n")


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
