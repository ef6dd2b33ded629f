"""``mailguard demo`` and ``mailguard serve``: what an operator sees."""

from __future__ import annotations

import json
import re
import stat

import requests
from click.testing import CliRunner

from fakegmail.seed import DEMO_ACCOUNTS
from mailguard.cli import cli
from mailguard.demo import build_demo


def test_demo_serves_the_seeded_accounts_through_the_emulator_sign_in(tmp_path):
    demo = build_demo(tmp_path / "instance", port=0, messages=20).start()
    try:
        session = requests.Session()
        start = session.get(demo.url + "auth/start", allow_redirects=False, timeout=10)
        consent_page = requests.get(start.headers["Location"], timeout=10).text
        for email, _name in DEMO_ACCOUNTS:
            assert email in consent_page
        request_id = re.search(r'name="request_id" value="([^"]+)"', consent_page).group(1)
        back = requests.post(demo.emulator.url + "signin/oauth/consent",
                             data={"request_id": request_id, "account": DEMO_ACCOUNTS[0][0],
                                   "action": "allow"}, allow_redirects=False, timeout=10)
        session.get(back.headers["Location"], timeout=10)
        inbox = session.get(demo.url + "u/0/f/inbox", timeout=10)
        assert inbox.status_code == 200
        assert inbox.text.count("data-open=") > 0
    finally:
        demo.stop()
    keys = tmp_path / "instance" / "demo-keys.json"
    assert stat.S_IMODE(keys.stat().st_mode) == 0o600
    assert set(json.loads(keys.read_text())) == {"secret_key", "token_key", "audit_hmac_key"}


def test_demo_keys_are_made_once_and_reused(tmp_path):
    from mailguard.demo import DemoKeys

    first = DemoKeys.load_or_create(tmp_path / "keys.json")
    assert DemoKeys.load_or_create(tmp_path / "keys.json") == first


def test_serve_without_settings_says_what_to_set(monkeypatch):
    for name in ("MAILGUARD_SECRET_KEY", "MAILGUARD_TOKEN_KEYS", "MAILGUARD_AUDIT_HMAC_KEY",
                 "MAILGUARD_OAUTH_CLIENT_FILE", "MAILGUARD_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    result = CliRunner().invoke(cli, ["serve"])
    assert result.exit_code != 0
    assert "MAILGUARD_SECRET_KEY" in result.output
    assert "MAILGUARD_OAUTH_CLIENT_FILE" in result.output


def test_serve_refuses_an_unreadable_oauth_client_file(monkeypatch, tmp_path):
    monkeypatch.setenv("MAILGUARD_OAUTH_CLIENT_FILE", str(tmp_path / "missing.json"))
    result = CliRunner().invoke(cli, ["serve"])
    assert result.exit_code != 0
    assert "cannot read the OAuth client JSON" in result.output


def test_demo_and_serve_have_help():
    for command in ("demo", "serve"):
        result = CliRunner().invoke(cli, [command, "--help"])
        assert result.exit_code == 0
        assert ("--port" if command == "demo" else "--bind") in result.output
