"""Settings `mailguard serve` reads from the environment: refused when unusable, named.

An operator following the README found a one-character ``MAILGUARD_SECRET_KEY`` accepted
(the README says "long and random"), ``MAILGUARD_BEHIND_PROXY=true`` silently ignored
(only "1" was recognised), and a Desktop ("installed") OAuth client file refused as
having no client_id or client_secret, which it has.
"""

from __future__ import annotations

import json
import re
import secrets
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from mailguard.cli import cli
from webclient.config import ConfigError, check_required, from_environment


def serve_refusal(env: dict[str, str]) -> str:
    """Return the one line ``mailguard serve`` stops with in ``env``."""
    result = CliRunner().invoke(cli, ["serve"], env=env)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    return lines[0]


@pytest.mark.parametrize("value", ["Q", "short-secret", "x" * 31], ids=["1", "12", "31"])
def test_a_short_secret_key_is_refused_saying_how_to_make_one(value: str) -> None:
    with pytest.raises(ConfigError) as caught:
        from_environment({"MAILGUARD_SECRET_KEY": value})
    message = str(caught.value)
    assert "MAILGUARD_SECRET_KEY" in message and "at least 32" in message
    assert "secrets.token_urlsafe" in message
    assert value not in message


def test_serve_stops_on_a_short_secret_key_in_one_line() -> None:
    line = serve_refusal({"MAILGUARD_SECRET_KEY": "changeme"})
    assert line.startswith("Error: MAILGUARD_SECRET_KEY must be at least 32")
    assert "changeme" not in line


@pytest.mark.parametrize("make", [lambda: "x" * 32, lambda: secrets.token_urlsafe(48),
                                  lambda: secrets.token_hex(32)],
                         ids=["32-characters", "token_urlsafe-48", "token_hex-32"])
def test_a_secret_key_of_32_or_more_characters_is_taken(make: Callable[[], str]) -> None:
    value = make()
    assert from_environment({"MAILGUARD_SECRET_KEY": value})["SECRET_KEY"] == value


def test_an_empty_secret_key_is_reported_as_missing_with_the_others() -> None:
    settings = from_environment({"MAILGUARD_SECRET_KEY": ""})
    with pytest.raises(ConfigError, match="MAILGUARD_SECRET_KEY"):
        check_required(settings)


@pytest.mark.parametrize("value", ["1", "true", "True", "TRUE", "yes", "Yes", "on", "ON",
                                   " true "])
def test_behind_proxy_accepts_the_usual_spellings_of_true(value: str) -> None:
    assert from_environment({"MAILGUARD_BEHIND_PROXY": value})["BEHIND_PROXY"] is True


@pytest.mark.parametrize("value", ["0", "false", "False", "no", "NO", "off", "Off"])
def test_behind_proxy_accepts_the_usual_spellings_of_false(value: str) -> None:
    assert from_environment({"MAILGUARD_BEHIND_PROXY": value})["BEHIND_PROXY"] is False


@pytest.mark.parametrize("value", ["2", "y", "enabled", "proxy", "tru"])
def test_behind_proxy_refuses_anything_else_naming_the_variable(value: str) -> None:
    with pytest.raises(ConfigError) as caught:
        from_environment({"MAILGUARD_BEHIND_PROXY": value})
    message = str(caught.value)
    assert message.startswith("MAILGUARD_BEHIND_PROXY must be 1, true, yes or on")
    assert "0, false, no or off" in message


def test_serve_stops_on_a_behind_proxy_it_does_not_understand() -> None:
    line = serve_refusal({"MAILGUARD_BEHIND_PROXY": "enabled"})
    assert line.startswith("Error: MAILGUARD_BEHIND_PROXY must be")


def test_an_unset_or_empty_behind_proxy_leaves_it_off() -> None:
    assert "BEHIND_PROXY" not in from_environment({})
    assert "BEHIND_PROXY" not in from_environment({"MAILGUARD_BEHIND_PROXY": ""})


DESKTOP_CLIENT = {"installed": {
    "client_id": "1234-desktop.apps.googleusercontent.com", "project_id": "qontak-mail",
    "auth_uri": "https://accounts.google.com/o/oauth2/auth",
    "token_uri": "https://oauth2.googleapis.com/token",
    "client_secret": "GOCSPX-desktop-secret", "redirect_uris": ["http://localhost"]}}


def test_a_desktop_oauth_client_is_refused_as_the_wrong_type(tmp_path) -> None:
    path = tmp_path / "client_secret_desktop.json"
    path.write_text(json.dumps(DESKTOP_CLIENT), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        from_environment({"MAILGUARD_OAUTH_CLIENT_FILE": str(path)})
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    assert '"Web application"' in message and "Desktop" in message
    assert "redirect URI" in message and "/auth/callback" in message
    assert "has no client_id" not in message
    assert "GOCSPX-desktop-secret" not in message


def test_serve_stops_on_a_desktop_oauth_client_in_one_line(tmp_path) -> None:
    path = tmp_path / "client_secret_desktop.json"
    path.write_text(json.dumps(DESKTOP_CLIENT), encoding="utf-8")
    line = serve_refusal({"MAILGUARD_OAUTH_CLIENT_FILE": str(path)})
    assert line.startswith(f"Error: {path}: ") and '"Web application"' in line


def test_a_web_application_client_is_still_read(tmp_path) -> None:
    path = tmp_path / "client_secret_web.json"
    path.write_text(json.dumps({"web": dict(DESKTOP_CLIENT["installed"],
                                            client_id="5678-web.apps.googleusercontent.com")}),
                    encoding="utf-8")
    client = from_environment({"MAILGUARD_OAUTH_CLIENT_FILE": str(path)})["OAUTH_CLIENT"]
    assert client.client_id == "5678-web.apps.googleusercontent.com"


def test_the_readme_s_secret_key_command_makes_a_key_serve_accepts() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    line = next(line for line in readme.splitlines()
                if line.startswith("export MAILGUARD_SECRET_KEY="))
    found = re.fullmatch(r"export MAILGUARD_SECRET_KEY=\$\(python3 -c '([^']+)'\)", line)
    assert found, line
    made = subprocess.run([sys.executable, "-c", found.group(1)], capture_output=True,
                          text=True, check=True, timeout=30).stdout.strip()
    assert from_environment({"MAILGUARD_SECRET_KEY": made})["SECRET_KEY"] == made
