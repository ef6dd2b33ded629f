"""Run every benchmark module in ``bench/``, print a table and write ``results/latest.json``.

Usage: ``python -m bench [--quick] [--only NAME ...] [--repeats N] [--output PATH]
[--report PATH] [--package NAME]``. ``--report`` also writes the Markdown report
(``bench.report``); ``make bench`` passes ``bench/results/report.md``.
``--only`` takes a module name (``emulator``) or a benchmark name prefix
(``emulator.messages_get``). Each module runs ``--repeats`` times; the table shows the
median of the repeats, and the JSON keeps every sample. ``--package`` runs the modules of
another importable package instead of ``bench`` (the runner's own tests use it).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import pkgutil
import platform
import statistics
import sys
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
REQUIRED_KEYS = ("name", "value", "unit", "goal", "notes")

Runner = Callable[[bool], list[dict[str, Any]]]


@dataclass
class Measured:
    """Every sample of one benchmark across repeats."""

    module: str
    name: str
    unit: str
    goal: str
    notes: str
    samples: list[float] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """Return the result as written to the JSON file."""
        return {"module": self.module, "name": self.name, "value": self.median,
                "unit": self.unit, "goal": self.goal, "notes": self.notes,
                "samples": self.samples}

    @property
    def median(self) -> float:
        """Return the median of the samples."""
        return statistics.median(self.samples)


class LoadSampler:
    """Sample the 1-minute load average while the benchmarks run (how busy the machine was)."""

    def __init__(self, every_s: float = 5.0) -> None:
        self.samples: list[float] = []
        self._every = every_s
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        while not self._done.wait(self._every):
            self.samples.append(round(os.getloadavg()[0], 2))

    def start(self) -> LoadSampler:
        """Start sampling in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop sampling."""
        self._done.set()
        self._thread.join()


def discover(package: str = "bench") -> dict[str, Runner]:
    """Return every benchmark module's ``run`` in ``package`` by module name."""
    found: dict[str, Runner] = {}
    holder = importlib.import_module(package)
    for info in sorted(pkgutil.iter_modules(holder.__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{package}.{info.name}")
        run = getattr(module, "run", None)
        if callable(run):
            found[info.name] = run
    return found


def machine() -> dict[str, Any]:
    """Describe the machine the numbers come from."""
    model = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu_count": os.cpu_count(), "cpu_model": model,
            "python": platform.python_version(), "implementation": platform.python_implementation(),
            "platform": platform.platform()}


def _wanted(only: Sequence[str], module: str, name: str | None = None) -> bool:
    if not only:
        return True
    return any(o == module or (name is not None and name.startswith(o)) or
               (name is None and o.startswith(module + ".")) for o in only)


def _check(result: dict[str, Any], module: str) -> None:
    missing = [k for k in REQUIRED_KEYS if k not in result]
    if missing:
        raise ValueError(f"bench.{module}.run() returned a result without {missing}")
    if not isinstance(result["value"], int | float):
        raise ValueError(f"bench.{module}: {result['name']} has a non-numeric value")


def run_all(runners: dict[str, Runner], *, quick: bool, repeats: int,
            only: Sequence[str]) -> tuple[list[Measured], list[str]]:
    """Run each wanted module ``repeats`` times; return the measurements and failures."""
    measured: dict[str, Measured] = {}
    failures: list[str] = []
    for module, run in runners.items():
        if not _wanted(only, module):
            continue
        for repeat in range(repeats):
            print(f"running bench.{module} ({repeat + 1}/{repeats})", file=sys.stderr,
                  flush=True)
            try:
                results = run(quick)
                for result in results:
                    _check(result, module)
            except Exception:  # noqa: BLE001 - report and go on with the other modules
                failures.append(f"bench.{module}: {traceback.format_exc(limit=3)}")
                break
            for result in results:
                if not _wanted(only, module, result["name"]):
                    continue
                entry = measured.setdefault(result["name"], Measured(
                    module, result["name"], result["unit"], result["goal"], result["notes"]))
                entry.samples.append(float(result["value"]))
                entry.notes = result["notes"]
    return list(measured.values()), failures


def _format_value(value: float) -> str:
    if value == int(value) and abs(value) < 1e9:
        return f"{int(value):,}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.4g}"


def table(rows: list[Measured]) -> str:
    """Render the measurements as a plain-text table."""
    header = ("benchmark", "median", "unit", "goal", "notes")
    lines = [(m.name, _format_value(m.median), m.unit, m.goal, m.notes) for m in rows]
    widths = [max(len(str(r[i])) for r in [header, *lines]) for i in range(4)]
    out = []
    for row in [header, *lines]:
        out.append("  ".join(str(c).ljust(w) for c, w in zip(row[:4], widths, strict=True))
                   + "  " + row[4])
    out.insert(1, "  ".join("-" * w for w in widths) + "  " + "-" * 5)
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmarks; return the exit status (1 when any module failed)."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller workloads, for CI")
    parser.add_argument("--only", action="append", default=[], metavar="NAME",
                        help="module or benchmark-name prefix to run (repeatable)")
    parser.add_argument("--repeats", type=int, default=None,
                        help="runs per module; the median is reported (default 3, quick 1)")
    parser.add_argument("--output", type=Path, default=RESULTS / "latest.json")
    parser.add_argument("--report", type=Path, default=None, metavar="PATH",
                        help="also write the Markdown report (make bench: "
                             "bench/results/report.md)")
    parser.add_argument("--package", default="bench",
                        help="package whose modules are the benchmarks (default: bench)")
    args = parser.parse_args(argv)
    repeats = args.repeats if args.repeats is not None else (1 if args.quick else 3)
    if repeats < 1:
        parser.error("--repeats must be at least 1")
    try:
        runners = discover(args.package)
    except ImportError as error:
        parser.error(f"cannot import benchmark package {args.package!r}: {error}")
    unknown = [o for o in args.only if o.split(".")[0] not in runners]
    if unknown:
        parser.error(f"no benchmark module for {unknown}; modules: {sorted(runners)}")
    started = time.time()
    load_at_start = os.getloadavg()
    sampler = LoadSampler().start()
    rows, failures = run_all(runners, quick=args.quick, repeats=repeats, only=args.only)
    sampler.stop()
    report = {
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "duration_s": round(time.time() - started, 2),
        "quick": args.quick, "repeats": repeats, "machine": machine(),
        "load_average": {"start": list(load_at_start), "end": list(os.getloadavg()),
                         "samples_1min": sampler.samples},
        "results": [m.to_json() for m in rows], "failures": failures,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2) + "\n")
    info = report["machine"]
    print(f"{info['cpu_model']} x{info['cpu_count']}, Python {info['python']}; "
          f"median of {repeats} run(s){' (quick)' if args.quick else ''}")
    print(table(rows))
    for failure in failures:
        print("FAILED " + failure, file=sys.stderr)
    print(f"wrote {args.output}")
    if args.report is not None:
        from bench.report import write_report

        print(f"wrote {write_report(report, args.report)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
