"""Google's Node.js client libraries against the emulator, unchanged.

``gmail_client.js`` signs in with google-auth-library (authorization code with PKCE, the
id_token checked against the emulator's certificates, tokeninfo, refresh, revoke) and
drives @googleapis/gmail through a mail session (list, get, modify, labels, batchModify,
send as a media upload and as raw, a draft, history, an attachment, two refusals). This
test presses Allow on the consent page between its two steps and checks what the script
reports against the mailbox, read back through the Python client.

The packages come from ``package-lock.json`` (``make node-deps``, which ``make test`` runs).
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from googleapiclient.discovery import build_from_document

from fakegmail.discovery import GMAIL_SCOPE_FULL, document_with_root
from fakegmail.server import EmulatorServer
from fakegmail.state import EmulatorState
from tests.fakegmail.oauth.browser import press

HERE = Path(__file__).parent
OWNER = "dewi@toko.example"
PEER = "budi@example.org"
CLIENT_ID = "node-crm.apps.googleusercontent.com"
REDIRECT_URI = "http://127.0.0.1:8765/oauth/callback"


def run_node(command: str, config: dict[str, Any]) -> dict[str, Any]:
    """Run one step of ``gmail_client.js`` and return the JSON it printed."""
    node = shutil.which("node")
    if node is None or not (HERE / "node_modules" / "@googleapis" / "gmail").is_dir():
        pytest.fail("Node.js and this folder's packages are needed: run `make node-deps`")
    done = subprocess.run(  # noqa: S603 - a fixed script with a JSON argument
        [node, str(HERE / "gmail_client.js"), command, json.dumps(config)],
        capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    answer: dict[str, Any] = json.loads(done.stdout)
    return answer


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatorServer]:
    state = EmulatorState()
    state.ensure_account(OWNER, "Dewi Lestari")
    with EmulatorServer(state) as server:
        seeded = requests.post(server.url + "_emulator/seed",
                               json={"email": OWNER, "messages": 30, "seed": 7}, timeout=30)
        assert seeded.status_code == 200, seeded.text
        yield server


@pytest.fixture(scope="module")
def report(emulator: EmulatorServer) -> dict[str, Any]:
    """Sign in through the Node libraries and run the session; return what it printed."""
    config = {"emulator": emulator.url, "clientId": CLIENT_ID, "clientSecret": "node-secret",
              "redirectUri": REDIRECT_URI, "to": PEER}
    started = run_node("auth-url", config)
    back = press(started["url"], "allow", account=OWNER)
    assert back.params["state"] == "node-state-1"
    return run_node("session", dict(config, code=back.params["code"],
                                    codeVerifier=started["codeVerifier"]))


@pytest.fixture(scope="module")
def gmail(emulator: EmulatorServer) -> Any:
    """The Python client, to read the mailbox back."""
    from google.oauth2.credentials import Credentials
    token = emulator.state.tokens.mint(OWNER, [GMAIL_SCOPE_FULL]).access_token
    return build_from_document(document_with_root(emulator.url), credentials=Credentials(token))


def test_sign_in_gives_offline_tokens_and_an_id_token_the_library_verifies(report):
    assert report["exchange"]["hasRefreshToken"] is True
    assert report["exchange"]["hasIdToken"] is True
    assert report["idToken"]["email"] == OWNER
    assert report["idToken"]["sub"].isdigit()
    assert "https://www.googleapis.com/auth/gmail.modify" in report["tokenInfo"]["scopes"]
    assert report["tokenInfo"]["email"] == OWNER
    assert report["refreshed"]["changed"] is True


def test_reading_calls_answer_what_the_mailbox_holds(report, gmail):
    inbox = gmail.users().messages().list(userId="me", q="in:inbox", maxResults=3).execute()
    assert report["profile"]["emailAddress"] == OWNER
    assert report["listed"] == [m["id"] for m in inbox["messages"]]
    assert {"From", "To", "Subject", "Date"} <= set(report["firstHeaders"])
    assert report["metadataHeaders"] == ["Subject"]


def test_label_changes_reach_the_mailbox(report, gmail):
    first = gmail.users().messages().get(userId="me", id=report["modified"],
                                         format="minimal").execute()
    label_id = report["label"]["id"]
    assert report["label"]["name"] == "Dari Node"
    assert "STARRED" in first["labelIds"] and "UNREAD" not in first["labelIds"]
    for message_id in report["listed"]:
        labels = gmail.users().messages().get(userId="me", id=message_id,
                                              format="minimal").execute()["labelIds"]
        assert label_id in labels


def test_mail_sent_as_a_media_upload_and_as_raw_is_in_sent_with_its_subject(report, gmail):
    for key, subject in (("sentMedia", "Dari Node: media upload"),
                         ("sentRaw", "Dari Node: raw")):
        message = gmail.users().messages().get(userId="me", id=report[key]["id"],
                                               format="metadata",
                                               metadataHeaders=["Subject", "To"]).execute()
        headers = {h["name"]: h["value"] for h in message["payload"]["headers"]}
        assert "SENT" in message["labelIds"]
        assert (headers["Subject"], headers["To"]) == (subject, PEER)
    assert {report["sentMedia"]["id"], report["sentRaw"]["id"]} <= set(report["historyAdded"])


def test_a_draft_made_from_an_upload_is_listed_as_a_draft(report, gmail):
    draft = gmail.users().drafts().get(userId="me", id=report["draft"]["id"],
                                       format="raw").execute()
    raw = base64.urlsafe_b64decode(draft["message"]["raw"])
    assert b"Subject: Dari Node: draft" in raw
    assert draft["message"]["labelIds"] == ["DRAFT"]


def test_an_attachment_comes_back_whole(report, gmail):
    message = gmail.users().messages().get(userId="me",
                                           id=report["attachment"]["messageId"]).execute()
    sizes = []
    stack = [message["payload"]]
    while stack:
        part = stack.pop()
        stack.extend(part.get("parts", []))
        if part.get("filename") == report["attachment"]["filename"]:
            sizes.append(part["body"]["size"])
    assert report["attachment"]["size"] == report["attachment"]["decoded"]
    assert report["attachment"]["size"] in sizes


def test_refusals_reach_the_node_client_as_gmail_words_them(report):
    missing, bad, revoked = report["missing"], report["badQuery"], report["afterRevoke"]
    assert (missing["status"], missing["reason"], missing["grpcStatus"]) == (
        404, "notFound", "NOT_FOUND")
    assert (bad["status"], bad["reason"], bad["grpcStatus"]) == (
        400, "invalidArgument", "INVALID_ARGUMENT")
    assert (revoked["status"], revoked["grpcStatus"]) == (401, "UNAUTHENTICATED")
