"""A real web server and the emulator on loopback, driven by Debian's headless Chromium."""

from __future__ import annotations

import itertools
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import Browser, Page, sync_playwright
from werkzeug.serving import make_server

from fakegmail.oauth.blueprint import oauth_registry
from fakegmail.server import EmulatorServer
from guard.vault import generate_key
from tests.conftest import database_url_for
from webclient import create_app
from webclient.config import emulator_oauth_client

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run",
                 "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]
CLIENT_ID = "mailguard-browser-test.apps.googleusercontent.com"
CLIENT_SECRET = "browser-test-secret"  # noqa: S105 - the emulator's test client
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
_numbers = itertools.count(1)


@dataclass
class Site:
    """The running web client and its emulator."""

    url: str
    emulator: EmulatorServer
    app: Any


@contextmanager
def served_site(folder: Path, *, ssl_context: ssl.SSLContext | None = None,
                **config: Any) -> Iterator[Site]:
    """Serve the web client on a loopback port (HTTPS with ``ssl_context``), wired to its
    own emulator; ``config`` overrides the app's test settings."""
    with EmulatorServer() as emulator:
        server = make_server("127.0.0.1", 0, lambda e, s: [], threaded=True,
                             ssl_context=ssl_context)
        scheme = "https" if ssl_context is not None else "http"
        base = f"{scheme}://127.0.0.1:{server.server_port}/"
        oauth_registry(emulator.app).register_client(
            [base + "auth/callback"], client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
        app = create_app({
            "SECRET_KEY": "browser-test-secret-key-0123456789",
            "DATABASE_URL": database_url_for(folder / "mailguard.db"),
            "TOKEN_KEYS": (generate_key(),),
            "AUDIT_HMAC_KEY": b"browser-test-audit-hmac-key-0123",
            "AUDIT_SIGNING_KEY_PATH": str(folder / "audit.key"),
            "OAUTH_CLIENT": emulator_oauth_client(emulator.url, CLIENT_ID, CLIENT_SECRET),
            "GMAIL_ROOT_URL": emulator.url,
            "OAUTH_INSECURE_TRANSPORT": True,  # the emulator itself is plain HTTP
            **config,
        })
        server.app = app
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield Site(url=base, emulator=emulator, app=app)
        finally:
            server.shutdown()
            server.server_close()
            app.extensions["mailguard.guard"].close()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """Serve the web client over plain HTTP on a loopback port, wired to its own emulator."""
    with served_site(tmp_path_factory.mktemp("browser-site"),
                     SESSION_COOKIE_SECURE=False) as served:
        yield served


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Launch Debian's Chromium headless."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@dataclass
class Reader:
    """A browser page signed in to one seeded mailbox, and what it saw go wrong."""

    page: Page
    email: str
    site: Site
    policy_violations: list[str]

    def shot(self, name: str) -> None:
        """Keep a screenshot of the current page."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    @property
    def mailbox(self) -> Any:
        return self.site.emulator.state.account(self.email).mailbox


def seed(site: Site, messages: int = 25) -> str:
    """Create a seeded mailbox; return its address."""
    email = f"reader{next(_numbers)}@qontak-browser.test"
    answer = requests.post(site.emulator.url + "_emulator/seed",
                           json={"email": email, "name": "Rina Wijaya", "messages": messages,
                                 "seed": 3}, timeout=10)
    answer.raise_for_status()
    return email


def sign_in(page: Page, site: Site, email: str) -> None:
    """Sign in through the emulator's Google-like consent page."""
    page.goto(site.url)
    page.get_by_role("link", name="Sign in with Google").click()
    page.wait_for_url(site.emulator.url + "**")
    page.locator(f'input[name="account"][value="{email}"]').check()
    page.get_by_role("button", name="Allow").click()
    page.wait_for_url(site.url + "u/0/f/inbox")


@pytest.fixture
def reader(browser: Browser, site: Site) -> Iterator[Reader]:
    """Return a fresh browser context signed in to a fresh seeded mailbox."""
    context = browser.new_context(accept_downloads=True, locale="en-US",
                                  viewport={"width": 1280, "height": 900})
    page = context.new_page()
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    email = seed(site)
    sign_in(page, site, email)
    yield Reader(page=page, email=email, site=site, policy_violations=violations)
    context.close()
