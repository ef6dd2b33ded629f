"""How fast the Gmail emulator answers the real client library.

``messages.get(format=metadata)`` per second through google-api-python-client with its
default httplib2 transport, on one thread and on four threads (each with its own service,
as httplib2 is not thread-safe), over a seeded mailbox; and one 50-message batch: its time
and the HTTP round trips it took, counted at the client's transport. The gets are measured
twice: with the server on a thread of the benchmark's own process (as the pytest fixtures
run it; client and server then share one interpreter lock) and with the server started by
the ``fake-gmail`` command in its own process.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from typing import Any

import httplib2
from google.oauth2.credentials import Credentials
from google_auth_httplib2 import AuthorizedHttp
from googleapiclient.discovery import build_from_document

from fakegmail.control import fill_mailbox
from fakegmail.discovery import GMAIL_SCOPE_FULL, document_with_root
from fakegmail.seed import generate_mailbox
from fakegmail.server import EmulatorServer

GOAL_GETS = ">= 1,000 gets/s"
OWNER = ("bench@fakegmail.test", "Bench Owner")


class CountingHttp(httplib2.Http):
    """httplib2 transport that counts the HTTP round trips it makes."""

    def __init__(self) -> None:
        super().__init__()
        self.round_trips = 0

    def request(self, *args: Any, **kwargs: Any) -> Any:
        self.round_trips += 1
        return super().request(*args, **kwargs)


def _service(url: str, token: str, http: httplib2.Http | None = None) -> Any:
    if http is None:
        return build_from_document(document_with_root(url), credentials=Credentials(token))
    return build_from_document(document_with_root(url),
                               http=AuthorizedHttp(Credentials(token), http=http))


def _get_all(url: str, token: str, ids: list[str]) -> None:
    messages = _service(url, token).users().messages()
    for message_id in ids:
        messages.get(userId="me", id=message_id, format="metadata").execute()


def _gets_per_second(url: str, token: str, ids: list[str], threads: int) -> float:
    """Fetch every id once, split over ``threads``; return gets per second."""
    _get_all(url, token, ids[:20])  # warm up: discovery parsing, connection, caches
    shares = [ids[i::threads] for i in range(threads)]
    workers = [threading.Thread(target=_get_all, args=(url, token, share)) for share in shares]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return len(ids) / (time.perf_counter() - started)


def _batch(server: EmulatorServer, token: str, ids: list[str]) -> tuple[float, int, int]:
    """Run one batch of 50 gets; return seconds, HTTP round trips and Gmail calls counted."""
    http = CountingHttp()
    service = _service(server.url, token, http)
    answers: list[Any] = []

    def collect(request_id: str, response: Any, exception: Exception | None) -> None:
        if exception is not None:
            raise exception
        answers.append(response)

    batch = service.new_batch_http_request(callback=collect)
    for message_id in ids[:50]:
        batch.add(service.users().messages().get(userId="me", id=message_id,
                                                 format="metadata"))
    server.state.stats.reset()
    started = time.perf_counter()
    batch.execute()
    elapsed = time.perf_counter() - started
    if len(answers) != 50:
        raise RuntimeError(f"the batch answered {len(answers)} of 50 requests")
    calls = server.state.stats.snapshot(server.state.quota)["total_calls"]
    return elapsed, http.round_trips, calls


def _in_own_process(count: int, seeded: int) -> tuple[float, float]:
    """Run the emulator through the fake-gmail command in its own process; return gets/s
    on one and on four client threads (client and server then use separate cores)."""
    command = [sys.executable, "-c", "from fakegmail.cli import fake_gmail; fake_gmail()",
               "--port", "0", "--seed-messages", str(seeded), "--account", OWNER[0]]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               text=True)
    try:
        assert process.stdout is not None
        url = process.stdout.readline().split()[-1]
        token = process.stdout.readline().split()[-1]
        listing = _service(url, token).users().messages().list(
            userId="me", includeSpamTrash=True, maxResults=500).execute()
        stored = [m["id"] for m in listing["messages"]]
        ids = [stored[i % len(stored)] for i in range(count)]
        return (_gets_per_second(url, token, ids, threads=1),
                _gets_per_second(url, token, ids, threads=4))
    finally:
        process.terminate()
        process.wait(timeout=10)


def run(quick: bool) -> list[dict[str, Any]]:
    """Measure the emulator; see the module docstring."""
    count = 300 if quick else 2000
    with EmulatorServer() as server:
        account = server.state.ensure_account(*OWNER)
        fill_mailbox(account, generate_mailbox(account.email, account.name, min(count, 500),
                                               seed=7, now=server.state.clock()))
        token = server.state.tokens.mint(account.email, (GMAIL_SCOPE_FULL,)).access_token
        stored = [m.id for m in account.mailbox.list_messages(include_spam_trash=True)]
        ids = [stored[i % len(stored)] for i in range(count)]
        one = _gets_per_second(server.url, token, ids, threads=1)
        four = _gets_per_second(server.url, token, ids, threads=4)
        seconds, trips, calls = _batch(server, token, stored)
    apart_one, apart_four = _in_own_process(count, len(stored))
    setting = f"{count} gets over {len(stored)} seeded messages, werkzeug threaded server"
    return [
        {"name": "emulator.messages_get_metadata.1_thread", "value": round(one, 1),
         "unit": "gets/s", "goal": GOAL_GETS, "notes": setting},
        {"name": "emulator.messages_get_metadata.4_threads", "value": round(four, 1),
         "unit": "gets/s", "goal": GOAL_GETS, "notes": setting + "; one service per thread"},
        {"name": "emulator.messages_get_metadata.1_thread_server_process",
         "value": round(apart_one, 1), "unit": "gets/s", "goal": GOAL_GETS,
         "notes": "server started with `fake-gmail` in its own process"},
        {"name": "emulator.messages_get_metadata.4_threads_server_process",
         "value": round(apart_four, 1), "unit": "gets/s", "goal": GOAL_GETS,
         "notes": "server started with `fake-gmail` in its own process"},
        {"name": "emulator.batch_50_get.seconds", "value": round(seconds, 4), "unit": "s",
         "goal": "< 0.1 s", "notes": f"the emulator's stats counted {calls} Gmail calls"},
        {"name": "emulator.batch_50_get.round_trips", "value": trips, "unit": "requests",
         "goal": "exactly 1", "notes": "HTTP requests the client made for the batch"},
    ]
