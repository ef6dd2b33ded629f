"""Load the web client the way browsers would: warm inbox, message view and send.

Run ``python -m bench.load [--quick]`` (or through ``python -m bench``). For SQLite and,
when ``MAILGUARD_BENCH_PG_URL`` or ``MAILGUARD_TEST_PG_URL`` names a server, PostgreSQL,
and for 1, 2 and 4 gunicorn workers (8 threads each), the stack in ``bench._webstack`` is
started against the emulator and one signed-in session is driven by a load generator of
our own: two client processes with keep-alive connections, each run bounded in time and
in request count, loopback only. Each path reports throughput, p50/p95/p99 latency and
the error rate; the audit log is verified after every run. One more run drives the warm
inbox with 2 workers on SQLite at a fixed arrival rate of half the measured throughput
(latency counted from each request's scheduled start, so queueing is not hidden).
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import multiprocessing
import os
import re
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

if TYPE_CHECKING:  # imported lazily: client processes load only this module
    from bench._webstack import SignedIn, WebStack

WORKER_COUNTS = (1, 2, 4)
CLIENT_PROCESSES = 2
THREADS_PER_CLIENT = 4
GOAL_INBOX = 300.0
GOAL_P99_MS = 100.0


@dataclass(frozen=True, slots=True)
class Target:
    """One path under load: what each request sends and the status that means success."""

    name: str
    method: str
    paths: tuple[str, ...]
    expect: int
    body: bytes = b""


@dataclass(frozen=True, slots=True)
class Summary:
    """What one load run measured."""

    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float

    @property
    def throughput(self) -> float:
        """Return successful requests per second."""
        return (self.requests - self.errors) / self.seconds if self.seconds else 0.0

    @property
    def error_rate(self) -> float:
        """Return the share of failed requests, in percent."""
        return 100.0 * self.errors / self.requests if self.requests else 100.0


@dataclass(frozen=True, slots=True)
class Load:
    """How hard and how long to drive one target."""

    seconds: float
    budget: int
    rate: float | None = None  # requests/s for an open-loop run; None drives flat out
    processes: int = CLIENT_PROCESSES
    threads: int = THREADS_PER_CLIENT


def percentile(samples: Sequence[float], q: float) -> float:
    """Return the nearest-rank ``q``-th percentile (0 < q <= 100) of ``samples``."""
    if not samples:
        raise ValueError("no samples: the run made no requests")
    ordered = sorted(samples)
    rank = max(1, math.ceil(q / 100.0 * len(ordered)))
    return ordered[rank - 1]


def summarize(latencies_s: Sequence[float], errors: int, seconds: float) -> Summary:
    """Return the summary of one run from every request's latency (seconds)."""
    ms = [s * 1000.0 for s in latencies_s]
    return Summary(requests=len(ms), errors=errors, seconds=seconds,
                   p50_ms=percentile(ms, 50), p95_ms=percentile(ms, 95),
                   p99_ms=percentile(ms, 99))


class _Budget:
    """A request counter shared by one process's threads: the n-th request, or None."""

    def __init__(self, limit: int) -> None:
        self._lock = threading.Lock()
        self._next = 0
        self._limit = limit

    def take(self) -> int | None:
        with self._lock:
            if self._next >= self._limit:
                return None
            self._next += 1
            return self._next - 1


def _one(conn: http.client.HTTPConnection, target: Target, n: int, cookie: str) -> bool:
    """Send the ``n``-th request of ``target``; return whether it succeeded."""
    headers = {"Cookie": cookie}
    if target.body:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request(target.method, target.paths[n % len(target.paths)],
                 body=target.body or None, headers=headers)
    response = conn.getresponse()
    response.read()
    return response.status == target.expect


def _drive(base: str, cookie: str, target: Target, load: Load, share: int,
           rate: float | None, start: float) -> tuple[list[float], int]:
    """Drive ``target`` from this process's threads; return latencies and errors."""
    host = urlsplit(base)
    budget = _Budget(share)
    deadline = start + load.seconds
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def worker() -> None:
        conn = http.client.HTTPConnection(host.hostname or "127.0.0.1", host.port, timeout=60)
        mine: list[float] = []
        failed = 0
        while (n := budget.take()) is not None:
            scheduled = start + n / rate if rate else time.perf_counter()
            if scheduled >= deadline or time.perf_counter() >= deadline:
                break
            if rate:
                delay = scheduled - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
            try:
                ok = _one(conn, target, n, cookie)
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection(host.hostname or "127.0.0.1", host.port,
                                                  timeout=60)
            mine.append(time.perf_counter() - scheduled)
            failed += not ok
        conn.close()
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    threads = [threading.Thread(target=worker) for _ in range(load.threads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors[0]


def _client_process(base: str, cookie: str, target: Target, load: Load, share: int,
                    rate: float | None, ready: Any, results: Any) -> None:
    ready.wait()
    start = time.perf_counter()
    latencies, errors = _drive(base, cookie, target, load, share, rate, start)
    results.put((latencies, errors, start, time.perf_counter()))


def drive(base: str, cookie: str, target: Target, load: Load) -> Summary:
    """Drive ``target`` from ``load.processes`` client processes; return the summary."""
    share = max(1, load.budget // load.processes)
    rate = load.rate / load.processes if load.rate else None
    if load.processes == 1:
        start = time.perf_counter()
        latencies, errors = _drive(base, cookie, target, load, share, rate, start)
        return summarize(latencies, errors, time.perf_counter() - start)
    context = multiprocessing.get_context("spawn")
    ready = context.Barrier(load.processes)
    results = context.Queue()
    procs = [context.Process(target=_client_process,
                             args=(base, cookie, target, load, share, rate, ready, results))
             for _ in range(load.processes)]
    for proc in procs:
        proc.start()
    runs = [results.get(timeout=load.seconds + 300) for _ in procs]
    for proc in procs:
        proc.join(timeout=30)
    latencies = [s for run in runs for s in run[0]]
    errors = sum(run[1] for run in runs)
    span = max(run[3] for run in runs) - min(run[2] for run in runs)
    return summarize(latencies, errors, span)


def targets(stack: WebStack, signed: SignedIn) -> tuple[Target, ...]:
    """Return the three paths under load: warm inbox, message view and send."""
    page = signed.session.get(stack.base_url + "/u/0/f/inbox", timeout=120)
    if page.status_code != 200:
        raise RuntimeError(f"the first inbox page answered {page.status_code}")
    threads = tuple(dict.fromkeys(re.findall(r'href="(/u/0/t/[0-9A-Za-z]+)', page.text)))
    if not threads:
        raise RuntimeError("the inbox page links no conversations")
    form = urlencode({"csrf_token": signed.csrf_token, "to": "peer@example.org",
                      "subject": "Load test", "body": "A message sent by the load test.",
                      "action": "send"}).encode("ascii")
    return (Target("inbox", "GET", ("/u/0/f/inbox",), 200),
            Target("view", "GET", threads, 200),
            Target("send", "POST", ("/u/0/compose",), 302, form))


def _rows(prefix: str, summary: Summary, goal_throughput: str = "(reported)",
          goal_p99: str = "(reported)", note: str = "") -> list[dict[str, Any]]:
    notes = (f"{summary.requests} requests in {summary.seconds:.1f} s; {note}").rstrip("; ")
    return [
        {"name": f"{prefix}.throughput", "value": round(summary.throughput, 1),
         "unit": "req/s", "goal": goal_throughput, "notes": notes},
        {"name": f"{prefix}.p50", "value": round(summary.p50_ms, 2), "unit": "ms",
         "goal": "(reported)", "notes": notes},
        {"name": f"{prefix}.p95", "value": round(summary.p95_ms, 2), "unit": "ms",
         "goal": "(reported)", "notes": notes},
        {"name": f"{prefix}.p99", "value": round(summary.p99_ms, 2), "unit": "ms",
         "goal": goal_p99, "notes": notes},
        {"name": f"{prefix}.error_rate", "value": round(summary.error_rate, 3), "unit": "%",
         "goal": "0", "notes": notes},
    ]


def _per_request(prefix: str, summary: Summary, units: int,
                 entries: int) -> dict[str, Any]:
    """Return the Gmail quota units per request, noting the audit entries per request."""
    done = max(1, summary.requests)
    return {"name": f"{prefix}.quota_units_per_request", "value": round(units / done, 2),
            "unit": "units", "goal": "(reported)",
            "notes": f"Gmail quota units the emulator charged over {summary.requests} "
                     f"requests; audit entries per request {entries / done:.2f}"}


def _server_cpu(prefix: str, summary: Summary, cpu: CpuSplit) -> dict[str, Any]:
    """Return the gunicorn workers' CPU time per request (what bounds pages/s on 2 cores).

    The notes say what the emulator and the load generator, on the same cores, used per
    request beside it: what was left of the machine for the workers.
    """
    done = max(1, summary.requests)
    return {"name": f"{prefix}.server_cpu_ms_per_request",
            "value": round(cpu.workers_s * 1000 / done, 2), "unit": "ms", "goal": "(reported)",
            "notes": f"user+system CPU of the gunicorn workers over {summary.requests} "
                     f"requests; on the same cores the Gmail emulator used "
                     f"{cpu.emulator_s * 1000 / done:.2f} ms and the load generator "
                     f"{cpu.load_generator_s * 1000 / done:.2f} ms per request"}


@dataclass(frozen=True, slots=True)
class CpuSplit:
    """CPU seconds over one load run: the web workers, the emulator, the load generator."""

    workers_s: float
    emulator_s: float
    load_generator_s: float


def _cpu_now(stack: WebStack) -> CpuSplit:
    """Return the CPU seconds used so far (the load generator: this process's waited-for
    children, which are the client processes once ``drive`` has joined them)."""
    times = os.times()
    return CpuSplit(stack.worker_cpu_s(), stack.emulator_cpu_s(),
                    times.children_user + times.children_system)


def _cpu_since(stack: WebStack, before: CpuSplit) -> CpuSplit:
    now = _cpu_now(stack)
    return CpuSplit(now.workers_s - before.workers_s, now.emulator_s - before.emulator_s,
                    now.load_generator_s - before.load_generator_s)


def run_backend(database: str, workers: int, *, quick: bool,
                only: Sequence[str] = ()) -> list[dict[str, Any]]:
    """Load one stack (``database``, ``workers``) on every path (or ``only`` those named).

    The audit log is verified after each run.
    """
    from bench._webstack import WebStack

    seconds, budget = (1.5, 1500) if quick else (5.0, 6000)
    stack = WebStack.start(workers=workers, database=database)
    results: list[dict[str, Any]] = []
    try:
        signed = stack.sign_in()
        verified: list[bool] = []
        entries = 0
        for target in targets(stack, signed):
            if only and target.name not in only:
                continue
            warm = Load(seconds=min(0.5, seconds), budget=budget)
            drive(stack.base_url, signed.cookie, target, warm)
            stack.quota_units(reset=True)
            before = stack.audit_size()
            cpu_before = _cpu_now(stack)
            summary = drive(stack.base_url, signed.cookie, target,
                            Load(seconds=seconds, budget=budget))
            cpu = _cpu_since(stack, cpu_before)
            units = stack.quota_units()
            ok, entries = stack.verify_audit()
            verified.append(ok)
            results.append(_per_request(f"load.{database}.{target.name}.{workers}_workers",
                                        summary, units, entries - before))
            results.append(_server_cpu(f"load.{database}.{target.name}.{workers}_workers",
                                       summary, cpu))
            goal = (f">= {GOAL_INBOX:g}" if target.name == "inbox" and workers == 2
                    and database == "sqlite" else "(reported)")
            results.extend(_rows(f"load.{database}.{target.name}.{workers}_workers", summary,
                                 goal, note=f"audit verified={ok} at {entries} entries"))
            if target.name == "inbox" and workers == 2 and database == "sqlite":
                half = summary.throughput / 2
                paced = drive(stack.base_url, signed.cookie, target,
                              Load(seconds=seconds, budget=budget, rate=half))
                ok, entries = stack.verify_audit()
                verified.append(ok)
                results.extend(_rows(
                    f"load.{database}.inbox_half_load.{workers}_workers", paced,
                    goal_p99=f"< {GOAL_P99_MS:g}",
                    note=f"open loop at {half:.0f} req/s (half the flat-out figure); "
                         f"audit verified={ok}"))
        results.append({"name": f"load.{database}.audit_verified.{workers}_workers",
                        "value": float(all(verified)), "unit": "1 = every run verified",
                        "goal": "1", "notes": f"{len(verified)} verifications, "
                        f"{entries} entries at the end"})
    finally:
        stack.close()
    return results


def run(quick: bool) -> list[dict[str, Any]]:
    """Load every stack; PostgreSQL only when a server URL is given."""
    from bench._webstack import pg_admin_url

    databases = ["sqlite"] + (["postgres"] if pg_admin_url() else [])
    results: list[dict[str, Any]] = []
    for database in databases:
        for workers in WORKER_COUNTS:
            results.extend(run_backend(database, workers, quick=quick))
    return results


def main() -> None:
    """Print the results as JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--database", choices=("sqlite", "postgres"), default=None)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--target", action="append", choices=("inbox", "view", "send"),
                        help="load only this path (repeatable); needs --database or --workers")
    args = parser.parse_args()
    if args.database or args.workers:
        print(json.dumps(run_backend(args.database or "sqlite", args.workers or 2,
                                     quick=args.quick, only=args.target or ()), indent=2))
    else:
        print(json.dumps(run(args.quick), indent=2))


if __name__ == "__main__":
    main()
