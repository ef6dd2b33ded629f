"""The web client as deployed, for the load and web-client benchmarks.

``WebStack`` starts the Gmail emulator (``mailguard fake-gmail --port 0``, its own
process), the web client under gunicorn (``webclient.create_app`` with a benchmark
configuration aimed at the emulator, N worker processes with threads, its own process)
on SQLite or on a fresh PostgreSQL database, and signs the seeded owner in through the
emulator's OAuth consent page like a browser would. ``python -m bench._webstack SPEC``
is the gunicorn side; SPEC is the JSON file the stack writes.

Nothing here logs message content; the benchmark mailbox is generated.
"""

from __future__ import annotations

import html
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from bench.emulator import Emulator, start_emulator, stop_emulator

CLIENT_ID = "mailguard-bench.apps.googleusercontent.com"
CLIENT_SECRET = "mailguard-bench-secret"  # noqa: S105 - the emulator's benchmark client
HMAC_KEY = "bench-web-audit-hmac-key-0123456789"
OWNER = "bench@fakegmail.test"


class StackError(RuntimeError):
    """The benchmark stack did not start; the message says which part and why."""


def pg_admin_url() -> str | None:
    """Return the PostgreSQL server URL the benchmarks may create databases on, if any."""
    return os.environ.get("MAILGUARD_BENCH_PG_URL") or os.environ.get("MAILGUARD_TEST_PG_URL")


def free_port() -> int:
    """Return a loopback port that was free a moment ago."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Database:
    """Where the web client keeps its state: an SQLite file or a fresh PostgreSQL database."""

    kind: str
    url: str
    _drop: str | None = None

    @classmethod
    def create(cls, kind: str, folder: Path) -> Database:
        """Return a new empty database of ``kind`` (``sqlite`` or ``postgres``)."""
        if kind == "sqlite":
            return cls(kind, f"sqlite:///{folder / 'mailguard.db'}")
        admin = pg_admin_url()
        if not admin:
            raise StackError("PostgreSQL benchmarks need MAILGUARD_BENCH_PG_URL or "
                             "MAILGUARD_TEST_PG_URL (run under scripts/with-postgres.sh)")
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        name = f"bench_web_{uuid.uuid4().hex[:12]}"
        engine = create_engine(admin, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        finally:
            engine.dispose()
        url = make_url(admin).set(database=name).render_as_string(hide_password=False)
        return cls(kind, url, name)

    def drop(self) -> None:
        """Drop the PostgreSQL database (no-op for SQLite: its folder goes away)."""
        if self._drop is None:
            return
        from sqlalchemy import create_engine, text

        engine = create_engine(str(pg_admin_url()), isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                  "WHERE datname = :n"), {"n": self._drop})
                conn.execute(text(f'DROP DATABASE IF EXISTS "{self._drop}"'))
        finally:
            engine.dispose()


@dataclass
class WebStack:
    """A running emulator and web client; ``close()`` stops both."""

    emulator: Emulator
    database: Database
    folder: Path
    workers: int
    base_url: str = ""
    gmail_root_url: str = ""
    server: subprocess.Popen[bytes] | None = None
    _tmp: tempfile.TemporaryDirectory[str] | None = None
    spec: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def start(cls, *, workers: int, database: str = "sqlite", seeded: int = 200,
              threads: int = 8, gmail_root_url: str | None = None) -> WebStack:
        """Start the emulator and the web client; ``gmail_root_url`` may name a proxy."""
        tmp = tempfile.TemporaryDirectory(prefix="bench-web-")
        folder = Path(tmp.name)
        emulator = start_emulator(seeded)
        stack: WebStack | None = None
        try:
            db = Database.create(database, folder)
            stack = cls(emulator=emulator, database=db, folder=folder, workers=workers,
                        _tmp=tmp)
            port = free_port()
            stack.base_url = f"http://127.0.0.1:{port}"
            stack.gmail_root_url = gmail_root_url or emulator.url
            _control(emulator.url, "POST", "clients",
                     {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
                      "redirect_uris": [stack.base_url + "/auth/callback"]})
            from guard.vault import generate_key

            stack.spec = {
                "bind": f"127.0.0.1:{port}", "workers": workers, "threads": threads,
                "emulator_url": emulator.url, "gmail_root_url": stack.gmail_root_url,
                "database_url": db.url, "secret_key": secrets.token_urlsafe(32),
                "token_key": generate_key(), "audit_hmac_key": HMAC_KEY,
                "signing_key_path": str(folder / "audit-signing.key"),
            }
            spec_path = folder / "spec.json"
            spec_path.write_text(json.dumps(stack.spec))
            log = (folder / "gunicorn.log").open("wb")
            stack.server = subprocess.Popen(
                [sys.executable, "-m", "bench._webstack", str(spec_path)],
                stdout=log, stderr=subprocess.STDOUT, cwd=Path(__file__).resolve().parents[1])
            log.close()
            stack._wait_ready()
            return stack
        except BaseException:
            if stack is not None:
                stack.close()
            else:
                stop_emulator(emulator)
                tmp.cleanup()
            raise

    def _wait_ready(self, timeout: float = 60.0) -> None:
        """Wait until every worker has booted and the server answers."""
        assert self.server is not None
        log = self.folder / "gunicorn.log"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.server.poll() is not None:
                raise StackError("the web server exited while starting: "
                                 + log.read_text(errors="replace")[-2000:])
            booted = log.read_text(errors="replace").count("Booting worker")
            if booted >= self.workers:
                try:
                    if requests.get(self.base_url + "/auth/start", timeout=5,
                                    allow_redirects=False).status_code == 302:
                        return
                except requests.ConnectionError:
                    pass
            time.sleep(0.1)
        raise StackError(f"the web server did not answer within {timeout:.0f} s")

    def worker_pids(self) -> list[int]:
        """Return the process ids of the gunicorn workers."""
        assert self.server is not None
        children = Path(f"/proc/{self.server.pid}/task/{self.server.pid}/children")
        return [int(p) for p in children.read_text().split()]

    def worker_cpu_s(self) -> float:
        """Return the CPU seconds (user and system) the gunicorn workers have used so far."""
        return sum(_cpu_s(pid) for pid in self.worker_pids())

    def emulator_cpu_s(self) -> float:
        """Return the CPU seconds the emulator (its process and all below it) used so far."""
        return sum(_cpu_s(pid) for pid in _process_tree(self.emulator.process.pid))

    def worker_rss_mib(self) -> list[float]:
        """Return each worker's resident memory in MiB."""
        sizes = []
        for pid in self.worker_pids():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes.append(int(line.split()[1]) / 1024)
        return sizes

    def sign_in(self, attempts: int = 3) -> SignedIn:
        """Sign the owner in through the emulator's consent page; return the session.

        Signing in is set-up, not what is measured: a failed attempt is retried.
        """
        for _ in range(attempts - 1):
            try:
                return self._sign_in()
            except StackError:
                continue
        return self._sign_in()

    def _sign_in(self) -> SignedIn:
        session = requests.Session()
        start = session.get(self.base_url + "/auth/start", allow_redirects=False, timeout=30)
        if start.status_code != 302:
            raise StackError(f"/auth/start answered {start.status_code}, expected 302")
        page = requests.get(start.headers["Location"], timeout=30)
        found = re.search(r'name="request_id" value="([^"]+)"', page.text)
        if found is None:
            raise StackError("the emulator's consent page carries no request_id")
        answer = requests.post(self.emulator.url + "signin/oauth/consent",
                               data={"request_id": html.unescape(found.group(1)),
                                     "account": OWNER, "action": "allow"},
                               allow_redirects=False, timeout=30)
        back = session.get(answer.headers["Location"], allow_redirects=False, timeout=60)
        if back.status_code != 302:
            reason = re.sub(r"<[^>]+>|\s+", " ", back.text)[:300]
            raise StackError(f"the OAuth callback answered {back.status_code}, expected 302 "
                             f"({reason})")
        compose = session.get(self.base_url + "/u/0/compose", timeout=60)
        token = re.search(r'name="csrf-token" content="([^"]+)"', compose.text)
        if token is None:
            reason = re.sub(r"<[^>]+>|\s+", " ", compose.text)[:300]
            raise StackError(f"the compose page answered {compose.status_code} without a "
                             f"CSRF token ({reason})")
        # Taken after the compose page: the session that holds the CSRF secret.
        cookie = "; ".join(f"{c.name}={c.value}" for c in session.cookies)
        return SignedIn(session=session, cookie=cookie, csrf_token=token.group(1))

    def control(self, method: str, path: str, body: Any = None) -> Any:
        """Call the emulator's control API."""
        return _control(self.emulator.url, method, path, body)

    def audit_size(self) -> int:
        """Return how many entries the web client's audit log holds."""
        from audit import AuditLog

        log = AuditLog.open(self.database.url, hmac_key=HMAC_KEY.encode("ascii"))
        try:
            return log.size()
        finally:
            log.close()

    def quota_units(self, *, reset: bool = False) -> int:
        """Return the Gmail quota units the emulator charged (then reset its counters)."""
        stats = self.control("DELETE" if reset else "GET", "stats")
        return int(sum(stats.get("quota_units_by_user", {}).values()))

    def verify_audit(self) -> tuple[bool, int]:
        """Verify the web client's audit log; return (ok, entries)."""
        from audit import AuditLog

        log = AuditLog.open(self.database.url, hmac_key=HMAC_KEY.encode("ascii"))
        try:
            return log.verify().ok, log.size()
        finally:
            log.close()

    def close(self) -> None:
        """Stop the web server and the emulator; drop the database."""
        if self.server is not None and self.server.poll() is None:
            self.server.terminate()
            try:
                self.server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.server.kill()
                self.server.wait(timeout=10)
        stop_emulator(self.emulator)
        try:
            self.database.drop()
        finally:
            if self._tmp is not None:
                self._tmp.cleanup()


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A signed-in browser session: its cookies as one header and its CSRF token."""

    session: requests.Session
    cookie: str
    csrf_token: str


def _cpu_s(pid: int) -> float:
    """Return the CPU seconds (user and system) process ``pid`` has used so far (0 if gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    # Fields after the command name, which is in parentheses and may hold spaces.
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def _process_tree(pid: int) -> list[int]:
    """Return ``pid`` and every process below it."""
    found = [pid]
    for children in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            listed = children.read_text().split()
        except OSError:
            continue
        for child in listed:
            found.extend(_process_tree(int(child)))
    return found


def _control(emulator_url: str, method: str, path: str, body: Any = None) -> Any:
    answer = requests.request(method, emulator_url + "_emulator/" + path, json=body, timeout=30)
    answer.raise_for_status()
    return answer.json()


def _app_config(spec: dict[str, Any]) -> dict[str, Any]:
    from webclient.config import emulator_oauth_client

    return {
        "SECRET_KEY": spec["secret_key"],
        "DATABASE_URL": spec["database_url"],
        "TOKEN_KEYS": (spec["token_key"],),
        "AUDIT_HMAC_KEY": spec["audit_hmac_key"].encode("ascii"),
        "AUDIT_SIGNING_KEY_PATH": spec["signing_key_path"],
        "OAUTH_CLIENT": emulator_oauth_client(spec["emulator_url"], CLIENT_ID, CLIENT_SECRET),
        "GMAIL_ROOT_URL": spec["gmail_root_url"],
        "OAUTH_INSECURE_TRANSPORT": True,
        "SESSION_COOKIE_SECURE": False,
    }


def serve(spec: dict[str, Any]) -> None:
    """Run gunicorn (gthread workers) with ``create_app`` built from ``spec``."""
    from gunicorn.app.base import BaseApplication

    from webclient import create_app

    config = _app_config(spec)
    # Create the schema and the signing key once, before the workers race to.
    create_app(config).extensions["mailguard.guard"].close()

    class Server(BaseApplication):
        def load_config(self) -> None:
            for key, value in {"bind": [spec["bind"]], "workers": spec["workers"],
                               "worker_class": "gthread", "threads": spec["threads"],
                               "timeout": 120, "graceful_timeout": 10, "accesslog": None,
                               "loglevel": "info",
                               # gunicorn's default control socket is one per user;
                               # several servers on one host must not share it.
                               "control_socket_disable": True}.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return create_app(config)

    Server().run()


if __name__ == "__main__":
    serve(json.loads(Path(sys.argv[1]).read_text()))
