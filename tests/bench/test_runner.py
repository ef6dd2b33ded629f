"""``python -m bench``: selection, exit statuses, the table and the JSON it writes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

TINY = '''
from __future__ import annotations

CALLS = []


def run(quick: bool) -> list[dict]:
    CALLS.append(quick)
    return [
        {"name": "tiny.counted", "value": len(CALLS) * 10, "unit": "runs", "goal": "none",
         "notes": "quick" if quick else "full"},
        {"name": "tiny.other", "value": 1.5, "unit": "s", "goal": "< 2 s", "notes": ""},
    ]
'''
BROKEN = '''
def run(quick: bool) -> list[dict]:
    raise RuntimeError("the broken benchmark broke")
'''
INCOMPLETE = '''
def run(quick: bool) -> list[dict]:
    return [{"name": "incomplete.x", "value": 1}]
'''


@pytest.fixture
def package(tmp_path: Path) -> Path:
    """Write a benchmark package ``tinybench`` with a working, a broken and a bad module."""
    root = tmp_path / "tinybench"
    root.mkdir()
    (root / "__init__.py").write_text('"""Benchmarks for the runner\'s tests."""\n')
    (root / "tiny.py").write_text(TINY)
    (root / "broken.py").write_text(BROKEN)
    (root / "incomplete.py").write_text(INCOMPLETE)
    (root / "_private.py").write_text(BROKEN)
    return tmp_path


def run_bench(package: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(package), str(REPO)])}
    return subprocess.run([sys.executable, "-m", "bench", "--package", "tinybench", *args],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=120)


def test_only_runs_the_named_module_and_writes_json_with_machine_info(package, tmp_path):
    output = tmp_path / "out" / "results.json"
    done = run_bench(package, "--only", "tiny", "--repeats", "3", "--output", str(output))
    assert done.returncode == 0, done.stderr
    report = json.loads(output.read_text())
    assert report["repeats"] == 3 and report["failures"] == []
    assert report["machine"]["cpu_count"] == os.cpu_count()
    assert report["machine"]["python"] == ".".join(map(str, sys.version_info[:3]))
    assert {"cpu_model", "implementation", "platform"} <= set(report["machine"])
    counted = next(r for r in report["results"] if r["name"] == "tiny.counted")
    assert counted["samples"] == [10.0, 20.0, 30.0]
    assert counted["value"] == 20.0  # the median of the repeats
    assert counted["module"] == "tiny" and counted["notes"] == "full"
    assert "tiny.counted" in done.stdout and "20" in done.stdout
    assert f"wrote {output}" in done.stdout
    assert "broken" not in done.stdout + done.stderr


def test_only_takes_a_benchmark_name_prefix(package, tmp_path):
    output = tmp_path / "results.json"
    done = run_bench(package, "--only", "tiny.other", "--quick", "--output", str(output))
    assert done.returncode == 0, done.stderr
    report = json.loads(output.read_text())
    assert [r["name"] for r in report["results"]] == ["tiny.other"]
    assert report["quick"] is True and report["repeats"] == 1


def test_an_unknown_name_exits_2_naming_the_modules(package, tmp_path):
    output = tmp_path / "results.json"
    done = run_bench(package, "--only", "nosuch", "--output", str(output))
    assert done.returncode == 2
    assert "no benchmark module for ['nosuch']" in done.stderr
    assert "['broken', 'incomplete', 'tiny']" in done.stderr
    assert not output.exists()


def test_a_failing_module_is_reported_and_exits_1_after_the_others_ran(package, tmp_path):
    output = tmp_path / "results.json"
    done = run_bench(package, "--quick", "--output", str(output))
    assert done.returncode == 1
    assert "FAILED bench.broken" in done.stderr
    assert "the broken benchmark broke" in done.stderr
    assert "FAILED bench.incomplete" in done.stderr and "without ['unit'" in done.stderr
    report = json.loads(output.read_text())
    assert {r["name"] for r in report["results"]} == {"tiny.counted", "tiny.other"}
    assert len(report["failures"]) == 2


def test_an_unimportable_package_exits_2(tmp_path):
    done = run_bench(tmp_path, "--output", str(tmp_path / "x.json"))
    assert done.returncode == 2
    assert "cannot import benchmark package 'tinybench'" in done.stderr


def test_repeats_below_one_are_refused(package, tmp_path):
    done = run_bench(package, "--repeats", "0", "--output", str(tmp_path / "x.json"))
    assert done.returncode == 2
    assert "--repeats must be at least 1" in done.stderr
