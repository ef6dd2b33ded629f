"""The inbox at 100 ms of Gmail latency: MailGuard beside simplegmail and ezgmail.

Run ``python -m bench.webclient [--quick]`` (or through ``python -m bench``). The web
client runs under gunicorn (2 workers) against the emulator, its Gmail traffic through a
recording proxy (``bench._roundtrips``) that counts HTTP round trips and how many of
them were sequential. Two latency models, each 100 ms:

- ``fault``: the emulator's own fault, ``{"method": "*", "latency_ms": 100}``; the
  emulator applies it to every Gmail call, including each part of a batch, one after
  another, so a 50-part batch waits 5 s (Google runs batch parts concurrently);
- ``rtt``: 100 ms added by the proxy to every HTTP round trip, a batch paying it once.

In each, the first (cold) inbox page of 50 conversations and the warm page are timed
from the browser's side; the warm page's render time is its time minus the time it
waited for Gmail. Beside them, the same 50 inbox items are fetched the way the
``simplegmail`` and ``ezgmail`` libraries fetch them, through their own public calls,
with their service construction patched (in this benchmark only) to
``build_from_document(document_with_root(proxy))``: simplegmail lists messages and
gets each one (``format=full``) from its own small thread pool; ezgmail lists threads
and gets each thread in turn. Last, with no latency, warm inbox pages/s with 2 workers
and each worker's resident memory.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
from google.oauth2.credentials import Credentials
from googleapiclient.discovery import build_from_document

from bench._roundtrips import RecordingProxy, RoundTrip, sequential_depth, waiting_time
from bench._webstack import WebStack
from bench.load import Load, Target, drive
from fakegmail.discovery import document_with_root

LATENCY_MS = 100
PAGE = 50


@dataclass(frozen=True, slots=True)
class Fetch:
    """One timed fetch: seconds, the round trips it made and how many were sequential."""

    seconds: float
    round_trips: int
    sequential: int
    waited: float
    items: int
    trips: tuple[RoundTrip, ...] = ()
    quota_units: int = 0


def _endpoint(trip: RoundTrip) -> str:
    """Return the Gmail endpoint of a round trip without ids or query (no mail data)."""
    parts = trip.path.split("?")[0].split("/")
    named = [p for p in parts if p and not any(c.isdigit() for c in p)]
    return "/".join(named[-2:])


def _timed(proxy: RecordingProxy, fetch: Callable[[], int],
           stack: WebStack | None = None) -> Fetch:
    """Time one fetch; count its round trips and (given the stack) its Gmail quota units."""
    if stack is not None:
        stack.quota_units(reset=True)
    proxy.take()
    started = time.perf_counter()
    items = fetch()
    seconds = time.perf_counter() - started
    trips: list[RoundTrip] = proxy.take()
    units = stack.quota_units() if stack is not None else 0
    return Fetch(seconds, len(trips), sequential_depth(trips), waiting_time(trips), items,
                 tuple(trips), units)


def simplegmail_fetch(root_url: str, token: str) -> Callable[[], int]:
    """Return a fetch of the inbox's 50 newest messages through simplegmail."""
    import simplegmail.gmail as module

    document = document_with_root(root_url)

    def build(_name: str, _version: str, *, credentials: Any, **_kwargs: Any) -> Any:
        return build_from_document(document, credentials=credentials)

    module.build = build
    gmail = module.Gmail(credentials=Credentials(token))

    def fetch() -> int:
        return len(gmail.get_messages(labels=["INBOX"], max_results=PAGE))

    return fetch


def ezgmail_fetch(root_url: str, token: str, folder: Path) -> Callable[[], int]:
    """Return a fetch of the inbox's 50 newest conversations through ezgmail."""
    import ezgmail
    from oauth2client.client import OAuth2Credentials

    document = document_with_root(root_url)

    def build(_name: str, _version: str, *, http: Any, **_kwargs: Any) -> Any:
        return build_from_document(document, http=http)

    ezgmail.build = build
    (folder / "credentials.json").write_text("{}")
    stored = OAuth2Credentials(token, "bench", "bench", None, None,
                               root_url + "token", "mailguard-bench")
    (folder / "token.json").write_text(stored.to_json())
    ezgmail.init(tokenFile=str(folder / "token.json"),
                 credentialsFile=str(folder / "credentials.json"))

    def fetch() -> int:
        threads = ezgmail.recent(maxResults=PAGE)
        return sum(len(thread.messages) > 0 for thread in threads)

    return fetch


def _mailguard_fetch(stack: WebStack, cookie: str) -> Callable[[], int]:
    def fetch() -> int:
        page = requests.get(stack.base_url + "/u/0/f/inbox", headers={"Cookie": cookie},
                            timeout=120)
        if page.status_code != 200:
            raise RuntimeError(f"the inbox answered {page.status_code}")
        return page.text.count('href="/u/0/t/')

    return fetch


def _latency(stack: WebStack, proxy: RecordingProxy, model: str, on: bool) -> None:
    stack.control("DELETE", "faults")
    proxy.latency_s = 0.0
    if on and model == "fault":
        stack.control("POST", "faults", {"method": "*", "latency_ms": LATENCY_MS})
    elif on:
        proxy.latency_s = LATENCY_MS / 1000


def _row(name: str, value: float, unit: str, goal: str, notes: str) -> dict[str, Any]:
    return {"name": f"webclient.{name}", "value": round(value, 4), "unit": unit,
            "goal": goal, "notes": notes}


def _fetch_rows(model: str, who: str, cold: Fetch, warm: list[Fetch],
                goals: dict[str, str]) -> list[dict[str, Any]]:
    median_warm = statistics.median(f.seconds for f in warm)
    render = statistics.median(f.seconds - f.waited for f in warm)
    trips = statistics.median(f.round_trips for f in warm)
    return [
        _row(f"{model}.{who}.cold_s", cold.seconds, "s", goals.get("cold_s", "(reported)"),
             f"{cold.items} items; {cold.round_trips} HTTP round trips, "
             f"{cold.sequential} sequential; waited for Gmail {cold.waited:.3f} s"),
        _row(f"{model}.{who}.cold_sequential_round_trips", cold.sequential, "round trips",
             goals.get("cold_seq", "(reported)"),
             f"of {cold.round_trips} HTTP round trips"),
        _row(f"{model}.{who}.warm_s", median_warm, "s", "(reported)",
             f"median of {len(warm)} warm fetches"),
        _row(f"{model}.{who}.warm_round_trips", trips, "round trips",
             goals.get("warm_trips", "(reported)"), f"median of {len(warm)}"),
        _row(f"{model}.{who}.warm_sequential_round_trips",
             statistics.median(f.sequential for f in warm), "round trips", "(reported)",
             f"median of {len(warm)}; Gmail endpoints of the last: "
             + ", ".join(sorted(_endpoint(t) for t in warm[-1].trips))),
        _row(f"{model}.{who}.cold_quota_units", cold.quota_units, "units", "(reported)",
             "Gmail quota units the emulator charged for the cold fetch"),
        _row(f"{model}.{who}.warm_quota_units",
             statistics.median(f.quota_units for f in warm), "units", "(reported)",
             f"Gmail quota units per warm fetch, median of {len(warm)}"),
        _row(f"{model}.{who}.warm_render_ms", render * 1000, "ms",
             goals.get("render", "(reported)"),
             "time not spent waiting for Gmail (server render + client), median"),
    ]


def run_model(model: str, *, quick: bool) -> list[dict[str, Any]]:
    """Measure MailGuard, simplegmail and ezgmail under one latency model."""
    rounds = 3 if quick else 9
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench-alt-") as tmp:
        proxy = RecordingProxy("http://127.0.0.1:1/")
        stack = WebStack.start(workers=2, gmail_root_url=proxy.url)
        proxy.upstream = urlsplit(stack.emulator.url)
        with proxy:
            try:
                signed = stack.sign_in()
                token = stack.emulator.token
                mailguard = _mailguard_fetch(stack, signed.cookie)
                simple = simplegmail_fetch(proxy.url, token)
                ez = ezgmail_fetch(proxy.url, token, Path(tmp))
                _latency(stack, proxy, model, True)
                for who, fetch, goals in (
                        ("mailguard", mailguard, {"cold_s": "< 0.5", "cold_seq": "<= 3",
                                                  "warm_trips": "1", "render": "< 20"}),
                        ("simplegmail", simple, {}), ("ezgmail", ez, {})):
                    cold = _timed(proxy, fetch, stack)
                    warm = [_timed(proxy, fetch, stack) for _ in range(rounds)]
                    results.extend(_fetch_rows(model, who, cold, warm, goals))
                if model == "rtt":
                    _latency(stack, proxy, model, False)
                    results.extend(_throughput(stack, signed.cookie, quick=quick))
            finally:
                _latency(stack, proxy, model, False)
                stack.close()
    return results


def _throughput(stack: WebStack, cookie: str, *, quick: bool) -> list[dict[str, Any]]:
    inbox = Target("inbox", "GET", ("/u/0/f/inbox",), 200)
    drive(stack.base_url, cookie, inbox, Load(seconds=0.5, budget=500))
    summary = drive(stack.base_url, cookie, inbox,
                    Load(seconds=1.5 if quick else 4.0, budget=4000))
    rss = stack.worker_rss_mib()
    return [
        _row("warm_inbox.2_workers.pages_per_s", summary.throughput, "pages/s", ">= 300",
             f"no added latency; p50 {summary.p50_ms:.1f} ms, p99 {summary.p99_ms:.1f} ms, "
             f"errors {summary.error_rate:.2f}%"),
        _row("worker_rss_mib", max(rss), "MiB", "(reported)",
             "largest gunicorn worker after the load; all: "
             + ", ".join(f"{r:.0f}" for r in rss)),
    ]


def run(quick: bool) -> list[dict[str, Any]]:
    """Measure both latency models; see the module docstring."""
    return run_model("fault", quick=quick) + run_model("rtt", quick=quick)


def main() -> None:
    """Print the results as JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--model", choices=("fault", "rtt"), default=None)
    args = parser.parse_args()
    rows = run_model(args.model, quick=args.quick) if args.model else run(args.quick)
    print(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
