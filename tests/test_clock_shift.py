"""MAILGUARD_TEST_NOW moves the wall clock of a test session, and only the wall clock."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = '''
import time
from datetime import UTC, datetime

def test_the_session_starts_at_the_chosen_moment_and_the_clock_runs_on():
    first = datetime.now(UTC)
    assert (first.year, first.month, first.day, first.hour) == (2031, 12, 31, 23)
    began = time.monotonic()
    time.sleep(0.05)
    assert time.monotonic() - began >= 0.05
    assert datetime.now(UTC) > first
'''


def run_probe(tmp_path: Path, moment: str) -> subprocess.CompletedProcess[str]:
    probe = tmp_path / "test_probe.py"
    probe.write_text(PROBE)
    env = dict(os.environ, MAILGUARD_TEST_NOW=moment, PYTHONPATH=str(ROOT))
    return subprocess.run(  # noqa: S603 - this interpreter running pytest on the probe
        [sys.executable, "-m", "pytest", "-p", "tests.clock_shift", "-p",
         "no:cacheprovider", "--rootdir", str(tmp_path), str(probe)],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120, check=False)


def test_the_variable_moves_the_wall_clock(tmp_path):
    done = run_probe(tmp_path, "2031-12-31T23:59:58Z")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "wall clock started at 2031-12-31T23:59:58+00:00" in done.stdout


def test_a_moment_without_a_time_zone_is_refused(tmp_path):
    done = run_probe(tmp_path, "2031-12-31T23:59:58")
    assert done.returncode != 0
    assert "needs a time zone" in done.stdout + done.stderr
