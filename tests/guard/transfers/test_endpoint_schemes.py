"""Transfers leave over HTTPS; plain HTTP only to this machine's loopback.

Reproduces: an endpoint configured as ``http://crm.example.com/in`` was accepted (by the
settings and by the gate), though its message says http:// is for loopback tests only, so
Gmail data (message content included) would cross the network unencrypted.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fakegmail.server import EmulatorServer
from guard.settings import SettingsError
from guard.transfers import RecipientEndpoint
from tests.guard.mail.conftest import settings_for

REMOTE_HTTP = ["http://crm.example.com/in", "http://10.0.0.5:8080/in", "http://[2001:db8::1]/in",
               "http://127.0.0.1.example.com/in", "http://localhost.example.com/in"]


@pytest.mark.parametrize("url", REMOTE_HTTP)
def test_plain_http_to_another_host_is_refused_by_the_settings(
        emulator: EmulatorServer, tmp_path: Path, url: str) -> None:
    with pytest.raises(SettingsError, match="loopback"):
        settings_for(emulator, tmp_path, transfer_endpoints={"qontak-crm": url})


@pytest.mark.parametrize("url", REMOTE_HTTP)
def test_plain_http_to_another_host_is_refused_by_the_gate(url: str) -> None:
    with pytest.raises(ValueError, match="loopback"):
        RecipientEndpoint(url)


@pytest.mark.parametrize("url", ["https://crm.example.com/in", "http://127.0.0.1:5001/in",
                                 "http://localhost:5001/in", "http://[::1]:5001/in"])
def test_https_anywhere_and_http_on_loopback_are_taken(
        emulator: EmulatorServer, tmp_path: Path, url: str) -> None:
    assert RecipientEndpoint(url).url == url
    settings = settings_for(emulator, tmp_path, transfer_endpoints={"qontak-crm": url})
    assert dict(settings.transfer_endpoints) == {"qontak-crm": url}


def test_an_endpoint_never_shows_its_credentials() -> None:
    # Reproduces: repr() of an endpoint (as a log line or a crash report prints it) showed
    # the headers, where the recipient's bearer token goes.
    endpoint = RecipientEndpoint("https://crm.example.com/in",
                                 headers={"Authorization": "Bearer crm-secret-token"})
    assert "crm-secret-token" not in repr(endpoint)
    assert endpoint.headers == {"Authorization": "Bearer crm-secret-token"}
