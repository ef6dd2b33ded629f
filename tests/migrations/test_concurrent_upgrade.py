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


def _upgrade_each(start: Barrier, urls: list[str],
                  outcomes: multiprocessing.SimpleQueue[tuple[str, str]]) -> None:
    """Run in a child process: for each database, wait for the others, upgrade, report."""
    for url in urls:
        start.wait(timeout=120)
        try:
            outcomes.put((url, str(upgrade(url))))
        except MigrationError as error:
            outcomes.put((url, f"{error} <- {error.__cause__!r}"))


def upgrade_all_at_once(urls: list[str]) -> dict[str, list[str]]:
    """Upgrade each of ``urls`` with ``UPGRADERS`` processes starting together, one database
    after another (the same processes for every round: spawning is the slow part); return
    each database's outcomes."""
    start = PROCESSES.Barrier(UPGRADERS)
    outcomes: multiprocessing.SimpleQueue[tuple[str, str]] = PROCESSES.SimpleQueue()
    processes = [PROCESSES.Process(target=_upgrade_each, args=(start, urls, outcomes))
                 for _ in range(UPGRADERS)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=240)
        assert process.exitcode == 0
    found: dict[str, list[str]] = {url: [] for url in urls}
    for _ in range(UPGRADERS * len(urls)):
        url, outcome = outcomes.get()
        found[url].append(outcome)
    return found


def test_upgrades_started_together_on_an_empty_database_all_reach_head(
        tmp_path, reference_url):
    urls = [database_url_for(tmp_path / f"round{n}.db") for n in range(ROUNDS)]
    found = upgrade_all_at_once(urls)
    for url in urls:
        assert found[url] == [head()] * UPGRADERS
        assert current(url) == head()
        assert schema_of(url) == schema_of(reference_url)
