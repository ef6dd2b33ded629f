"""The performance report: each ratio from the run's figures, goals, and ``--report``."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from bench.report import fmt, merge, render, write_report

REPO = Path(__file__).resolve().parents[2]


def _result(name: str, value: float, unit: str = "x", notes: str = "",
            samples: list[float] | None = None) -> dict:
    return {"module": name.split(".")[0], "name": name, "value": value, "unit": unit,
            "goal": "", "notes": notes, "samples": samples or [value]}


def _run(*results: dict, failures: list[str] | None = None) -> dict:
    return {"generated_at": "2025-03-01T12:00:00Z", "duration_s": 12.5, "quick": False,
            "repeats": 3, "load_average": {"start": [3.5, 2, 1], "end": [4.25, 3, 2],
                             "samples_1min": [6.0, 2.5, 9.75]},
            "machine": {"cpu_count": 2, "cpu_model": "Test CPU 9000", "python": "3.11.7",
                        "implementation": "CPython", "platform": "Linux-test"},
            "results": list(results), "failures": failures or []}


def test_each_comparison_is_a_ratio_of_two_figures_of_the_same_run():
    text = render(_run(
        _result("policy.decision.median", 1.2, "µs", samples=[1.1, 1.2, 1.5]),
        _result("policy.cedar.median", 84.0, "µs"),
        _result("audit_writers.raw_fsync", 2000.0, "fsync/s"),
        _result("audit_writers.sqlite.1_writers", 1000.0, "entries/s"),
        _result("audit_writers.postgres.8_writers", 6000.0, "entries/s"),
        _result("audit.verify_sqlite", 70000.0, "entries/s",
                notes="1000000 entries; raw SHA-256 over the same bytes 1400000/s; filled"),
        _result("webclient.rtt.mailguard.cold_s", 0.4, "s"),
        _result("webclient.rtt.simplegmail.cold_s", 1.6, "s"),
        _result("webclient.fault.mailguard.warm_s", 2.0, "s"),
        _result("webclient.fault.ezgmail.warm_s", 0.5, "s"),
        _result("guard.overhead_share", 5.0, "%",
                notes="messages.get ...; bare median 20.00 ms, guarded median 21.00 ms"),
        _result("guard.overhead_per_call", 1.0, "ms"),
    ))
    assert "Test CPU 9000, 2 cores" in text
    assert "disk 2,000 fsync/s" in text
    assert ("load average 3.50 at the start and 4.25 at the end, median 6.00 and highest "
            "9.75 over 3 samples during the run, on 2 cores") in text
    assert "| 1.20 µs | 84.0 µs | Cedar 70.0× slower | median of 3 runs (1.10–1.50)" in text
    assert "SQLite, 1 writer vs the disk's fsync rate | 1,000/s | 2,000 fsync/s | 0.5×" in text
    assert "PostgreSQL, 8 writers vs the disk's fsync rate | 6,000/s | 2,000 fsync/s | 3.00×" \
        in text
    assert "5% of raw hashing" in text
    assert "cold inbox, 50 items, vs `simplegmail` (100 ms per HTTP round trip) | 0.4 s | " \
           "1.60 s | 4.00× faster" in text
    assert "warm inbox, 50 items, vs `ezgmail` (emulator fault, 100 ms per call) | 2.00 s | " \
           "0.5 s | 4.00× slower" in text
    assert "| 1.00 ms | 20.00 ms call | 5.00% of the call |" in text


def test_a_comparison_the_run_did_not_measure_says_so_instead_of_a_number():
    text = render(_run(_result("policy.decision.median", 1.2, "µs")))
    assert "| guard decision vs AWS Cedar (`cedarpy`), same requests | not measured" in text
    assert "- warm inbox, 2 workers, SQLite, ≥ 300 pages/s: not measured in this run" in text
    assert "The load test did not run." in text


def test_goals_say_met_or_not_met_with_the_figure():
    text = render(_run(
        _result("load.sqlite.inbox.2_workers.throughput", 120.0, "req/s"),
        _result("load.sqlite.inbox_half_load.2_workers.p99", 45.0, "ms"),
        _result("audit.append_4_processes_x8_threads_postgres", 7000.0, "entries/s"),
    ))
    assert "- warm inbox, 2 workers, SQLite, ≥ 300 pages/s: **120 pages/s**, not met" in text
    assert "- p99 < 100 ms at half that load: **45.0 ms**, met" in text
    assert "≥ 5,000 durable audit appends/s: **7,000/s**, met" in text


def test_the_load_table_has_a_row_per_path_and_worker_count_with_the_audit_verdict():
    rows = []
    for workers, verified in ((1, 1.0), (2, 0.0)):
        prefix = f"load.postgres.send.{workers}_workers"
        rows += [_result(prefix + ".throughput", 50.0 * workers, "req/s"),
                 _result(prefix + ".p50", 10.0, "ms"), _result(prefix + ".p95", 20.0, "ms"),
                 _result(prefix + ".p99", 30.0, "ms"),
                 _result(prefix + ".error_rate", 0.5, "%"),
                 _result(prefix + ".quota_units_per_request", 101.0, "units"),
                 _result(f"load.postgres.audit_verified.{workers}_workers", verified)]
    text = render(_run(*rows))
    assert "| postgres | send | 1 | 50.0 | 10.0 | 20.0 | 30.0 | 0.50% | 101 | yes |" in text
    assert "| postgres | send | 2 | 100 | 10.0 | 20.0 | 30.0 | 0.50% | 101 | no |" in text


def test_failed_benchmarks_are_listed():
    text = render(_run(failures=["bench.load: Traceback (most recent call last):\n  boom"]))
    assert "## Benchmarks that failed in this run" in text
    assert "- `bench.load: Traceback (most recent call last):`" in text


def test_write_report_creates_the_folder_and_names_the_measured_commit(tmp_path):
    path = write_report(_run(), tmp_path / "deep" / "report.md")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# MailGuard performance report")
    assert re.search(r"Report written at commit [0-9a-f]{7,}", text)


def test_fmt_keeps_about_three_significant_digits():
    assert [fmt(v) for v in (0, 0.01234, 1.234, 12.34, 123.4, 12345.6)] == [
        "0", "0.0123", "1.23", "12.3", "123", "12,346"]


def test_the_runner_writes_the_report_beside_the_json_when_asked(tmp_path):
    package = tmp_path / "reportbench"
    package.mkdir()
    (package / "__init__.py").write_text('"""Benchmarks for the report test."""\n')
    (package / "policy.py").write_text(
        "def run(quick):\n"
        "    return [{'name': 'policy.decision.median', 'value': 2.0, 'unit': 'µs',\n"
        "             'goal': '< 5', 'notes': ''},\n"
        "            {'name': 'policy.cedar.median', 'value': 50.0, 'unit': 'µs',\n"
        "             'goal': '', 'notes': ''}]\n")
    output, report = tmp_path / "out.json", tmp_path / "report.md"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(REPO)])}
    done = subprocess.run([sys.executable, "-m", "bench", "--package", "reportbench",
                           "--repeats", "2", "--output", str(output), "--report", str(report)],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert f"wrote {report}" in done.stdout
    assert "Cedar 25.0× slower | median of 2 runs (2.00–2.00)" in report.read_text()
    saved = json.loads(output.read_text())
    assert set(saved["load_average"]) == {"start", "end", "samples_1min"}


def test_a_later_run_replaces_the_modules_it_measured_and_the_report_says_so():
    first = _run(_result("guard.overhead_share", 1.0, "%"), _result("policy.cedar.median", 9.0),
                 failures=["bench.guard: Traceback", "bench.load: Traceback"])
    later = _run(_result("guard.overhead_share", 4.0, "%"))
    later["generated_at"] = "2025-03-01T13:00:00Z"
    merged = merge([first, later])
    assert {r["name"]: r["value"] for r in merged["results"]} == {
        "guard.overhead_share": 4.0, "policy.cedar.median": 9.0}
    assert merged["failures"] == ["bench.load: Traceback"]
    assert "Modules guard re-run at 2025-03-01T13:00:00Z (3 repeats)." in render(merged)


def test_the_report_says_where_a_warm_inbox_page_spends_the_machine_cpu():
    notes = ("user+system CPU of the gunicorn workers over 900 requests; on the same cores "
             "the Gmail emulator used 1.02 ms and the load generator 0.61 ms per request")
    text = render(_run(_result("load.sqlite.inbox.2_workers.server_cpu_ms_per_request", 5.5,
                               "ms", notes, samples=[5.4, 5.5, 5.9])))
    assert ("CPU per warm inbox page under load (2 workers, SQLite): the web workers 5.50 ms "
            "(median of 3 runs (5.40–5.90)); on the same cores the Gmail emulator used 1.02 ms "
            "and the load generator 0.61 ms per request. All of it comes out of the same 2 "
            "cores.") in text
    assert "CPU per warm inbox page" not in render(_run())
