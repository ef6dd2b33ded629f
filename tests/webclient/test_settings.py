"""Settings from ``MAILGUARD_*`` variables reach the pages and the guard that use them."""

from __future__ import annotations

import base64
import json
import os
import secrets

import pytest
from click.testing import CliRunner

from audit import AuditEvent
from guard.settings import SettingsError
from guard.vault import generate_key
from mailguard.cli import cli
from tests.webclient.conftest import app_config
from webclient import create_app
from webclient.config import ConfigError, from_environment

CRM_URL = "https://crm.qontak.test/inbound"


@pytest.fixture
def environment(monkeypatch, tmp_path, web_emulator):
    """Set every required variable, as an operator would before ``mailguard serve``."""
    client_file = tmp_path / "client.json"
    client_file.write_text(json.dumps({"web": {"client_id": "id-1", "client_secret": "s-1"}}))
    values = {
        "MAILGUARD_SECRET_KEY": "environment-secret-key-0123456789",
        "MAILGUARD_DATABASE_URL": f"sqlite:///{tmp_path / 'mailguard.db'}",
        "MAILGUARD_TOKEN_KEYS": generate_key(),
        "MAILGUARD_AUDIT_HMAC_KEY": "environment-audit-hmac-key-0123",
        "MAILGUARD_AUDIT_SIGNING_KEY": str(tmp_path / "audit.key"),
        "MAILGUARD_OAUTH_CLIENT_FILE": str(client_file),
        "MAILGUARD_GMAIL_ROOT_URL": web_emulator.url,
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    for name in ("MAILGUARD_STAFF_DOMAIN", "MAILGUARD_TRANSFER_ENDPOINTS",
                 "MAILGUARD_REVIEW_EXPORTED_CHECKPOINT", "MAILGUARD_REVIEW_ALERTS_PATH",
                 "MAILGUARD_REVIEW_WINDOW_DAYS", "MAILGUARD_REVIEW_VERIFY_INLINE_MAX",
                 "MAILGUARD_POLICY_PATH", "MAILGUARD_BEHIND_PROXY"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_staff_review_and_transfer_settings_are_read(tmp_path):
    settings = from_environment({
        "MAILGUARD_STAFF_DOMAIN": " Qontak.com ",
        "MAILGUARD_TRANSFER_ENDPOINTS": f"qontak-crm={CRM_URL}, archive=http://127.0.0.1:9/in",
        "MAILGUARD_REVIEW_EXPORTED_CHECKPOINT": str(tmp_path / "checkpoint.json"),
        "MAILGUARD_REVIEW_ALERTS_PATH": str(tmp_path / "alerts.toml"),
        "MAILGUARD_REVIEW_WINDOW_DAYS": "30",
        "MAILGUARD_REVIEW_VERIFY_INLINE_MAX": "5000",
        "MAILGUARD_GMAIL_CONNECT_TIMEOUT": "2.5",
        "MAILGUARD_GMAIL_READ_TIMEOUT": "30",
    })
    assert settings["STAFF_DOMAIN"] == "qontak.com"
    assert settings["TRANSFER_ENDPOINTS"] == {"qontak-crm": CRM_URL,
                                              "archive": "http://127.0.0.1:9/in"}
    assert settings["REVIEW_EXPORTED_CHECKPOINT"] == str(tmp_path / "checkpoint.json")
    assert settings["REVIEW_ALERTS_PATH"] == str(tmp_path / "alerts.toml")
    assert settings["REVIEW_WINDOW_DAYS"] == 30
    assert settings["REVIEW_VERIFY_INLINE_MAX"] == 5000
    assert settings["GMAIL_CONNECT_TIMEOUT"] == 2.5
    assert settings["GMAIL_READ_TIMEOUT"] == 30.0


@pytest.mark.parametrize(("name", "value", "says"), [
    ("MAILGUARD_TRANSFER_ENDPOINTS", "qontak-crm", "recipient=URL pairs"),
    ("MAILGUARD_TRANSFER_ENDPOINTS", "=https://crm.qontak.test/", "recipient=URL pairs"),
    ("MAILGUARD_TRANSFER_ENDPOINTS", "qontak-crm=ftp://crm.qontak.test/", "https://"),
    ("MAILGUARD_TRANSFER_ENDPOINTS", "qontak-crm=http://crm.qontak.test/in",
     "qontak-crm: plain http:// is only for a recipient on this machine's loopback"),
    ("MAILGUARD_REVIEW_WINDOW_DAYS", "two weeks", "whole number of at least 1"),
    ("MAILGUARD_REVIEW_VERIFY_INLINE_MAX", "0", "whole number of at least 1"),
    ("MAILGUARD_GMAIL_READ_TIMEOUT", "soon", "seconds above 0 and at most 600"),
    ("MAILGUARD_GMAIL_READ_TIMEOUT", "0", "seconds above 0 and at most 600"),
    ("MAILGUARD_GMAIL_CONNECT_TIMEOUT", "-1", "seconds above 0 and at most 600"),
    ("MAILGUARD_GMAIL_CONNECT_TIMEOUT", "nan", "seconds above 0 and at most 600"),
])
def test_malformed_values_are_refused_with_what_to_write(name, value, says):
    with pytest.raises(ConfigError, match=says) as caught:
        from_environment({name: value})
    assert name in str(caught.value)


def test_the_environment_reaches_the_staff_page_the_review_and_the_transfer_gate(
        environment, tmp_path):
    environment.setenv("MAILGUARD_STAFF_DOMAIN", "staff.qontak.test")
    environment.setenv("MAILGUARD_TRANSFER_ENDPOINTS", f"qontak-crm={CRM_URL}")
    environment.setenv("MAILGUARD_REVIEW_WINDOW_DAYS", "3")
    app = create_app()
    try:
        guard = app.extensions["mailguard.guard"]
        assert dict(guard.settings.transfer_endpoints) == {"qontak-crm": CRM_URL}
        assert app.config["REVIEW_WINDOW_DAYS"] == 3
        page = app.test_client().get("/staff/signin").get_data(as_text=True)
        assert "Only accounts of staff.qontak.test registered as staff can sign in." in page
    finally:
        app.extensions["mailguard.guard"].close()


def test_without_a_staff_domain_the_console_says_what_to_set(environment):
    app = create_app()
    try:
        page = app.test_client().get("/staff/signin").get_data(as_text=True)
        assert "set MAILGUARD_STAFF_DOMAIN" in page
    finally:
        app.extensions["mailguard.guard"].close()


def test_an_endpoint_for_a_recipient_the_policy_does_not_list_stops_start_up(
        web_emulator, tmp_path):
    config = app_config(web_emulator, tmp_path,
                        TRANSFER_ENDPOINTS={"ad-network": "https://ads.example.test/in"})
    with pytest.raises(SettingsError, match="ad-network"):
        create_app(config)


def test_serve_stops_with_the_reason_when_an_endpoint_is_malformed(environment):
    environment.setenv("MAILGUARD_TRANSFER_ENDPOINTS", "qontak-crm")
    result = CliRunner().invoke(cli, ["serve"])
    assert result.exit_code != 0
    assert "MAILGUARD_TRANSFER_ENDPOINTS holds recipient=URL pairs" in result.output


def test_serve_stops_with_the_reason_when_an_endpoint_names_an_unlisted_recipient(
        environment):
    environment.setenv("MAILGUARD_TRANSFER_ENDPOINTS", "ad-network=https://ads.example.test/")
    result = CliRunner().invoke(cli, ["serve"])
    assert result.exit_code != 0
    assert "ad-network" in result.output and "policy does not list" in result.output


@pytest.mark.parametrize("key_text", [
    secrets.token_hex(32),
    secrets.token_urlsafe(32),
    base64.b64encode(os.urandom(32)).decode("ascii"),
], ids=["hex", "urlsafe-base64", "base64"])
def test_the_server_and_the_commands_read_the_audit_key_the_same_way(environment, key_text):
    # The README's order: staff are added before the server first starts, then a reviewer
    # searches what the server recorded, all with the same MAILGUARD_AUDIT_HMAC_KEY. The
    # log keeps its key's fingerprint, so a program reading the text differently is
    # refused ("created with a different identifier-hashing key").
    environment.setenv("MAILGUARD_AUDIT_HMAC_KEY", key_text)
    added = CliRunner().invoke(cli, ["staff", "add", "alice@qontak.com", "--role", "security"])
    assert added.exit_code == 0, added.output
    app = create_app()
    try:
        app.extensions["mailguard.guard"].audit.append(AuditEvent(
            actor_kind="user", actor_id="ayu@example.com", mailbox="ayu@example.com",
            action="messages.get", purpose="email.read", decision="allow",
            rule_id="user.own_mailbox", policy_version="test"))
    finally:
        app.extensions["mailguard.guard"].close()
    found = CliRunner().invoke(cli, ["audit", "search", "--mailbox", "Ayu@Example.com",
                                     "--format", "jsonl"])
    assert found.exit_code == 0, found.output
    rows = [json.loads(line) for line in found.output.splitlines() if line.startswith("{")]
    assert [row["action"] for row in rows] == ["messages.get"]


def test_a_hashing_key_that_is_not_hex_or_base64_stops_start_up(environment):
    environment.setenv("MAILGUARD_AUDIT_HMAC_KEY", "correct horse battery staple!")
    with pytest.raises(ConfigError, match="MAILGUARD_AUDIT_HMAC_KEY must be hex or base64"):
        create_app()


def test_the_server_reads_the_policy_and_origin_the_commands_read(environment, tmp_path):
    environment.setenv("MAILGUARD_POLICY", "config/policy.toml")
    environment.setenv("MAILGUARD_AUDIT_ORIGIN", "audit.qontak.test/mailguard")
    settings = from_environment(os.environ)
    assert settings["POLICY_PATH"] == "config/policy.toml"
    app = create_app()
    try:
        assert app.extensions["mailguard.guard"].audit.origin == "audit.qontak.test/mailguard"
    finally:
        app.extensions["mailguard.guard"].close()
    environment.delenv("MAILGUARD_AUDIT_ORIGIN")
    listed = CliRunner().invoke(cli, ["staff", "list"])  # opens the log with its own origin
    assert listed.exit_code == 0, listed.output
    checkpoint = CliRunner().invoke(cli, ["audit", "checkpoint"])
    assert checkpoint.exit_code == 0, checkpoint.output
    assert checkpoint.output.startswith("audit.qontak.test/mailguard\n")
