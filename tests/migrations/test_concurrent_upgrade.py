"""Several processes running ``mailguard db upgrade`` at once all succeed, one after another.

The upgraders are processes, not threads: Alembic keeps its running context in a module
global. They are spawned, not forked: a child forked while another thread of the test
process held a lock (the test runner and earlier tests leave threads running) once waited
for it forever and the round never ended.
"""

from __future__ import annotations

import multiprocessing
from multiprocessing.synchronize import Barrier

from mailguard.migrations import MigrationError, current, head, upgrade
from tests.conftest import database_url_for
from tests.migrations.schemas import schema_of

UPGRADERS = 6
ROUNDS = 3
PROCESSES = multiprocessing.get_context("spawn")


def _upgrade_after(start: Barrier, url: str, outcomes: multiprocessing.SimpleQueue[str]
                   ) -> None:
    """Run in a child process: wait for the others, upgrade, report the outcome."""
    start.wait()
    try:
        outcomes.put(str(upgrade(url)))
    except MigrationError as error:
        outcomes.put(f"{error} <- {error.__cause__!r}")


def upgrade_all_at_once(url: str) -> list[str]:
    """Run ``UPGRADERS`` processes that upgrade ``url`` together; return their outcomes."""
    start = PROCESSES.Barrier(UPGRADERS)
    outcomes: multiprocessing.SimpleQueue[str] = PROCESSES.SimpleQueue()
    processes = [PROCESSES.Process(target=_upgrade_after, args=(start, url, outcomes))
                 for _ in range(UPGRADERS)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=120)
        assert process.exitcode == 0
    return sorted(outcomes.get() for _ in processes)


def test_upgrades_started_together_on_an_empty_database_all_reach_head(
        tmp_path, reference_url):
    for n in range(ROUNDS):
        url = database_url_for(tmp_path / f"round{n}.db")
        assert upgrade_all_at_once(url) == [head()] * UPGRADERS
        assert current(url) == head()
        assert schema_of(url) == schema_of(reference_url)
