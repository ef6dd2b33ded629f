"""The fake-gmail command: argument errors in-process, a real run as a subprocess."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from collections.abc import Iterator

import pytest
import requests
from click.testing import CliRunner

from fakegmail.cli import fake_gmail
from fakegmail.seed import DEMO_ACCOUNTS

LAUNCH = "from fakegmail.cli import fake_gmail; fake_gmail()"


@pytest.mark.parametrize(("args", "words"), [
    (["--port", "70000"], "--port"),
    (["--seed-messages", "-3"], "--seed-messages"),
    (["--latency-ms", "fast"], "--latency-ms"),
    (["--account", "not-an-address"], "is not an email address"),
    (["--colour", "red"], "No such option"),
])
def test_bad_arguments_exit_non_zero_with_the_reason(args: list[str], words: str) -> None:
    result = CliRunner().invoke(fake_gmail, args)
    assert result.exit_code == 2
    assert words in result.output


def test_busy_port_is_reported_with_what_to_do() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(fake_gmail, ["--port", str(port)])
    assert result.exit_code == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.output
    assert "--port" in result.output


def test_help_names_every_option() -> None:
    result = CliRunner().invoke(fake_gmail, ["--help"])
    assert result.exit_code == 0
    for option in ("--host", "--port", "--seed-messages", "--account", "--latency-ms"):
        assert option in result.output


def start(*args: str) -> tuple[subprocess.Popen[str], str, dict[str, str]]:
    """Start the command; return the process, its URL and the printed tokens by email."""
    process = subprocess.Popen([sys.executable, "-c", LAUNCH, "--port", "0", *args],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None
    first = process.stdout.readline()
    assert first.startswith("fakegmail listening on http://127.0.0.1:"), first
    url = first.rsplit(" ", 1)[1].strip()
    tokens: dict[str, str] = {}
    count = args.count("--account") or len(DEMO_ACCOUNTS)
    for _ in range(count):
        _, email, _, token = process.stdout.readline().split()
        tokens[email] = token
    return process, url, tokens


@pytest.fixture
def running() -> Iterator[tuple[subprocess.Popen[str], str, dict[str, str]]]:
    process, url, tokens = start("--seed-messages", "7", "--account", "one@example.com",
                                 "--account", "two@example.com")
    yield process, url, tokens
    if process.poll() is None:
        process.kill()
        process.wait(timeout=10)


def test_command_serves_seeded_accounts_and_stops_cleanly_on_sigterm(
        running: tuple[subprocess.Popen[str], str, dict[str, str]]) -> None:
    process, url, tokens = running
    assert set(tokens) == {"one@example.com", "two@example.com"}

    accounts = requests.get(url + "_emulator/accounts", timeout=10).json()["accounts"]
    assert {a["email"]: a["messages_total"] for a in accounts} == {
        "one@example.com": 7, "two@example.com": 7}
    me = requests.get(url + "oauth2/v3/userinfo", timeout=10,
                      headers={"Authorization": f"Bearer {tokens['two@example.com']}"})
    assert me.json()["email"] == "two@example.com"

    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=10) == 0


def test_command_defaults_to_the_demo_accounts_and_stops_on_sigint() -> None:
    process, url, tokens = start("--seed-messages", "0", "--latency-ms", "1")
    try:
        assert sorted(tokens) == sorted(email for email, _ in DEMO_ACCOUNTS)
        faults = requests.get(url + "_emulator/faults", timeout=10).json()["faults"]
        assert [(f["method"], f["latency_ms"]) for f in faults] == [("*", 1)]
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
