"""Hostile suites: the web client and the guard against the Gmail emulator, attacked.

The fixtures are the web client suite's (a real OAuth sign-in, the real guard, the
emulator); this package adds the attacks. ``HOSTILE_SECONDS`` (set by ``make hostile``)
turns the short runs of the fault session and the fuzzer into long ones.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from fakegmail.server import EmulatorServer
from tests.hostile.rendered_mail import Reader, signed_in_reader
from tests.hostile.small_disk import SmallDisk, mount_refusal, small_disk_at
from tests.webclient.conftest import (  # noqa: F401 - fixtures shared with the web suite
    app,
    client,
    mailbox,
    signed_in,
    web_emulator,
)


def hostile_seconds(default: float) -> float:
    """Return the time budget of a long run (``HOSTILE_SECONDS``) or ``default``."""
    return float(os.environ.get("HOSTILE_SECONDS") or default)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[SmallDisk]:
    """Return a 16 MiB tmpfs mounted at ``tmp_path/disk``; unmounted after the test.

    Skips, naming the reason, only where mounting is impossible (a developer machine
    without root); CI and the project's machines run as root, where it always runs.
    """
    refusal = mount_refusal()
    if refusal is not None:
        pytest.skip(refusal)
    with small_disk_at(tmp_path / "disk") as disk:
        yield disk


@pytest.fixture(scope="module")
def mail_reader(web_emulator: EmulatorServer,  # noqa: F811 - the fixture imported above
                tmp_path_factory: pytest.TempPathFactory) -> Iterator[Reader]:
    """Return one user signed in for the whole module, who reads the hostile mail."""
    with signed_in_reader(web_emulator, tmp_path_factory.mktemp("reader")) as reader:
        yield reader


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "hostile_long: a long run for `make hostile` only "
                            "(collected only when HOSTILE_SECONDS is set)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Leave the long runs out unless ``HOSTILE_SECONDS`` gives them a budget."""
    if hostile_seconds(0):
        return
    long_runs = [item for item in items if item.get_closest_marker("hostile_long")]
    if long_runs:
        config.hook.pytest_deselected(items=long_runs)
        items[:] = [item for item in items if not item.get_closest_marker("hostile_long")]
