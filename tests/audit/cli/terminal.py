"""Run a command whose standard error is a terminal (a pseudo-terminal), as a person's is."""

from __future__ import annotations

import os
import pty
import subprocess
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class TerminalRun:
    """What a command printed: on standard output (a pipe) and on the terminal."""

    returncode: int
    stdout: bytes
    shown: bytes


def run_on_a_terminal(command: list[str], env: dict[str, str],
                      timeout: float = 60) -> TerminalRun:
    """Run ``command`` with standard error on a new pseudo-terminal; collect both outputs."""
    controller, terminal = pty.openpty()
    try:
        proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=terminal)
        os.close(terminal)
        terminal = -1
        shown = b""
        while True:
            try:
                chunk = os.read(controller, 4096)
            except OSError:  # the terminal closes when the process exits
                break
            if not chunk:
                break
            shown += chunk
        stdout, _ = proc.communicate(timeout=timeout)
    finally:
        os.close(controller)
        if terminal >= 0:
            os.close(terminal)
    return TerminalRun(proc.returncode, stdout, shown)
