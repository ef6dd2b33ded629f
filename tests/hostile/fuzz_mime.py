"""Fuzz the MIME parser + sanitiser pipeline with atheris (libFuzzer), corpus in the repo.

Run: ``python -m tests.hostile.fuzz_mime tests/hostile/corpus -max_total_time=600``
(``make hostile`` does, with ``HOSTILE_SECONDS``). New interesting inputs are written to
the corpus folder; commit the ones worth keeping. A crash leaves ``crash-<hash>`` in the
working directory: add it to the corpus under a scenario name and fix the bug.
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports():
    from tests.hostile.mime_pipeline import run_pipeline


def test_one_input(data: bytes) -> None:
    """Run one fuzzer input through the pipeline."""
    run_pipeline(data)


def main() -> None:
    """Start libFuzzer with the command-line arguments."""
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
