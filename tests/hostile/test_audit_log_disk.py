"""The audit log on a real disk that fills up or turns read-only: refuse, write nothing, resume.

The log's SQLite file lives on a small tmpfs (``small_disk``). When the disk is full every
append raises ``AuditUnavailable`` and leaves no trace (the entry count and the tree stay
as they were); when space returns, appends resume on the same log, numbered right after
the last acknowledged entry, and the log verifies. The same for a read-only remount.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from audit import AuditError, AuditLog, AuditUnavailable
from tests.audit.store.conftest import HMAC_KEY, make_event
from tests.hostile.small_disk import SmallDisk

pytestmark = pytest.mark.sqlite_only


def _open(path: Path) -> AuditLog:
    return AuditLog.open(path, hmac_key=HMAC_KEY, signing_key=path.parent / "audit.key")


def _acknowledged(log: AuditLog, numbers: range) -> list[int]:
    return [log.append(make_event(n)).seq for n in numbers]


def _refused(log: AuditLog, numbers: range) -> None:
    for n in numbers:
        with pytest.raises(AuditUnavailable, match="must be refused"):
            log.append(make_event(n))


def _check(log: AuditLog, acknowledged: list[int]) -> None:
    """The log holds exactly the acknowledged entries, in order, and verifies."""
    assert acknowledged == list(range(len(acknowledged)))
    assert log.size() == len(acknowledged)
    log.verify().raise_for_problems()


def test_a_full_disk_refuses_appends_writes_nothing_and_recovers(small_disk: SmallDisk):
    log = _open(small_disk.path / "audit.db")
    try:
        acknowledged = _acknowledged(log, range(5))
        small_disk.fill()
        _refused(log, range(5, 25))
        assert log.size() == 5, "a refused append left an entry behind"
        log.verify().raise_for_problems()
        small_disk.free()
        acknowledged += _acknowledged(log, range(25, 30))
        _check(log, acknowledged)
    finally:
        log.close()
    reopened = _open(small_disk.path / "audit.db")
    try:
        _check(reopened, acknowledged)
    finally:
        reopened.close()


def test_a_full_disk_refuses_a_batch_whole(small_disk: SmallDisk):
    log = _open(small_disk.path / "audit.db")
    try:
        acknowledged = _acknowledged(log, range(3))
        small_disk.fill()
        with pytest.raises(AuditUnavailable):
            log.append_many([make_event(n) for n in range(3, 200)])
        assert log.size() == 3
        small_disk.free()
        acknowledged += [r.seq for r in log.append_many([make_event(n)
                                                         for n in range(3, 200)])]
        _check(log, acknowledged)
    finally:
        log.close()


def test_a_read_only_disk_refuses_appends_writes_nothing_and_recovers(small_disk: SmallDisk):
    log = _open(small_disk.path / "audit.db")
    try:
        acknowledged = _acknowledged(log, range(5))
        # The kernel remounts read-only only once no file is open for writing: release
        # the log's connections (it reconnects on the next append), as after a restart.
        log.store.close()
        small_disk.read_only()
        assert small_disk.is_read_only()
        _refused(log, range(5, 15))
        small_disk.writable()
        acknowledged += _acknowledged(log, range(15, 20))
        _check(log, acknowledged)
        log.checkpoint()
        _check(log, acknowledged)
    finally:
        log.close()


def test_a_read_only_remount_is_refused_while_the_log_holds_its_file(small_disk: SmallDisk):
    """The fixture's precondition, stated: a held writer blocks the remount (no fake ro)."""
    from tests.hostile.small_disk import DiskBusy

    log = _open(small_disk.path / "audit.db")
    try:
        _acknowledged(log, range(2))
        with pytest.raises(DiskBusy, match="open for writing"):
            small_disk.read_only()
        assert not small_disk.is_read_only()
    finally:
        log.close()


def test_a_copy_on_read_only_media_is_verified_in_place(small_disk: SmallDisk, tmp_path):
    # A reviewer mounts a snapshot or evidence disk read-only: SQLite cannot create the
    # -shm file a WAL database needs, and refused to open the copy at all.
    source = tmp_path / "source" / "audit.db"
    source.parent.mkdir()
    log = _open(source)
    _acknowledged(log, range(30))
    log.close()  # the last close checkpoints the WAL into the file and removes it
    copy = small_disk.path / "audit.db"
    copy.write_bytes(source.read_bytes())
    small_disk.read_only()
    reader = AuditLog.open(copy, hmac_key=HMAC_KEY, read_only=True)
    try:
        assert reader.size() == 30
        reader.verify().raise_for_problems()
    finally:
        reader.close()
    assert sorted(p.name for p in small_disk.path.iterdir()) == ["audit.db"]


def test_a_read_only_copy_with_entries_still_in_its_wal_is_refused_with_the_reason(
        small_disk: SmallDisk, tmp_path):
    source = tmp_path / "source" / "audit.db"
    source.parent.mkdir()
    log = _open(source)
    try:
        _acknowledged(log, range(5))  # still open: the entries sit in audit.db-wal
        for name in ("audit.db", "audit.db-wal"):
            (small_disk.path / name).write_bytes((source.parent / name).read_bytes())
    finally:
        log.close()
    assert (small_disk.path / "audit.db-wal").stat().st_size > 0
    small_disk.read_only()
    with pytest.raises(AuditError, match="copy the three files together"):
        AuditLog.open(small_disk.path / "audit.db", hmac_key=HMAC_KEY, read_only=True)
