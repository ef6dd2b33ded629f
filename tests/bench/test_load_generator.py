"""The load generator and the round-trip recorder, against small loopback servers."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from bench._roundtrips import RecordingProxy, RoundTrip, sequential_depth, waiting_time
from bench.load import Load, Target, drive, percentile, summarize


class _Counting(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    seen: list[str] = []
    lock = threading.Lock()

    def log_message(self, format, *args):  # noqa: A002
        pass

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        with self.lock:
            self.seen.append(f"{self.command} {self.path} {len(body)}")
        status = 404 if self.path.startswith("/missing") else 200
        data = f"{self.command} {self.path} {body.decode()}".encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = _answer


@pytest.fixture
def server() -> Iterator[str]:
    """Serve ``_Counting`` on a loopback port; yield its base URL."""
    _Counting.seen = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Counting)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize(("q", "expected"), [(50, 5.0), (95, 10.0), (99, 10.0), (10, 1.0),
                                             (100, 10.0)])
def test_percentile_is_nearest_rank(q, expected):
    assert percentile([float(n) for n in range(10, 0, -1)], q) == expected


def test_percentile_of_nothing_says_no_requests_were_made():
    with pytest.raises(ValueError, match="no samples"):
        percentile([], 50)


def test_summary_counts_only_successes_as_throughput_and_reports_the_error_share():
    summary = summarize([0.010] * 90 + [0.200] * 10, errors=25, seconds=2.0)
    assert summary.requests == 100
    assert summary.throughput == pytest.approx(37.5)
    assert summary.error_rate == pytest.approx(25.0)
    assert summary.p50_ms == pytest.approx(10.0)
    assert summary.p95_ms == pytest.approx(200.0)


def test_drive_stops_at_its_request_budget_and_counts_wrong_statuses_as_errors(server):
    target = Target("mixed", "GET", ("/ok", "/missing"), 200)
    summary = drive(server, "session=x", target, Load(seconds=60, budget=40, processes=2,
                                                      threads=2))
    assert summary.requests == 40
    assert summary.errors == 20
    assert len(_Counting.seen) == 40
    assert summary.error_rate == pytest.approx(50.0)


def test_drive_posts_the_form_body_with_every_request(server):
    target = Target("send", "POST", ("/compose",), 200, b"to=a%40example.org")
    summary = drive(server, "session=x", target, Load(seconds=60, budget=6, processes=1,
                                                      threads=1))
    assert summary.errors == 0
    assert _Counting.seen == ["POST /compose 18"] * 6


def test_a_paced_run_sends_no_more_than_its_schedule_allows(server):
    # 1,000 requests/s for at most 0.2 s: about 200 arrivals, far below the budget.
    summary = drive(server, "session=x", Target("inbox", "GET", ("/ok",), 200),
                    Load(seconds=0.2, budget=10_000, rate=1000.0, processes=1, threads=4))
    assert 0 < summary.requests <= 201
    assert summary.errors == 0


def _trip(start: float, end: float) -> RoundTrip:
    return RoundTrip("/gmail/v1/users/me/x", start, end)


@pytest.mark.parametrize(("trips", "depth", "waited"), [
    ([], 0, 0.0),
    ([_trip(0, 1)], 1, 1.0),
    ([_trip(0, 1), _trip(0, 1)], 1, 1.0),                    # side by side
    ([_trip(0, 1), _trip(1, 2), _trip(2, 3)], 3, 3.0),       # one after another
    ([_trip(0, 1), _trip(0.5, 1.5), _trip(1.5, 2)], 2, 2.0),  # overlap, then a third
    ([_trip(0, 1), _trip(3, 4)], 2, 2.0),                    # a gap is not waiting
])
def test_round_trips_give_the_sequential_depth_and_the_time_waited(trips, depth, waited):
    assert sequential_depth(trips) == depth
    assert waiting_time(trips) == pytest.approx(waited)


def test_the_proxy_forwards_requests_and_records_each_round_trip(server):
    with RecordingProxy(server + "/") as proxy:
        first = requests.get(proxy.url + "ok?x=1", timeout=10)
        second = requests.post(proxy.url + "missing", data=b"abc", timeout=10)
        trips = proxy.take()
        assert proxy.take() == []
    assert (first.status_code, first.text) == (200, "GET /ok?x=1 ")
    assert (second.status_code, second.text) == (404, "POST /missing abc")
    assert [t.path for t in trips] == ["/ok?x=1", "/missing"]
    assert all(t.ended >= t.started for t in trips)
