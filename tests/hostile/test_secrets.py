"""After a full session, no token, key or message content is anywhere the run left traces.

The session signs in, reads the inbox and a conversation, sends a message, shares one
message with support (a consent), and meets error pages (a missing conversation, Gmail
failing). Then everything it produced is searched: captured logs and stderr, every error
page, the audit entries (decoded), the raw bytes of the SQLite files, the session cookie
(signed, not encrypted: the browser can read it) and any other file in the instance and
state folders. Searched for: the OAuth access and refresh tokens, the token keys, the
session secret, the audit HMAC key, the audit signing key, and the subjects and bodies the
session used.
"""

from __future__ import annotations

import base64
import dataclasses
import html
import json
import logging
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.webclient.conftest import (
    app_config,
    control,
    deliver,
    new_mailbox,
    post,
    register_web_client,
    sign_in,
)
from tests.webclient.privacy.conftest import form_fields
from webclient import create_app
from webclient.config import REQUIRED, ConfigError, check_required

READ_SUBJECT = "Kontrak rahasia 7731 untuk PT Sentosa"
READ_BODY = "Nilai kontrak Rp 9.876.543.210 jangan disebarkan"
SENT_SUBJECT = "Balasan rahasia 4412 tentang harga"
SENT_BODY = "Harga akhir kami adalah 5.551.234 per unit"


def _forms(value: str | bytes) -> list[bytes]:
    """Return the ways a secret can appear: raw, hex, base64 (standard and URL-safe)."""
    raw = value.encode() if isinstance(value, str) else value
    forms = [raw, raw.hex().encode(), base64.b64encode(raw).rstrip(b"="),
             base64.urlsafe_b64encode(raw).rstrip(b"=")]
    return [f for f in forms if len(f) >= 12]


def _entries_text(app: Any) -> bytes:
    guard = app.extensions["mailguard.guard"]
    from audit import AuditQuery

    out = []
    for entry in guard.audit.query(AuditQuery()):
        out.append(json.dumps(dataclasses.asdict(entry), default=str))
    return "\n".join(out).encode()


def _session_cookie(client: Any) -> bytes:
    cookie = client.get_cookie("session")
    if cookie is None:
        return b""
    payload = cookie.value.lstrip(".").split(".")[0]
    data = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    if cookie.value.startswith("."):
        import zlib

        data = zlib.decompress(data)
    return data


def run_full_session(tmp_path: Path, caplog: Any, capfd: Any) -> list[str]:
    """Play the session; return where each secret or content was found ("X in Y")."""
    from fakegmail.server import EmulatorServer

    with EmulatorServer() as emulator:
        register_web_client(emulator)
        mailbox = new_mailbox(emulator, messages=10)
        stored = deliver(mailbox, subject=READ_SUBJECT, text=READ_BODY,
                         sender="Pak Dedi <dedi@example.org>")
        config = app_config(emulator, tmp_path)
        app = create_app(config)
        pages: list[bytes] = []
        try:
            client = app.test_client()
            assert sign_in(client, emulator, mailbox.email).status_code == 302
            assert client.get("/u/0/f/inbox").status_code == 200
            thread = client.get(f"/u/0/t/{stored.thread_id}")
            assert READ_SUBJECT in html.unescape(thread.get_data(as_text=True))
            assert client.get(f"/u/0/m/{stored.id}/frame").status_code == 200
            sent = post(client, "/u/0/compose", {"action": "send", "to": "rina@example.org",
                                                 "subject": SENT_SUBJECT, "body": SENT_BODY})
            assert sent.status_code == 302
            share = client.get(f"/u/0/privacy/share/{stored.id}")
            if share.status_code == 200:
                fields = form_fields(share.get_data(as_text=True))
                agreed = post(client, f"/u/0/privacy/share/{stored.id}",
                              {**fields, "agree": "yes"})
                assert agreed.status_code == 302
            # error pages: a missing conversation, Gmail failing, a bad form
            pages.append(client.get("/u/0/t/ffffffffffffffff").get_data())
            control(emulator, "POST", "faults", {"method": "*", "status": 503})
            failing = client.get(f"/u/0/t/{stored.thread_id}?fresh=1")
            pages.append(failing.get_data())
            assert failing.status_code in (502, 503)
            requests.delete(emulator.url + "_emulator/faults", timeout=10)
            pages.append(client.post("/u/0/compose", data={"subject": SENT_SUBJECT}).get_data())
            guard = app.extensions["mailguard.guard"]
            credentials = guard.accounts.credentials_for(mailbox.email)
            secrets = {
                "access token": credentials.token,
                "refresh token": credentials.refresh_token,
                "session secret": config["SECRET_KEY"],
                "audit HMAC key": config["AUDIT_HMAC_KEY"],
                **{f"token key {i}": key for i, key in enumerate(config["TOKEN_KEYS"])},
            }
            signing_key = Path(config["AUDIT_SIGNING_KEY_PATH"]).read_bytes()
            secrets["audit signing key"] = b"".join(
                line for line in signing_key.splitlines() if not line.startswith(b"-----"))
            content = {"subject read": READ_SUBJECT, "body read": READ_BODY,
                       "subject sent": SENT_SUBJECT, "body sent": SENT_BODY}
            audit_bytes = _entries_text(app)
            cookie = _session_cookie(client)
        finally:
            app.extensions["mailguard.guard"].close()
    out, err = capfd.readouterr()
    places: dict[str, bytes] = {
        "logs": "\n".join(f"{r.name} {r.getMessage()} {r.exc_text or ''}"
                          for r in caplog.records).encode(),
        "stdout": out.encode(), "stderr": err.encode(),
        "error pages": b"\n".join(pages),
        "audit entries": audit_bytes,
        "session cookie": cookie,
    }
    for folder in (tmp_path, Path(app.instance_path)):
        for path in folder.rglob("*"):
            if path.is_file() and path != Path(config["AUDIT_SIGNING_KEY_PATH"]):
                places[f"file {path.name}"] = path.read_bytes()
    assert any(name.startswith("file mailguard.db") for name in places)
    assert audit_bytes.count(b"\n") > 5, "the session left too few audit entries to judge"
    return [f"{what} in {where}"
            for what, value in {**secrets, **content}.items() if value
            for where, data in places.items()
            if any(form in data for form in _forms(value))]


#: the consent record keeps the wording the user agreed to, which names the subject
CONSENT_WORDING = {"subject read in file mailguard.db", "subject read in file mailguard.db-wal"}


def test_a_full_session_leaves_no_secret_and_no_content_behind(tmp_path, caplog, capfd):
    caplog.set_level(logging.INFO)
    hits = run_full_session(tmp_path, caplog, capfd)
    assert set(hits) - CONSENT_WORDING == set(), hits


def test_debug_logging_of_the_oauth_exchange_records_no_token(tmp_path, caplog, capfd):
    caplog.set_level(logging.DEBUG)
    hits = run_full_session(tmp_path, caplog, capfd)
    assert not [h for h in hits if h.endswith(" in logs")], hits


def test_the_database_holds_no_subject_after_a_consent(tmp_path, caplog, capfd):
    caplog.set_level(logging.INFO)
    hits = run_full_session(tmp_path, caplog, capfd)
    assert not CONSENT_WORDING & set(hits), hits


def test_the_session_secret_token_keys_and_signing_key_are_separate_settings(tmp_path):
    from fakegmail.server import EmulatorServer

    with EmulatorServer() as emulator:
        config = app_config(emulator, tmp_path)
    assert {"SECRET_KEY", "TOKEN_KEYS", "AUDIT_HMAC_KEY"} <= set(REQUIRED)
    for name in ("SECRET_KEY", "TOKEN_KEYS", "AUDIT_HMAC_KEY"):
        partial = {k: v for k, v in config.items() if k != name}
        with pytest.raises(ConfigError, match="MAILGUARD_" + name):
            check_required(partial)
    from webclient.config import from_environment

    settings = from_environment({
        "MAILGUARD_SECRET_KEY": "s" * 32, "MAILGUARD_TOKEN_KEYS": "t" * 44,
        "MAILGUARD_AUDIT_HMAC_KEY": "ab" * 32, "MAILGUARD_AUDIT_SIGNING_KEY": "/k.pem"})
    assert settings["SECRET_KEY"] == "s" * 32
    assert settings["TOKEN_KEYS"] == ("t" * 44,)
    assert settings["AUDIT_HMAC_KEY"] == b"\xab" * 32
    assert settings["AUDIT_SIGNING_KEY_PATH"] == "/k.pem"
