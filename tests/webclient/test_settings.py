"""Settings from ``MAILGUARD_*`` variables reach the pages and the guard that use them."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

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
