"""``mailguard demo``: the emulator with seeded demo mailboxes and the web client, offline.

Keys are generated into ``instance/demo-keys.json`` on the first run and reused. The
emulator keeps its mailboxes in memory, so the demo database (``instance/demo.db``) is
started afresh on every run: tokens of a previous run's emulator would be meaningless.
One demo at a time holds the instance folder (``demo.lock``), and a demo binds its port
before it deletes anything, so a second one cannot wipe the database of a running one.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from mailguard.command_path import mailguard_command
from mailguard.instance_lock import InstanceInUse, InstanceLock

DEMO_CLIENT_ID = "mailguard-demo.apps.googleusercontent.com"
DEMO_CLIENT_SECRET = "mailguard-demo-secret"  # noqa: S105 - the emulator's demo client

#: Qontak's staff sign in with accounts of this domain (distinct from the mail users').
DEMO_STAFF_DOMAIN = "staff.qontak-demo.test"


@dataclass(frozen=True, slots=True)
class DemoStaffMember:
    """A staff account of the demo: an emulator account and a role in the staff registry."""

    email: str
    name: str
    role: str


DEMO_STAFF: tuple[DemoStaffMember, ...] = (
    DemoStaffMember(f"sari.support@{DEMO_STAFF_DOMAIN}", "Sari Wulandari", "support"),
    DemoStaffMember(f"bayu.security@{DEMO_STAFF_DOMAIN}", "Bayu Pratama", "security"),
    DemoStaffMember(f"dewi.security@{DEMO_STAFF_DOMAIN}", "Dewi Kusuma", "security"),
    DemoStaffMember(f"lukas.legal@{DEMO_STAFF_DOMAIN}", "Lukas Hutapea", "legal"),
    DemoStaffMember(f"oki.ops@{DEMO_STAFF_DOMAIN}", "Oki Saputra", "ops"),
)
"""The demo's staff: a support agent, two security members (for two-person approval), a
legal officer and an operations analyst."""

#: Who the demo's staff registry records as having added the demo staff.
DEMO_OPERATOR_ID = "mailguard-demo"


@dataclass(frozen=True, slots=True)
class DemoKeys:
    """The demo's secrets, kept in the instance folder."""

    secret_key: str
    token_key: str
    audit_hmac_key: str

    @classmethod
    def load_or_create(cls, path: Path) -> DemoKeys:
        """Read the keys from ``path``, or generate and save them (mode 0600)."""
        if path.exists():
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(**{name: str(data[name]) for name in cls.__dataclass_fields__})
        from guard.vault import generate_key

        keys = cls(secret_key=secrets.token_urlsafe(48), token_key=generate_key(),
                   audit_hmac_key=secrets.token_urlsafe(32))
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump({name: getattr(keys, name) for name in cls.__dataclass_fields__}, handle)
        return keys


@dataclass
class Demo:
    """A running demo: the emulator, the web client's server and their URLs."""

    emulator: Any
    web: Any
    url: str
    app: Any
    _thread: threading.Thread | None = None
    crm: Any = None
    instance: Path | None = None
    lock: InstanceLock | None = None

    def start(self) -> Demo:
        """Serve the web client in a background thread."""
        self._thread = threading.Thread(target=self.web.serve_forever, daemon=True,
                                        name="mailguard-demo-web")
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop the web client and the emulator."""
        self.web.shutdown()
        self.web.server_close()
        self.app.extensions["mailguard.guard"].close()
        self.emulator.stop()
        if self.crm is not None:
            self.crm.stop()
        if self.lock is not None:
            self.lock.release()


def seed_demo_accounts(emulator: Any, messages: int) -> None:
    """Create the demo accounts with ``messages`` generated messages each."""
    from fakegmail.control import fill_mailbox
    from fakegmail.seed import DEMO_ACCOUNTS, generate_mailbox

    state = emulator.state
    for number, (email, name) in enumerate(DEMO_ACCOUNTS):
        account = state.ensure_account(email, name)
        fill_mailbox(account, generate_mailbox(email, name, messages, seed=number,
                                               now=state.clock()))


def add_demo_staff(emulator: Any, guard: Any) -> None:
    """Create the demo staff's emulator accounts and register their roles with the guard."""
    from guard.policy import Actor, ActorKind

    operator = Actor(kind=ActorKind.SYSTEM, id=DEMO_OPERATOR_ID)
    for member in DEMO_STAFF:
        emulator.state.ensure_account(member.email, member.name)
        guard.staff.add(member.email, roles=[member.role], by=operator)


def build_demo(instance: Path, *, host: str = "127.0.0.1", port: int = 8000,
               emulator_port: int = 0, messages: int = 200) -> Demo:
    """Start the seeded emulator and the demo CRM; build (not yet serve) the web client."""
    from werkzeug.serving import make_server

    from audit.key_settings import hmac_key_from_text
    from fakegmail.oauth.blueprint import oauth_registry
    from fakegmail.server import EmulatorServer
    from mailguard.crm_demo import CrmDemoServer
    from mailguard.request_log import PathOnlyRequestLog
    from webclient import create_app
    from webclient.config import emulator_oauth_client

    # Nothing is deleted until this demo holds the folder and its port: a second demo on
    # the same folder, or on a port in use, stops before touching the running one's files.
    lock = InstanceLock.acquire(instance)
    emulator: Any = None
    crm: Any = None
    web: Any = None
    app: Any = None
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.create_server((host, port), family=family) as listener:
            # the server takes its own copy of the socket
            web = make_server(host, port, _placeholder_app, threaded=True,
                              fd=listener.fileno(), request_handler=PathOnlyRequestLog)
        actual_port = web.port
        keys = DemoKeys.load_or_create(instance / "demo-keys.json")
        emulator = EmulatorServer(host="127.0.0.1", port=emulator_port).start()
        crm = CrmDemoServer().start()
        database = instance / "demo.db"
        for stale in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
            stale.unlink(missing_ok=True)
        seed_demo_accounts(emulator, messages)
        origins = {f"http://{host}:{actual_port}", f"http://localhost:{actual_port}",
                   f"http://127.0.0.1:{actual_port}"}
        # One OAuth client for both sign-ins, as in production: Gmail users at /auth,
        # staff (OpenID Connect, restricted to the staff domain) at /staff.
        oauth_registry(emulator.app).register_client(
            sorted(f"{origin}/{area}/callback" for origin in origins
                   for area in ("auth", "staff")),
            client_id=DEMO_CLIENT_ID, client_secret=DEMO_CLIENT_SECRET)
        config = {
            "SECRET_KEY": keys.secret_key,
            "DATABASE_URL": f"sqlite:///{database}",
            "TOKEN_KEYS": (keys.token_key,),
            # decoded as MAILGUARD_AUDIT_HMAC_KEY is, so `mailguard audit search` can be
            # given the same text (see banner)
            "AUDIT_HMAC_KEY": hmac_key_from_text(keys.audit_hmac_key),
            "AUDIT_SIGNING_KEY_PATH": str(instance / "demo-audit-signing.key"),
            "OAUTH_CLIENT": emulator_oauth_client(emulator.url, DEMO_CLIENT_ID,
                                                  DEMO_CLIENT_SECRET),
            "GMAIL_ROOT_URL": emulator.url,
            "OAUTH_INSECURE_TRANSPORT": True,
            "SESSION_COOKIE_SECURE": False,
            "STAFF_DOMAIN": DEMO_STAFF_DOMAIN,
            # The demo CRM on loopback is where "log this conversation to Qontak CRM" goes.
            "TRANSFER_ENDPOINTS": {"qontak-crm": crm.transfer_url},
        }
        app = create_app(config)
        add_demo_staff(emulator, app.extensions["mailguard.guard"])
        web.app = app
    except BaseException:
        if app is not None:
            app.extensions["mailguard.guard"].close()
        if web is not None:
            web.server_close()
        if emulator is not None:
            emulator.stop()
        if crm is not None:
            crm.stop()
        lock.release()
        raise
    return Demo(emulator=emulator, web=web, url=f"http://{host}:{actual_port}/", app=app,
                crm=crm, instance=instance, lock=lock)


def banner(running: Demo) -> list[str]:
    """Return what ``mailguard demo`` prints: where to go and which accounts to choose."""
    from fakegmail.seed import DEMO_ACCOUNTS

    lines = [f"MailGuard demo: open {running.url}",
             f"Gmail emulator (Google's stand-in): {running.emulator.url}",
             f"Demo Qontak CRM (what \"Log to Qontak CRM\" sent): {running.crm.url}",
             "Demo accounts (choose one on the emulator's sign-in page):"]
    lines += [f"  {name} <{email}>" for email, name in DEMO_ACCOUNTS]
    lines += [f"Staff console: open {running.url}staff/ "
              f"(security review: {running.url}staff/review/)",
              "Staff accounts (choose one on the emulator's sign-in page):"]
    width = max(len(f"{m.name} <{m.email}>") for m in DEMO_STAFF)
    lines += [f"  {f'{m.name} <{m.email}>':<{width}}  {m.role}" for m in DEMO_STAFF]
    if running.instance is not None:
        folder = running.instance
        lines += ["Audit log from a shell (search and export also need "
                  f"MAILGUARD_AUDIT_HMAC_KEY: audit_hmac_key in {folder / 'demo-keys.json'}):",
                  f"  MAILGUARD_DATABASE_URL=sqlite:///{folder / 'demo.db'} "
                  f"MAILGUARD_AUDIT_SIGNING_KEY={folder / 'demo-audit-signing.key'} "
                  f"{mailguard_command()} audit verify"]
    return lines


def _placeholder_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
    return [b"starting\n"]


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address the web client listens on.")
@click.option("--port", default=8000, show_default=True, type=int,
              help="Port of the web client (0 picks a free one).")
@click.option("--emulator-port", default=0, show_default=True, type=int,
              help="Port of the Gmail emulator (0 picks a free one).")
@click.option("--seed-messages", default=200, show_default=True, type=click.IntRange(0, 5000),
              help="Generated messages per demo mailbox.")
@click.option("--instance", default="instance", show_default=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the demo's keys and database.")
def demo(host: str, port: int, emulator_port: int, seed_messages: int,
         instance: Path) -> None:
    """Run the web client against the Gmail emulator with seeded demo mailboxes (no network).

    The staff console (/staff/) and the security review (/staff/review/) work too: the
    demo's staff accounts sign in on the emulator's page like the mail users.
    """
    try:
        running = build_demo(instance, host=host, port=port, emulator_port=emulator_port,
                             messages=seed_messages)
    except InstanceInUse as error:
        raise click.ClickException(str(error)) from None
    except OSError as error:
        reason = os.strerror(error.errno) if error.errno else str(error)
        raise click.ClickException(f"cannot listen on {host}:{port} ({reason}); "
                                   f"choose another --port") from None
    for line in banner(running):
        click.echo(line)
    click.echo("Press Ctrl+C to stop.")
    try:
        running.web.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        running.web.server_close()
        running.app.extensions["mailguard.guard"].close()
        running.emulator.stop()
        running.crm.stop()
        if running.lock is not None:
            running.lock.release()
