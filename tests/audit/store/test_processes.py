"""Several processes keep one linear log; a writer killed at any moment loses nothing acked."""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from audit import AuditLog

from .conftest import HMAC_KEY
from .writer_process import append_some

ROOT = Path(__file__).resolve().parents[3]


def test_four_processes_append_one_linear_log(db_url):
    AuditLog.open(db_url, hmac_key=HMAC_KEY).close()  # create the schema once
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(4) as pool:
        results = pool.starmap(append_some, [(db_url, 60, tag) for tag in range(4)])
    seqs = sorted(s for r in results for s in r)
    assert seqs == list(range(240))
    for r in results:
        assert r == sorted(r)
    log = AuditLog.open(db_url, hmac_key=HMAC_KEY)
    try:
        report = log.verify()
        assert report.ok, report.problems
        assert report.size == 240
    finally:
        log.close()


@pytest.mark.slow
def test_sigkill_at_random_moments_loses_no_acknowledged_entry(sqlite_path):
    rng = random.Random(6962)
    acked: set[int] = set()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    for _round in range(20):
        child = subprocess.Popen(
            [sys.executable, "-m", "tests.audit.store.writer_process", str(sqlite_path)],
            stdout=subprocess.PIPE, text=True, cwd=ROOT, env=env)
        assert child.stdout is not None
        for _ in range(rng.randint(1, 40)):
            line = child.stdout.readline()
            assert line.startswith("ack "), line
            acked.add(int(line.split()[1]))
        child.send_signal(signal.SIGKILL)
        for line in child.stdout:  # acks printed before the kill landed
            if line.startswith("ack "):
                acked.add(int(line.split()[1]))
        child.wait()
        log = AuditLog.open(sqlite_path, hmac_key=HMAC_KEY)
        try:
            report = log.verify()
            assert report.ok, report.problems
            assert max(acked) < report.size
            present = {e.seq for e in log.query()}
            assert acked <= present
        finally:
            log.close()
