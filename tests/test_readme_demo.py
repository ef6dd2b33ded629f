"""``make run`` as the README tells a new developer to use it, twice, from a plain shell.

The demo starts its database afresh in ``instance/``; a second demo (a second ``make run``,
or one on another port) must not delete the running one's database and audit log, and a
port in use must stop it in one line before anything is touched. The line the banner prints
for reviewing the log must run in the shell that ran ``make run``, which has no activated
``.venv``.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from fakegmail.seed import DEMO_ACCOUNTS
from mailguard.cli import cli
from mailguard.demo import Demo, banner, build_demo
from mailguard.instance_lock import InstanceInUse
from tests.webclient.conftest import consent

USER = DEMO_ACCOUNTS[0][0]


@pytest.fixture
def running(tmp_path: Path) -> Iterator[Demo]:
    """Run a small demo on free ports in ``tmp_path / 'instance'``."""
    demo = build_demo(tmp_path / "instance", port=0, messages=3).start()
    try:
        yield demo
    finally:
        demo.stop()


def signed_in_inbox(demo: Demo) -> requests.Session:
    """Sign the first demo user in through the emulator's consent page."""
    session = requests.Session()
    start = session.get(demo.url + "auth/start", allow_redirects=False, timeout=10)
    back = consent(demo.emulator, start.headers["Location"], USER)
    session.get(back, timeout=10).raise_for_status()
    return session


def test_a_second_demo_on_the_same_folder_refuses_and_the_first_keeps_working(tmp_path):
    first = build_demo(tmp_path / "instance", port=0, messages=3).start()
    try:
        session = signed_in_inbox(first)
        with pytest.raises(InstanceInUse, match=r"another mailguard demo \(process \d+\) is "
                                                r"running on .*instance"):
            build_demo(tmp_path / "instance", port=0, messages=3)
        assert (tmp_path / "instance" / "demo.db").is_file()
        inbox = session.get(first.url + "u/0/f/inbox", timeout=10)
        assert inbox.status_code == 200, inbox.text[:300]
        result = CliRunner().invoke(cli, ["demo", "--port", "0", "--seed-messages", "0",
                                          "--instance", str(tmp_path / "instance")])
        assert result.exit_code == 1
        assert result.output.startswith("Error: another mailguard demo"), result.output
        assert len(result.output.strip().splitlines()) == 1
    finally:
        first.stop()
    again = build_demo(tmp_path / "instance", port=0, messages=3)  # the folder is free again
    again.web.server_close()
    again.app.extensions["mailguard.guard"].close()
    again.emulator.stop()
    again.crm.stop()
    again.lock.release()


def test_a_port_in_use_stops_the_demo_in_one_line_before_touching_the_folder(tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "demo.db").write_bytes(b"the running demo's database")
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = CliRunner().invoke(cli, ["demo", "--port", str(port), "--seed-messages", "0",
                                          "--instance", str(instance)])
    assert result.exit_code == 1
    assert result.output.strip() == (f"Error: cannot listen on 127.0.0.1:{port} (Address "
                                     "already in use); choose another --port")
    assert (instance / "demo.db").read_bytes() == b"the running demo's database"


def test_the_printed_review_line_runs_in_a_shell_without_the_venv(running, monkeypatch):
    signed_in_inbox(running)  # something to verify
    plain_path = "/usr/local/bin:/usr/bin:/bin"
    monkeypatch.setenv("PATH", plain_path)
    lines = banner(running)
    command = next(line.strip() for line in lines if line.rstrip().endswith("audit verify"))
    assert re.match(r"MAILGUARD_DATABASE_URL=\S+ MAILGUARD_AUDIT_SIGNING_KEY=\S+ \S+ audit "
                    r"verify$", command), command
    done = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=60,
                          cwd=os.getcwd(), env={"PATH": plain_path, "HOME": os.environ["HOME"]})
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("OK: "), done.stdout
