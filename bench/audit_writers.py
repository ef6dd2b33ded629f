"""Durable audit appends beside the disk's fsync rate, 1 and 8 writers, SQLite and PostgreSQL.

Run ``python -m bench.audit_writers [--quick]``. In one run, alternating so that other
work on the machine hits both alike: the raw write+fsync rate of the folder, durable
appends from 1 and from 8 writer threads on an SQLite file in that folder and, when
``MAILGUARD_BENCH_PG_URL`` or ``MAILGUARD_TEST_PG_URL`` names a server, on a fresh
PostgreSQL database, with the server's bare commit rate beside them. Each append has
returned only once it is durable, so the fsync (or commit) rate is the physical limit of a
writer that commits alone; group commit lets many writers share one fsync and pass it.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
from pathlib import Path
from typing import Any

from bench._webstack import Database, pg_admin_url
from bench.audit import append_rate, fsync_rate, postgres_commit_rate


def run(quick: bool) -> list[dict[str, Any]]:
    """Measure fsync/s and appends/s side by side; see the module docstring."""
    rounds = 1 if quick else 3
    per_writer = {1: 300 if quick else 1500, 8: 100 if quick else 500}
    databases = ["sqlite"] + (["postgres"] if pg_admin_url() else [])
    fsyncs: list[float] = []
    appends: dict[tuple[str, int], list[float]] = {}
    cpu: dict[tuple[str, int], list[float]] = {}
    pg_commits: list[float] = []
    with tempfile.TemporaryDirectory(prefix="bench-writers-") as tmp:
        folder = Path(tmp)
        for round_number in range(rounds):
            fsyncs.append(fsync_rate(folder, 0.5 if quick else 1.0))
            for kind in databases:
                for writers in (1, 8):
                    sub = folder / f"{kind}-{writers}-{round_number}"
                    sub.mkdir()
                    db = Database.create(kind, sub)
                    try:
                        rate = append_rate(db.url, writers, per_writer[writers])
                    finally:
                        db.drop()
                    appends.setdefault((kind, writers), []).append(rate.per_second)
                    cpu.setdefault((kind, writers), []).append(rate.cpu_us)
                    if kind == "postgres" and writers == 1:
                        pg_commits.append(_pg_commit_rate(sub, 0.5 if quick else 1.0))
    fsync = statistics.median(fsyncs)
    rows: list[dict[str, Any]] = [
        {"name": "audit_writers.raw_fsync", "value": round(fsync, 1), "unit": "fsync/s",
         "goal": "context", "notes": f"512-byte write + fsync in the bench folder, median of "
                                     f"{rounds}: " + ", ".join(f"{f:.0f}" for f in fsyncs)}]
    if pg_commits:
        rows.append({
            "name": "audit_writers.postgres.raw_commit", "unit": "commits/s",
            "value": round(statistics.median(pg_commits), 1), "goal": "context",
            "notes": "bare PostgreSQL commit of one row on one connection (the server's WAL "
                     f"flush), median of {rounds}: " + ", ".join(f"{c:.0f}" for c in pg_commits)})
    for (kind, writers), rates in appends.items():
        rate = statistics.median(rates)
        rows.append({
            "name": f"audit_writers.{kind}.{writers}_writers", "value": round(rate, 1),
            "unit": "entries/s", "goal": "(reported)",
            "notes": f"durable appends, {writers} writer thread(s) x {per_writer[writers]}, "
                     f"median of {rounds}: " + ", ".join(f"{r:.0f}" for r in rates)})
        rows.append({
            "name": f"audit_writers.{kind}.{writers}_writers_cpu", "unit": "us/append",
            "value": round(statistics.median(cpu[kind, writers]), 1), "goal": "(reported)",
            "notes": "this process's CPU time (user + system, every thread) per durable "
                     "append" + (", not the server's" if kind == "postgres" else "")
                     + f", median of {rounds}: "
                     + ", ".join(f"{c:.0f}" for c in cpu[kind, writers])})
        rows.append({
            "name": f"audit_writers.{kind}.{writers}_writers_per_fsync",
            "value": round(rate / fsync, 3), "unit": "x fsync rate", "goal": "(reported)",
            "notes": "appends/s divided by the raw fsync/s measured in the same run"})
    return rows


def _pg_commit_rate(folder: Path, seconds: float) -> float:
    """Return bare commits/s on a fresh PostgreSQL database (dropped afterwards)."""
    db = Database.create("postgres", folder)
    try:
        return postgres_commit_rate(db.url, seconds)
    finally:
        db.drop()


def main() -> None:
    """Print the results as JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    print(json.dumps(run(parser.parse_args().quick), indent=2))


if __name__ == "__main__":
    main()
