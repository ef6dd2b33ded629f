"""Hold the demo's instance folder for one running demo at a time.

``mailguard demo`` starts its database afresh in the instance folder. A second demo started
on the same folder (a second ``make run``, or one on another ``--port``) would delete the
database, audit log included, under the running one, which then refuses every page. The
lock is an advisory ``flock`` on ``demo.lock`` in the folder: the kernel drops it when the
holder exits, however it exits, so a demo that was killed leaves nothing to clean up.
"""

from __future__ import annotations

import fcntl
import os
from dataclasses import dataclass
from pathlib import Path
from typing import IO

LOCK_FILE = "demo.lock"


class InstanceInUse(Exception):
    """Another running demo holds the instance folder; stop it or use another folder."""


@dataclass
class InstanceLock:
    """The held lock of one instance folder; ``release`` lets another demo have it."""

    folder: Path
    _handle: IO[str] | None

    @classmethod
    def acquire(cls, folder: Path) -> InstanceLock:
        """Lock ``folder`` for this process; raise InstanceInUse naming the holder."""
        folder.mkdir(parents=True, exist_ok=True)
        handle = open(folder / LOCK_FILE, "a+", encoding="utf-8")  # noqa: SIM115 - kept open
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip()
            handle.close()
            who = f" (process {holder})" if holder.isdigit() else ""
            raise InstanceInUse(
                f"another mailguard demo{who} is running on {folder}; stop it with Ctrl+C "
                "first, or give this one its own --instance folder") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        return cls(folder=folder, _handle=handle)

    def release(self) -> None:
        """Let another demo use the folder (the lock file stays, unlocked)."""
        if self._handle is not None:
            fcntl.flock(self._handle, fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None
