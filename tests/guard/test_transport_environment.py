"""The pooled session reads proxy settings from the environment only when some are set."""

from __future__ import annotations

import os

import pytest
import requests

from guard.transport import CA_BUNDLE_VARIABLES, GmailTransport, pooled_session


@pytest.fixture
def bare_environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """Remove every proxy and CA bundle variable from the environment."""
    for name in list(os.environ):
        if name.lower().endswith("_proxy") or name.upper() in CA_BUNDLE_VARIABLES:
            monkeypatch.delenv(name)
    return monkeypatch


def test_without_proxy_or_ca_variables_the_session_ignores_the_environment(
        bare_environment: pytest.MonkeyPatch) -> None:
    assert pooled_session().trust_env is False
    with GmailTransport(None) as transport:
        assert transport._session.trust_env is False


@pytest.mark.parametrize("name", ["HTTP_PROXY", "https_proxy", "ALL_PROXY", "no_proxy",
                                  "NO_PROXY"])
def test_a_proxy_variable_keeps_the_session_reading_the_environment(
        bare_environment: pytest.MonkeyPatch, name: str) -> None:
    bare_environment.setenv(name, "http://proxy.example:3128" if "no" not in name.lower()
                            else "localhost")
    session = pooled_session()
    assert session.trust_env is True
    if "no" not in name.lower():
        # requests still finds the proxy for Gmail's requests.
        settings = session.merge_environment_settings(
            "https://gmail.googleapis.com/gmail/v1/users/me/profile", {}, None, None, None)
        assert settings["proxies"]


@pytest.mark.parametrize("name", ["REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE"])
def test_a_ca_bundle_variable_is_read_once_into_the_session(
        bare_environment: pytest.MonkeyPatch, name: str, tmp_path) -> None:
    bundle = tmp_path / "ca.pem"
    bundle.write_text("")
    bare_environment.setenv(name, str(bundle))
    session = pooled_session()
    assert session.trust_env is False
    assert session.verify == str(bundle)
    # What requests would have used for Gmail's requests with the environment read:
    settings = session.merge_environment_settings(
        "https://gmail.googleapis.com/gmail/v1/users/me/profile", {}, None, None, None)
    assert settings["verify"] == str(bundle)


def test_requests_own_bundle_when_none_is_named(bare_environment: pytest.MonkeyPatch) -> None:
    assert pooled_session().verify is True


def test_requests_order_decides_between_two_bundles(
        bare_environment: pytest.MonkeyPatch, tmp_path) -> None:
    bare_environment.setenv("CURL_CA_BUNDLE", str(tmp_path / "curl.pem"))
    bare_environment.setenv("REQUESTS_CA_BUNDLE", str(tmp_path / "requests.pem"))
    assert pooled_session().verify == str(tmp_path / "requests.pem")


def test_a_session_given_by_the_caller_is_left_as_it_is(
        bare_environment: pytest.MonkeyPatch) -> None:
    session = requests.Session()
    with GmailTransport(None, session=session):
        pass
    assert session.trust_env is True
