"""Gmail's Python quickstart against the emulator: ``InstalledAppFlow.run_local_server``.

The quickstart reads ``credentials.json`` (an "installed" client), opens the browser on
the consent page and waits on a loopback port for Google's redirect. Here the "browser"
is a registered ``webbrowser`` controller that presses Allow on the emulator's consent
page and follows the redirect to the waiting server, as a person's browser would; the
flow, its local server and its token exchange are google-auth-oauthlib's own.
"""

from __future__ import annotations

import json
import threading
import webbrowser
from pathlib import Path
from typing import Any

import google.auth.transport.requests
import pytest
import requests
from google_auth_oauthlib.flow import InstalledAppFlow
from googleapiclient.discovery import build_from_document

from fakegmail.discovery import document_with_root
from fakegmail.server import EmulatorServer
from tests.fakegmail.oauth.browser import press
from tests.fakegmail.oauth.conftest import GMAIL_READONLY

BROWSER = "fakegmail-consent"


class ConsentBrowser(webbrowser.BaseBrowser):
    """Presses Allow for ``account`` on the page it is asked to open, then follows the
    redirect to the flow's local server (from a thread: the flow serves it after opening)."""

    def __init__(self, account: str) -> None:
        super().__init__(BROWSER)
        self.account = account
        self.redirects: list[str] = []
        self.failures: list[BaseException] = []

    def open(self, url: str, new: int = 0, autoraise: bool = True) -> bool:
        def visit() -> None:
            try:
                back = press(url, "allow", account=self.account)
                self.redirects.append(back.url)
                requests.get(back.url, timeout=10)
            except BaseException as exc:  # noqa: BLE001 - reported by the test
                self.failures.append(exc)
        threading.Thread(target=visit, daemon=True).start()
        return True


@pytest.fixture
def consent_browser() -> ConsentBrowser:
    browser = ConsentBrowser("alice@example.com")
    webbrowser.register(BROWSER, None, browser)
    return browser


def client_secrets(folder: Path, url: str, client_id: str, secret: str) -> Path:
    """Write ``credentials.json`` as Google Cloud's console downloads it, aimed at ``url``."""
    path = folder / "credentials.json"
    path.write_text(json.dumps({"installed": {
        "client_id": client_id, "project_id": "qontak-quickstart",
        "auth_uri": url + "o/oauth2/auth", "token_uri": url + "token",
        "auth_provider_x509_cert_url": url + "oauth2/v1/certs",
        "client_secret": secret, "redirect_uris": ["http://localhost"]}}))
    return path


def test_the_quickstart_flow_signs_in_on_a_loopback_port_and_reads_gmail(
        emulator: EmulatorServer, consent_browser: ConsentBrowser, tmp_path: Path) -> None:
    registered: Any = requests.post(emulator.url + "_emulator/clients", json={
        "redirect_uris": ["http://localhost"]}, timeout=10).json()
    secrets_file = client_secrets(tmp_path, emulator.url, registered["client_id"],
                                  registered["client_secret"])
    flow = InstalledAppFlow.from_client_secrets_file(str(secrets_file), [GMAIL_READONLY])

    creds = flow.run_local_server(port=0, browser=BROWSER, timeout_seconds=30)

    assert consent_browser.failures == []
    assert consent_browser.redirects[0].startswith("http://localhost:")
    assert creds.valid and creds.refresh_token
    gmail = build_from_document(document_with_root(emulator.url), credentials=creds)
    assert gmail.users().getProfile(userId="me").execute()["emailAddress"] == (
        "alice@example.com")
    first = creds.token
    creds.refresh(google.auth.transport.requests.Request())
    assert creds.token != first
    assert gmail.users().labels().get(userId="me", id="INBOX").execute()["type"] == "system"


def test_a_wrong_client_secret_in_credentials_json_is_refused_at_the_exchange(
        emulator: EmulatorServer, consent_browser: ConsentBrowser, tmp_path: Path) -> None:
    registered: Any = requests.post(emulator.url + "_emulator/clients", json={
        "redirect_uris": ["http://localhost"]}, timeout=10).json()
    secrets_file = client_secrets(tmp_path, emulator.url, registered["client_id"],
                                  "GOCSPX-not-the-secret")
    flow = InstalledAppFlow.from_client_secrets_file(str(secrets_file), [GMAIL_READONLY])

    with pytest.raises(Exception, match="invalid_client"):
        flow.run_local_server(port=0, browser=BROWSER, timeout_seconds=30)
