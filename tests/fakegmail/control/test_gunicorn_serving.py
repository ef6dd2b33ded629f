"""``fake-gmail`` under gunicorn: one worker with threads, faults, graceful stop."""

from __future__ import annotations

import signal
import socket
import subprocess
import threading
from collections.abc import Iterator
from typing import Any

import google.oauth2.credentials
import httplib2
import pytest
import requests
from googleapiclient.discovery import build_from_document

from fakegmail.discovery import document_with_root
from fakegmail.gunicorn_server import EagerKeepAliveWorker, GunicornEmulator, listen
from fakegmail.server import EmulatorServer
from fakegmail.state import EmulatorState
from tests.fakegmail.control.test_cli import start

FULL = "https://mail.google.com/"


def client(url: str, token: str) -> Any:
    return build_from_document(document_with_root(url),
                               credentials=google.oauth2.credentials.Credentials(token))


@pytest.fixture()
def command() -> Iterator[tuple[subprocess.Popen[str], str, str]]:
    process, url, tokens = start("--seed-messages", "3", "--account", "served@example.test")
    yield process, url, tokens["served@example.test"]
    if process.poll() is None:
        process.kill()
        process.wait(timeout=10)


@pytest.fixture(params=["werkzeug", "gunicorn"])
def any_server(request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    """Yield (url, token) of an emulator run in-process (werkzeug) or by the command."""
    if request.param == "werkzeug":
        with EmulatorServer() as server:
            token = requests.post(server.url + "_emulator/accounts", timeout=5, json={
                "email": "served@example.test", "scopes": [FULL]}).json()["access_token"]
            yield server.url, token
        return
    process, url, tokens = start("--seed-messages", "0", "--account", "served@example.test")
    try:
        yield url, tokens["served@example.test"]
    finally:
        process.kill()
        process.wait(timeout=10)


def test_dropped_connection_reaches_the_client_under_either_server(any_server):
    url, token = any_server
    gmail = client(url, token)
    answer = requests.post(url + "_emulator/faults", timeout=5, json={
        "method": "users.getProfile", "drop_connection": True, "count": 3})
    assert answer.status_code in (200, 201)
    with pytest.raises((ConnectionError, httplib2.HttpLib2Error, OSError)):
        gmail.users().getProfile(userId="me").execute()
    assert gmail.users().getProfile(userId="me").execute()["emailAddress"] == (
        "served@example.test")


def test_a_slow_call_does_not_hold_up_others_and_sigterm_lets_it_finish(command):
    process, url, token = command
    rule = requests.post(url + "_emulator/faults", timeout=5, json={
        "method": "users.getProfile", "latency_ms": 1500, "count": 1}).json()
    slow: dict[str, Any] = {}

    def call_slowly() -> None:
        try:
            slow["answer"] = client(url, token).users().getProfile(userId="me").execute()
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            slow["error"] = error

    caller = threading.Thread(target=call_slowly)
    caller.start()
    # A count-limited rule disappears as soon as a call takes it: the slow call is in.
    while any(f["id"] == rule["id"] for f in
              requests.get(url + "_emulator/faults", timeout=5).json()["faults"]):
        assert caller.is_alive()
    labels = client(url, token).users().labels().list(userId="me").execute()
    assert labels["labels"] and caller.is_alive()

    process.send_signal(signal.SIGTERM)
    caller.join(timeout=30)
    assert slow.get("answer", {}).get("emailAddress") == "served@example.test", slow
    assert process.wait(timeout=30) == 0


def test_gunicorn_runs_one_threaded_worker_that_outlasts_the_longest_latency():
    listener = listen("127.0.0.1", 0)
    server = GunicornEmulator(EmulatorState(), listener)
    try:
        assert server.cfg.workers == 1
        assert server.cfg.worker_class is EagerKeepAliveWorker
        assert server.cfg.threads >= 4
        assert server.cfg.timeout > 120  # --latency-ms and fault rules allow 120 s
        assert server.cfg.keepalive >= 30
        assert server.cfg.preload_app
    finally:
        socket.socket(fileno=int(server.cfg.bind[0][5:])).close()


def test_listen_reports_a_busy_port_and_turns_nagle_off():
    first = listen("127.0.0.1", 0)
    try:
        assert first.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        with pytest.raises(OSError):
            listen("127.0.0.1", first.getsockname()[1])
    finally:
        first.close()



def test_keep_alive_requests_one_after_another_and_pipelined_are_all_answered(command):
    process, url, token = command
    host, port = url.split("//")[1].rstrip("/").split(":")
    request = (f"GET /gmail/v1/users/me/profile HTTP/1.1\r\nHost: {host}\r\n"
               f"Authorization: Bearer {token}\r\n\r\n").encode()
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        reader = conn.makefile("rb")

        def answer() -> tuple[int, bytes]:
            status = int(reader.readline().split()[1])
            length = 0
            while (line := reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode("latin-1").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            return status, reader.read(length)

        for _ in range(20):  # one at a time on one connection
            conn.sendall(request)
            status, body = answer()
            assert status == 200 and b"served@example.test" in body
        conn.sendall(request * 3)  # three in one write
        assert [answer()[0] for _ in range(3)] == [200, 200, 200]
