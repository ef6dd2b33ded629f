"""A loopback HTTP proxy in front of the emulator that records every round trip.

The web client and the alternatives are pointed at it (as their Gmail ``rootUrl``), so
the benchmarks can count the HTTP round trips a page made, how many of them had to
happen one after another, and how long the page waited for Gmail. It can also add a
fixed latency to each round trip: a network delay, paid once per HTTP request whether
it carries one call or a batch of fifty.
"""

from __future__ import annotations

import http.client
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
        "proxy-connection", "content-length"}


@dataclass(frozen=True, slots=True)
class RoundTrip:
    """One HTTP request through the proxy: its path and when it started and ended."""

    path: str
    started: float
    ended: float


def sequential_depth(trips: Sequence[RoundTrip]) -> int:
    """Return the longest chain of round trips each starting after the previous ended."""
    ordered = sorted(trips, key=lambda t: t.ended)
    chain: list[int] = []
    for i, trip in enumerate(ordered):
        before = [chain[j] for j in range(i) if ordered[j].ended <= trip.started]
        chain.append(1 + max(before, default=0))
    return max(chain, default=0)


def waiting_time(trips: Sequence[RoundTrip]) -> float:
    """Return the seconds covered by at least one round trip (overlaps counted once)."""
    total, reach = 0.0, float("-inf")
    for trip in sorted(trips, key=lambda t: t.started):
        start = max(trip.started, reach)
        if trip.ended > start:
            total += trip.ended - start
        reach = max(reach, trip.ended)
    return total


class RecordingProxy:
    """Forward requests to ``upstream``, recording each; optional added latency."""

    def __init__(self, upstream: str, latency_s: float = 0.0) -> None:
        self.upstream = urlsplit(upstream)
        self.latency_s = latency_s
        self._trips: list[RoundTrip] = []
        self._lock = threading.Lock()
        self._local = threading.local()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # The answer goes out as two writes (headers, then body). With Nagle's
            # algorithm on, the body waits for the ACK of the headers, which the client
            # delays by up to 40 ms: a stall no real Gmail front end adds to a round trip.
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                """Log nothing: paths carry mailbox ids."""

            def _forward(self) -> None:
                proxy.forward(self)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _forward  # noqa: N815

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}/"

    def __enter__(self) -> RecordingProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _connection(self) -> http.client.HTTPConnection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = http.client.HTTPConnection(self.upstream.hostname or "127.0.0.1",
                                              self.upstream.port, timeout=300)
            self._local.conn = conn
        return conn

    def forward(self, handler: BaseHTTPRequestHandler) -> None:
        """Send ``handler``'s request upstream and its answer back; record the trip."""
        started = time.perf_counter()
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else None
        headers = {k: v for k, v in handler.headers.items() if k.lower() not in _HOP}
        if self.latency_s:
            time.sleep(self.latency_s)
        conn = self._connection()
        try:
            conn.request(handler.command, handler.path, body=body, headers=headers)
            answer = conn.getresponse()
        except (OSError, http.client.HTTPException):
            conn.close()
            conn.request(handler.command, handler.path, body=body, headers=headers)
            answer = conn.getresponse()
        data = answer.read()
        with self._lock:  # recorded before answering, so a page never finishes first
            self._trips.append(RoundTrip(handler.path, started, time.perf_counter()))
        handler.send_response(answer.status, answer.reason)
        for key, value in answer.getheaders():
            if key.lower() not in _HOP:
                handler.send_header(key, value)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def take(self) -> list[RoundTrip]:
        """Return the round trips recorded since the last call, and forget them."""
        with self._lock:
            trips, self._trips = self._trips, []
        return trips
