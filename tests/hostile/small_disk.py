"""A real, small filesystem that a test can fill up and turn read-only, then give back.

``SmallDisk`` mounts a tmpfs of a few MiB in a test folder (root only, as CI runs). The
disk is filled with one file that takes every free byte (``fill``), so the next write
that needs a new page meets ENOSPC, and emptied again (``free``); ``read_only`` and
``writable`` remount it. These are the kernel's own answers (ENOSPC, EROFS), not mocks.

Linux refuses to remount a filesystem read-only while any file on it is open for writing
("mount point is busy"), so ``read_only`` raises ``DiskBusy`` naming that rule when a
test still holds database files open; a test releases them first (the state a server's
connections are in when the disk turned read-only while they were being replaced).
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: Size of the test filesystem: room for the web client's database and some growth.
DISK_BYTES = 16 * 1024 * 1024
_FILLER = ".filler"


class DiskBusy(RuntimeError):
    """The kernel refused a remount because files on the disk are open for writing."""


def mount_refusal() -> str | None:
    """Return why a tmpfs cannot be mounted here (not root, no mount), or None when it can."""
    if os.geteuid() != 0:
        return "mounting a tmpfs needs root (CI runs as root); run these tests as root"
    if shutil.which("mount") is None or shutil.which("umount") is None:
        return "the mount and umount commands are not installed"
    return None


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, check=False)  # noqa: S603


class SmallDisk:
    """A tmpfs mounted at ``path``; fill it, empty it, make it read-only or writable."""

    def __init__(self, path: Path, size: int = DISK_BYTES) -> None:
        self.path = path
        self.size = size
        self.mounted = False

    def mount(self) -> None:
        """Mount the tmpfs (raise RuntimeError with the kernel's reason when it fails)."""
        self.path.mkdir(parents=True, exist_ok=True)
        done = _run("mount", "-t", "tmpfs", "-o", f"size={self.size},mode=0700", "tmpfs",
                    str(self.path))
        if done.returncode != 0:
            raise RuntimeError(f"mounting a tmpfs at {self.path} failed: {done.stderr.strip()}")
        self.mounted = True

    def unmount(self) -> None:
        """Unmount (lazily if files are still open); safe to call twice."""
        if not self.mounted:
            return
        if _run("umount", str(self.path)).returncode != 0:
            _run("umount", "-l", str(self.path))
        self.mounted = False

    def free_bytes(self) -> int:
        """Return the bytes still free on the disk."""
        stat = os.statvfs(self.path)
        return stat.f_bavail * stat.f_frsize

    def fill(self) -> None:
        """Take every free byte, so the next write that needs space fails with ENOSPC."""
        fd = os.open(self.path / _FILLER, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            page = b"\0" * 4096
            while True:
                try:
                    os.write(fd, page * 16)
                except OSError as error:
                    if error.errno != errno.ENOSPC:
                        raise
                    break
            while True:  # the last partial pages
                try:
                    os.write(fd, page)
                except OSError as error:
                    if error.errno != errno.ENOSPC:
                        raise
                    break
        finally:
            os.close(fd)
        if self.free_bytes() != 0:
            raise AssertionError(f"the disk still has {self.free_bytes()} free bytes")

    def free(self) -> None:
        """Give the space back (remove the filler)."""
        (self.path / _FILLER).unlink(missing_ok=True)

    def read_only(self) -> None:
        """Remount read-only; raise DiskBusy while files are open for writing."""
        done = _run("mount", "-o", "remount,ro", str(self.path))
        if done.returncode != 0:
            raise DiskBusy(f"the kernel refused to remount {self.path} read-only "
                           f"({done.stderr.strip().splitlines()[0]}): files on it are open "
                           "for writing; release them first")

    def writable(self) -> None:
        """Remount read-write."""
        done = _run("mount", "-o", "remount,rw", str(self.path))
        if done.returncode != 0:
            raise RuntimeError(f"remounting {self.path} read-write failed: "
                               f"{done.stderr.strip()}")

    def is_read_only(self) -> bool:
        """Return whether the kernel reports the disk read-only."""
        return bool(os.statvfs(self.path).f_flag & os.ST_RDONLY)


@contextmanager
def small_disk_at(path: Path, size: int = DISK_BYTES) -> Iterator[SmallDisk]:
    """Mount a ``SmallDisk`` at ``path`` for the block; always unmount, even on failure."""
    disk = SmallDisk(path, size)
    disk.mount()
    try:
        yield disk
    finally:
        try:
            disk.writable()
        except RuntimeError:
            pass
        disk.unmount()
