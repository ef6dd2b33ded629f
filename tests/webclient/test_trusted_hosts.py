"""MAILGUARD_TRUSTED_HOSTS: a request naming another host is refused before any link is built.

Without it the OAuth redirect URI (and every absolute link) is built from the Host the
client sent: ``Host: evil.example`` gave ``http://evil.example/auth/callback``.
"""

from __future__ import annotations

from tests.webclient.conftest import app_config
from webclient import create_app
from webclient.config import from_environment


def test_the_setting_comes_from_the_environment():
    settings = from_environment({"MAILGUARD_TRUSTED_HOSTS": " Mail.Qontak.test, , api.test "})
    assert settings["TRUSTED_HOSTS"] == ["mail.qontak.test", "api.test"]


def test_another_host_is_refused_and_the_trusted_one_served(web_emulator, tmp_path):
    app = create_app(app_config(web_emulator, tmp_path, TRUSTED_HOSTS=["mail.qontak.test"]))
    try:
        client = app.test_client()
        evil = client.get("/auth/start", headers={"Host": "evil.example"})
        assert evil.status_code == 400
        assert "evil.example" not in evil.headers.get("Location", "")
        good = client.get("/auth/start", headers={"Host": "mail.qontak.test"})
        assert good.status_code == 302
        assert "redirect_uri=http%3A%2F%2Fmail.qontak.test%2Fauth%2Fcallback" in \
            good.headers["Location"]
    finally:
        app.extensions["mailguard.guard"].close()


def test_behind_a_proxy_the_forwarded_host_is_checked(web_emulator, tmp_path):
    app = create_app(app_config(web_emulator, tmp_path, BEHIND_PROXY=True,
                                TRUSTED_HOSTS=["mail.qontak.test"]))
    try:
        client = app.test_client()
        evil = client.get("/auth/start", headers={"X-Forwarded-Proto": "https",
                                                  "X-Forwarded-Host": "evil.example"})
        assert evil.status_code == 400
        good = client.get("/auth/start", headers={"X-Forwarded-Proto": "https",
                                                  "X-Forwarded-Host": "mail.qontak.test"})
        assert "redirect_uri=https%3A%2F%2Fmail.qontak.test%2Fauth%2Fcallback" in \
            good.headers["Location"]
    finally:
        app.extensions["mailguard.guard"].close()
