"""How fast the Gmail emulator answers the real client library.

The emulator is started as ``mailguard fake-gmail --port 0`` in its own process (gunicorn,
one worker with threads) and its URL read from the first line it prints. Against it:
``messages.get(format=metadata)`` per second through google-api-python-client with its
default httplib2 transport, from one client process and from two client processes at once
(each with its own service and connection), each figure the median of several rounds; and
one batch of 50 gets: its time, the HTTP round trips the client made for it (counted at
the client's transport) and the Gmail calls the emulator counted. A secondary line keeps
the in-process figure: the werkzeug server the pytest fixtures use, on a thread of the
benchmark's own process, where client and server share one interpreter lock.
"""

from __future__ import annotations

import multiprocessing
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httplib2
import requests
from google.oauth2.credentials import Credentials
from google_auth_httplib2 import AuthorizedHttp
from googleapiclient.discovery import build_from_document

from fakegmail.control import fill_mailbox
from fakegmail.discovery import GMAIL_SCOPE_FULL, document_with_root
from fakegmail.seed import generate_mailbox
from fakegmail.server import EmulatorServer

GOAL_GETS = ">= 1,000 gets/s"
OWNER = ("bench@fakegmail.test", "Bench Owner")
SEEDED = 500


@dataclass(frozen=True, slots=True)
class Emulator:
    """A running emulator process: where it listens and the owner's access token."""

    process: subprocess.Popen[str]
    url: str
    token: str


@dataclass(frozen=True, slots=True)
class Timed:
    """One client's run: how many gets, and when it started and ended (monotonic s)."""

    gets: int
    started: float
    ended: float


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


def _command() -> list[str]:
    """Return the argv that runs ``mailguard`` from this interpreter's environment."""
    script = Path(sys.executable).with_name("mailguard")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from mailguard.cli import main; main()"]


def start_emulator(seeded: int = SEEDED) -> Emulator:
    """Start ``mailguard fake-gmail --port 0`` with one seeded account; return it running."""
    process = subprocess.Popen(
        [*_command(), "fake-gmail", "--port", "0", "--seed-messages", str(seeded),
         "--account", OWNER[0]],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert process.stdout is not None
    first = process.stdout.readline()
    if not first.startswith("fakegmail listening on "):
        process.kill()
        raise RuntimeError(f"mailguard fake-gmail did not start (it printed {first!r})")
    url = first.split()[-1]
    token = process.stdout.readline().split()[-1]
    return Emulator(process, url, token)


def stop_emulator(emulator: Emulator) -> None:
    """Stop the emulator process (SIGTERM, then SIGKILL after 10 s)."""
    emulator.process.terminate()
    try:
        emulator.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        emulator.process.kill()
        emulator.process.wait(timeout=10)


def _message_ids(url: str, token: str, count: int) -> list[str]:
    listing = _service(url, token).users().messages().list(
        userId="me", includeSpamTrash=True, maxResults=500).execute()
    stored = [m["id"] for m in listing["messages"]]
    return [stored[i % len(stored)] for i in range(count)]


def _timed_gets(url: str, token: str, ids: list[str], ready: Any = None) -> Timed:
    """Warm up, wait at ``ready`` (a barrier, if any), then get every id; time the gets."""
    messages = _service(url, token).users().messages()
    for message_id in ids[:20]:  # discovery parsing, connection, server caches
        messages.get(userId="me", id=message_id, format="metadata").execute()
    if ready is not None:
        ready.wait()
    started = time.monotonic()
    for message_id in ids:
        messages.get(userId="me", id=message_id, format="metadata").execute()
    return Timed(len(ids), started, time.monotonic())


def _client_process(url: str, token: str, ids: list[str], ready: Any, results: Any) -> None:
    timed = _timed_gets(url, token, ids, ready)
    results.put((timed.gets, timed.started, timed.ended))


def gets_per_second(url: str, token: str, ids: list[str], processes: int) -> float:
    """Split ``ids`` over ``processes`` client processes; return their combined gets/s."""
    if processes == 1:
        timed = _timed_gets(url, token, ids)
        return timed.gets / (timed.ended - timed.started)
    context = multiprocessing.get_context("spawn")
    ready = context.Barrier(processes)
    results = context.Queue()
    workers = [context.Process(target=_client_process,
                               args=(url, token, ids[i::processes], ready, results))
               for i in range(processes)]
    for worker in workers:
        worker.start()
    runs = [Timed(*results.get(timeout=600)) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
        if worker.exitcode != 0:
            raise RuntimeError(f"a client process ended with status {worker.exitcode}")
    span = max(r.ended for r in runs) - min(r.started for r in runs)
    return sum(r.gets for r in runs) / span


def batch_of_50(url: str, token: str, ids: list[str]) -> tuple[float, int, int]:
    """Run one batch of 50 gets; return seconds, HTTP round trips and Gmail calls counted."""
    http = CountingHttp()
    service = _service(url, token, http)
    answers: list[Any] = []

    def collect(request_id: str, response: Any, exception: Exception | None) -> None:
        if exception is not None:
            raise exception
        answers.append(response)

    batch = service.new_batch_http_request(callback=collect)
    for message_id in ids[:50]:
        batch.add(service.users().messages().get(userId="me", id=message_id,
                                                 format="metadata"))
    requests.delete(url + "_emulator/stats", timeout=10).raise_for_status()
    started = time.perf_counter()
    batch.execute()
    elapsed = time.perf_counter() - started
    if len(answers) != 50:
        raise RuntimeError(f"the batch answered {len(answers)} of 50 requests")
    calls = requests.get(url + "_emulator/stats", timeout=10).json()["total_calls"]
    return elapsed, http.round_trips, int(calls)


def in_process_gets_per_second(count: int) -> float:
    """Return gets/s against the werkzeug server on a thread of this process."""
    with EmulatorServer() as server:
        account = server.state.ensure_account(*OWNER)
        fill_mailbox(account, generate_mailbox(account.email, account.name, SEEDED,
                                               seed=7, now=server.state.clock()))
        token = server.state.tokens.mint(account.email, (GMAIL_SCOPE_FULL,)).access_token
        timed = _timed_gets(server.url, token, _message_ids(server.url, token, count))
    return timed.gets / (timed.ended - timed.started)


def _median(samples: list[float]) -> tuple[float, str]:
    shown = ", ".join(f"{s:,.0f}" for s in samples)
    return round(statistics.median(samples), 1), f"median of {len(samples)} rounds ({shown})"


def run(quick: bool) -> list[dict[str, Any]]:
    """Measure the emulator; see the module docstring."""
    count = 400 if quick else 2000
    rounds = 1 if quick else 3
    emulator = start_emulator()
    try:
        ids = _message_ids(emulator.url, emulator.token, count)
        one = [gets_per_second(emulator.url, emulator.token, ids, 1) for _ in range(rounds)]
        two = [gets_per_second(emulator.url, emulator.token, ids, 2) for _ in range(rounds)]
        seconds, trips, calls = batch_of_50(emulator.url, emulator.token, ids)
    finally:
        stop_emulator(emulator)
    in_process = in_process_gets_per_second(count)
    one_value, one_rounds = _median(one)
    two_value, two_rounds = _median(two)
    setting = (f"{count} gets over {SEEDED} seeded messages; `mailguard fake-gmail` "
               "(gunicorn, 1 worker, threads) in its own process")
    return [
        {"name": "emulator.messages_get_metadata.1_client_process", "value": one_value,
         "unit": "gets/s", "goal": GOAL_GETS, "notes": f"{setting}; {one_rounds}"},
        {"name": "emulator.messages_get_metadata.2_client_processes", "value": two_value,
         "unit": "gets/s", "goal": GOAL_GETS,
         "notes": f"{setting}; two client processes, one service each; {two_rounds}"},
        {"name": "emulator.messages_get_metadata.in_process", "value": round(in_process, 1),
         "unit": "gets/s", "goal": "(secondary)",
         "notes": "werkzeug server on a thread of the client's process, as the pytest "
                  "fixtures run it; client and server share one interpreter lock"},
        {"name": "emulator.batch_50_get.seconds", "value": round(seconds, 4), "unit": "s",
         "goal": "< 0.1 s", "notes": f"the emulator's stats counted {calls} Gmail calls"},
        {"name": "emulator.batch_50_get.round_trips", "value": trips, "unit": "requests",
         "goal": "exactly 1", "notes": "HTTP requests the client made for the batch"},
    ]
