"""The web benchmarks against the real stack: emulator and gunicorn processes, loopback."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest

from bench._roundtrips import RecordingProxy, sequential_depth
from bench.emulator import start_emulator, stop_emulator
from bench.load import run_backend
from bench.webclient import ezgmail_fetch, simplegmail_fetch


def test_a_quick_load_run_on_sqlite_drives_every_path_without_errors_and_verifies_the_log():
    rows = {r["name"]: r for r in run_backend("sqlite", 1, quick=True)}
    for path in ("inbox", "view", "send"):
        prefix = f"load.sqlite.{path}.1_workers"
        assert rows[prefix + ".throughput"]["value"] > 0, rows[prefix + ".throughput"]
        assert rows[prefix + ".error_rate"]["value"] == 0, rows[prefix + ".error_rate"]
        assert rows[prefix + ".p50"]["value"] <= rows[prefix + ".p99"]["value"]
    # Every request's CPU is split between the workers, the emulator and the load generator.
    notes = rows["load.sqlite.inbox.1_workers.server_cpu_ms_per_request"]["notes"]
    used = [float(n) for n in re.findall(r"([0-9.]+) ms", notes)]
    assert len(used) == 2 and all(n > 0 for n in used), notes
    assert rows["load.sqlite.inbox.1_workers.server_cpu_ms_per_request"]["value"] > 0
    verified = rows["load.sqlite.audit_verified.1_workers"]
    assert verified["value"] == 1.0, verified["notes"]
    assert "3 verifications" in verified["notes"]


@pytest.fixture(scope="module")
def emulator():
    running = start_emulator(200)
    yield running
    stop_emulator(running)


def test_simplegmail_aimed_at_the_emulator_gets_each_of_50_messages_on_its_own(emulator):
    with RecordingProxy(emulator.url) as proxy:
        fetch = simplegmail_fetch(proxy.url, emulator.token)
        proxy.take()
        assert fetch() == 50
        trips = proxy.take()
    assert len(trips) == 51  # messages.list, then one messages.get per message
    assert sum("/messages/" in t.path for t in trips) == 50
    assert sequential_depth(trips) < 51  # its thread pool overlaps the gets


def test_ezgmail_aimed_at_the_emulator_gets_each_of_50_conversations_in_turn(emulator):
    with RecordingProxy(emulator.url) as proxy, tempfile.TemporaryDirectory() as tmp:
        fetch = ezgmail_fetch(proxy.url, emulator.token, Path(tmp))
        proxy.take()
        assert fetch() == 50
        trips = proxy.take()
    assert len(trips) == 51  # threads.list, then one threads.get per conversation
    assert sequential_depth(trips) == 51
