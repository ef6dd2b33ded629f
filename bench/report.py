"""Write ``bench/results/report.md`` from one run of ``python -m bench``.

Every line of the report is a ratio of two figures measured in the same run on the same
machine: the guard beside Cedar, audit appends beside the disk's fsync rate, verification
beside raw SHA-256, the inbox beside simplegmail and ezgmail, the guard's overhead beside
the Gmail call it guards. Each figure is the median of the run's repeats. Run
``python -m bench.report [--input results/latest.json] [--output results/report.md]`` to
rewrite the report from a saved JSON file.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
MODELS = {"rtt": "100 ms per HTTP round trip", "fault": "emulator fault, 100 ms per call"}


@dataclass(frozen=True, slots=True)
class Figure:
    """One benchmark's median with its samples, unit and notes."""

    value: float
    unit: str
    samples: tuple[float, ...]
    notes: str

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Figure:
        """Build a figure from one result of the runner's JSON."""
        samples = tuple(float(s) for s in data.get("samples") or (data["value"],))
        return cls(float(data["value"]), str(data["unit"]), samples, str(data["notes"]))

    @property
    def spread(self) -> str:
        """Describe the repeats: their count and range."""
        if len(self.samples) == 1:
            return "1 run"
        return (f"median of {len(self.samples)} runs ({fmt(min(self.samples))}–"
                f"{fmt(max(self.samples))})")


def fmt(value: float) -> str:
    """Format a figure with about three significant digits and thousands separators."""
    if value == 0:
        return "0"
    size = abs(value)
    if size >= 1000:
        return f"{value:,.0f}"
    if size >= 100:
        return f"{value:.0f}"
    if size >= 10:
        return f"{value:.1f}"
    if size >= 1:
        return f"{value:.2f}"
    return f"{value:.3g}"


class Figures:
    """The run's figures by benchmark name."""

    def __init__(self, report: Mapping[str, Any]) -> None:
        self.by_name = {r["name"]: Figure.from_json(r) for r in report.get("results", ())}

    def get(self, name: str) -> Figure | None:
        """Return the figure called ``name``, if the run measured it."""
        return self.by_name.get(name)

    def value(self, name: str) -> float | None:
        """Return the median called ``name``, if measured."""
        figure = self.by_name.get(name)
        return None if figure is None else figure.value


def _meminfo_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        return None
    return None


def _ratio_line(what: str, ours: Figure | None, ours_label: str, ref: Figure | None,
                ref_label: str, ratio: str) -> str:
    if ours is None or ref is None:
        return f"| {what} | not measured in this run | | | |"
    return (f"| {what} | {ours_label} | {ref_label} | {ratio} | {ours.spread}; "
            f"reference {ref.spread} |")


def _faster(ours_s: float, theirs_s: float) -> str:
    """Say how many times faster (or slower) our time is than theirs."""
    if ours_s <= theirs_s:
        return f"{fmt(theirs_s / ours_s)}× faster"
    return f"{fmt(ours_s / theirs_s)}× slower"


def _sha_rate(verify: Figure | None) -> Figure | None:
    """Return the raw SHA-256 rate the audit benchmark notes beside its verification."""
    if verify is None:
        return None
    found = re.search(r"raw SHA-256 over the same bytes (\d+)/s", verify.notes)
    if found is None:
        return None
    rate = float(found.group(1))
    return Figure(rate, "entries/s", (rate,), "from the last repeat's notes")


def ratio_section(figures: Figures) -> list[str]:
    """Return the side-by-side table."""
    lines = ["| comparison | MailGuard | reference | ratio | repeats |", "|---|---|---|---|---|"]
    ours, cedar = figures.get("policy.decision.median"), figures.get("policy.cedar.median")
    lines.append(_ratio_line(
        "guard decision vs AWS Cedar (`cedarpy`), same requests", ours,
        f"{fmt(ours.value)} µs" if ours else "", cedar,
        f"{fmt(cedar.value)} µs" if cedar else "",
        f"Cedar {fmt(cedar.value / ours.value)}× slower" if ours and cedar else ""))
    fsync = figures.get("audit_writers.raw_fsync") or figures.get("audit.raw_fsync")
    for kind, label in (("sqlite", "SQLite"), ("postgres", "PostgreSQL")):
        for writers in (1, 8):
            rate = figures.get(f"audit_writers.{kind}.{writers}_writers")
            lines.append(_ratio_line(
                f"durable audit appends, {label}, {writers} writer"
                f"{'s' if writers > 1 else ''} vs the disk's fsync rate", rate,
                f"{fmt(rate.value)}/s" if rate else "", fsync,
                f"{fmt(fsync.value)} fsync/s" if fsync else "",
                f"{fmt(rate.value / fsync.value)}× the fsync rate" if rate and fsync else ""))
    for threads in (1, 8):
        procs = figures.get(f"audit.append_4_processes_x{threads}_threads_postgres")
        if procs is not None and fsync is not None:
            lines.append(_ratio_line(
                f"durable audit appends, PostgreSQL, 4 writer processes × {threads} "
                "thread(s) vs the disk's fsync rate", procs, f"{fmt(procs.value)}/s", fsync,
                f"{fmt(fsync.value)} fsync/s", f"{fmt(procs.value / fsync.value)}× the "
                "fsync rate"))
    verify = figures.get("audit.verify_sqlite")
    sha = _sha_rate(verify)
    lines.append(_ratio_line(
        "audit verification vs raw SHA-256 over the same bytes", verify,
        f"{fmt(verify.value)} entries/s" if verify else "", sha,
        f"{fmt(sha.value)} hashes/s" if sha else "",
        f"{100 * verify.value / sha.value:.0f}% of raw hashing" if verify and sha else ""))
    for model, model_label in MODELS.items():
        for phase in ("cold", "warm"):
            mine = figures.get(f"webclient.{model}.mailguard.{phase}_s")
            for other in ("simplegmail", "ezgmail"):
                theirs = figures.get(f"webclient.{model}.{other}.{phase}_s")
                lines.append(_ratio_line(
                    f"{phase} inbox, 50 items, vs `{other}` ({model_label})", mine,
                    f"{fmt(mine.value)} s" if mine else "", theirs,
                    f"{fmt(theirs.value)} s" if theirs else "",
                    _faster(mine.value, theirs.value) if mine and theirs else ""))
    share, per_call = figures.get("guard.overhead_share"), figures.get("guard.overhead_per_call")
    if share is not None and per_call is not None:
        bare = re.search(r"bare median ([\d.]+) ms", share.notes)
        lines.append(f"| guard overhead per Gmail call (decision, durable audit append, "
                     f"parsing) vs the call | {fmt(per_call.value)} ms | "
                     f"{bare.group(1) + ' ms call' if bare else 'the bare call'} | "
                     f"{fmt(share.value)}% of the call | {share.spread} |")
    else:
        lines.append("| guard overhead per Gmail call | not measured in this run | | | |")
    return lines


def load_section(figures: Figures) -> list[str]:
    """Return the load test's table: throughput and latency per database and workers."""
    lines = ["| database | path | workers | req/s | p50 ms | p95 ms | p99 ms | errors | "
             "Gmail units/req | audit verified |", "|---|---|---|---|---|---|---|---|---|---|"]
    found = False
    for kind in ("sqlite", "postgres"):
        for path in ("inbox", "inbox_half_load", "view", "send"):
            for workers in (1, 2, 4):
                prefix = f"load.{kind}.{path}.{workers}_workers"
                rate = figures.get(prefix + ".throughput")
                if rate is None:
                    continue
                found = True
                cells = [fmt(figures.value(prefix + f".{p}") or 0) for p in ("p50", "p95",
                                                                             "p99")]
                errors = figures.value(prefix + ".error_rate") or 0.0
                units = figures.value(prefix + ".quota_units_per_request")
                verified = figures.value(f"load.{kind}.audit_verified.{workers}_workers")
                label = {"inbox": "warm inbox", "inbox_half_load": "warm inbox, half load",
                         "view": "message view", "send": "send"}[path]
                lines.append(f"| {kind} | {label} | {workers} | {fmt(rate.value)} | "
                             + " | ".join(cells) + f" | {errors:.2f}% | "
                             + ("–" if units is None else fmt(units)) + " | "
                             + ("yes" if verified == 1 else "no" if verified is not None
                                else "?") + " |")
    return lines if found else ["The load test did not run."]


def inbox_section(figures: Figures) -> list[str]:
    """Return the inbox round-trip table of the web-client benchmark."""
    lines = ["| latency model | client | cold s | cold round trips (sequential / all) | "
             "warm s | warm round trips (sequential / all) | warm time not waiting for "
             "Gmail, ms | Gmail quota units cold / warm |", "|---|---|---|---|---|---|---|---|"]
    found = False
    for model, label in MODELS.items():
        for who in ("mailguard", "simplegmail", "ezgmail"):
            base = f"webclient.{model}.{who}"
            cold = figures.get(base + ".cold_s")
            if cold is None:
                continue
            found = True
            all_trips = re.search(r"(\d+) HTTP round trips", cold.notes)
            lines.append(
                f"| {label} | {who} | {fmt(cold.value)} | "
                f"{fmt(figures.value(base + '.cold_sequential_round_trips') or 0)} / "
                f"{all_trips.group(1) if all_trips else '?'} | "
                f"{fmt(figures.value(base + '.warm_s') or 0)} | "
                f"{fmt(figures.value(base + '.warm_sequential_round_trips') or 0)} / "
                f"{fmt(figures.value(base + '.warm_round_trips') or 0)} | "
                f"{fmt(figures.value(base + '.warm_render_ms') or 0)} | "
                f"{fmt(figures.value(base + '.cold_quota_units') or 0)} / "
                f"{fmt(figures.value(base + '.warm_quota_units') or 0)} |")
    return lines if found else ["The web-client benchmark did not run."]


def _goal(text: str, value: float | None, met: bool | None, shown: str) -> str:
    if value is None or met is None:
        return f"- {text}: not measured in this run"
    return f"- {text}: **{shown}**, {'met' if met else 'not met'}"


def goals_section(figures: Figures) -> list[str]:
    """Return the issue's goals with what this run measured."""
    inbox = figures.value("load.sqlite.inbox.2_workers.throughput")
    p99 = figures.value("load.sqlite.inbox_half_load.2_workers.p99")
    cold = figures.value("webclient.rtt.mailguard.cold_s")
    seq = figures.value("webclient.rtt.mailguard.cold_sequential_round_trips")
    warm = figures.value("webclient.rtt.mailguard.warm_round_trips")
    render = figures.value("webclient.rtt.mailguard.warm_render_ms")
    pg = (figures.value("audit.append_4_processes_x8_threads_postgres")
          or figures.value("audit.append_4_processes_postgres"))
    return [
        _goal("warm inbox, 2 workers, SQLite, ≥ 300 pages/s", inbox,
              None if inbox is None else inbox >= 300, f"{fmt(inbox or 0)} pages/s"),
        _goal("p99 < 100 ms at half that load", p99, None if p99 is None else p99 < 100,
              f"{fmt(p99 or 0)} ms"),
        _goal("cold inbox ≤ 3 sequential Gmail round trips, < 0.5 s (100 ms per round "
              "trip)", cold, None if cold is None or seq is None else seq <= 3 and cold < 0.5,
              f"{fmt(seq or 0)} sequential, {fmt(cold or 0)} s"),
        _goal("warm inbox: 1 Gmail round trip, render p50 < 20 ms", warm,
              None if warm is None or render is None else warm <= 1 and render < 20,
              f"{fmt(warm or 0)} round trips, {fmt(render or 0)} ms"),
        _goal("PostgreSQL, 4 processes: ≥ 5,000 durable audit appends/s", pg,
              None if pg is None else pg >= 5000, f"{fmt(pg or 0)}/s"),
    ]


def source_revision(folder: Path = RESULTS.parent) -> str | None:
    """Return the git commit of the working tree the run measured, marked when modified."""
    import subprocess

    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=folder,  # noqa: S607
                              capture_output=True, text=True, timeout=10, check=True)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],  # noqa: S607
                               cwd=folder, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return head.stdout.strip() + (" with uncommitted changes" if dirty.stdout.strip() else "")


def render(report: Mapping[str, Any], revision: str | None = None) -> str:
    """Return the Markdown report for one run's JSON."""
    figures = Figures(report)
    info = report.get("machine", {})
    fsync = figures.get("audit_writers.raw_fsync") or figures.get("audit.raw_fsync")
    memory = _meminfo_gib()
    load = report.get("load_average") or {}
    rss = figures.get("webclient.worker_rss_mib")
    pages = figures.get("webclient.warm_inbox.2_workers.pages_per_s")
    out = [
        "# MailGuard performance report", "",
        f"Written by `make bench` from the run of {report.get('generated_at', '?')} "
        f"({report.get('duration_s', '?')} s, {report.get('repeats', '?')} repeats per "
        f"benchmark{', quick workloads' if report.get('quick') else ''}). Each figure is the "
        "median of the repeats; each comparison was measured side by side in that run."
        + (f" Report written at commit {revision}." if revision else "")
        + "".join(f" Modules {r}." for r in report.get("reruns", ())), "",
        f"- Machine: {info.get('cpu_model', '?')}, {info.get('cpu_count', '?')} cores, "
        + (f"{memory:.1f} GiB memory, " if memory else "")
        + (f"disk {fmt(fsync.value)} fsync/s (512-byte write + fsync)" if fsync else
           "disk fsync rate not measured")
        + f"; {info.get('implementation', 'Python')} {info.get('python', '?')} on "
        f"{info.get('platform', '?')}.",
    ]
    if load:
        sampled = sorted(load.get("samples_1min") or ())
        during = (f", median {sampled[len(sampled) // 2]:.2f} and highest {sampled[-1]:.2f} "
                  f"over {len(sampled)} samples during the run" if sampled else "")
        out.append(f"- Load: 1-minute load average {load.get('start', ['?'])[0]:.2f} at the "
                   f"start and {load.get('end', ['?'])[0]:.2f} at the end{during}, on "
                   f"{info.get('cpu_count', '?')} cores shared with other work; figures "
                   "that need CPU are conservative.")
    out += ["", "## Side by side", "", *ratio_section(figures), "",
            "## Load test", "",
            "The web client under gunicorn (8 threads per worker) against the Gmail "
            "emulator in its own process; one signed-in session driven by two client "
            "processes with four keep-alive connections each, each run bounded in time and "
            "request count, loopback only. The half-load run paces arrivals at half the "
            "flat-out rate and counts latency from each request's scheduled start.", "",
            *load_section(figures), "",
            "## Inbox round trips at 100 ms latency", "",
            "Round trips counted by a recording proxy between the client and the emulator. "
            "The emulator's fault applies its latency to every call inside a batch one "
            "after another; the per-round-trip model charges each HTTP request once.", "",
            *inbox_section(figures), ""]
    cpu = figures.get("load.sqlite.inbox.2_workers.server_cpu_ms_per_request")
    if cpu is not None:
        out.append(f"CPU per warm inbox page under load (2 workers, SQLite): the web workers "
                   f"{fmt(cpu.value)} ms ({cpu.spread}); {cpu.notes.split('; ', 1)[-1]}. "
                   f"All of it comes out of the same {info.get('cpu_count', '?')} cores.")
        out.append("")
    if pages is not None:
        out.append(f"Warm inbox with 2 workers and no added latency: {fmt(pages.value)} "
                   f"pages/s ({pages.spread})"
                   + (f"; largest worker {fmt(rss.value)} MiB resident." if rss else "."))
        out.append("")
    out += ["## Goals", "", *goals_section(figures), ""]
    failures = report.get("failures") or []
    if failures:
        out += ["## Benchmarks that failed in this run", ""]
        out += [f"- `{f.splitlines()[0]}`" for f in failures]
        out.append("")
    return "\n".join(out)


def write_report(report: Mapping[str, Any], path: Path) -> Path:
    """Write the Markdown report for ``report`` to ``path``; return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(report, source_revision()), encoding="utf-8")
    return path


def merge(runs: list[Mapping[str, Any]]) -> dict[str, Any]:
    """Return the first run with the modules that later runs measured taken from them.

    The report then says which modules were re-run and when, and keeps only the failures
    of modules no later run replaced.
    """
    merged = dict(runs[0])
    results = list(merged.get("results", ()))
    failures = list(merged.get("failures", ()))
    reruns = []
    for later in runs[1:]:
        modules = {r["module"] for r in later.get("results", ())}
        results = [r for r in results if r["module"] not in modules] + list(later["results"])
        failures = [f for f in failures
                    if f.split(":", 1)[0].removeprefix("bench.") not in modules]
        failures += list(later.get("failures", ()))
        reruns.append(f"{', '.join(sorted(modules))} re-run at {later.get('generated_at')} "
                      f"({later.get('repeats')} repeats)")
    merged.update(results=results, failures=failures, reruns=reruns)
    return merged


def main(argv: list[str] | None = None) -> int:
    """Rewrite the report from saved JSON files (later files replace re-run modules)."""
    import json

    parser = argparse.ArgumentParser(prog="python -m bench.report", description=__doc__)
    parser.add_argument("--input", type=Path, action="append", default=[],
                        help="a run's JSON (default results/latest.json); repeat to take "
                             "re-run modules from later files")
    parser.add_argument("--output", type=Path, default=RESULTS / "report.md")
    args = parser.parse_args(argv)
    inputs = args.input or [RESULTS / "latest.json"]
    runs = [json.loads(path.read_text(encoding="utf-8")) for path in inputs]
    written = write_report(merge(runs), args.output)
    print(f"wrote {written}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
