"""Verify the audit log on demand and compare it with an exported checkpoint.

Verification reads every entry, so a small log is verified while the page waits and a
large one in a background thread; the page shows the last result and when it finished.
The exported checkpoint is a signed note kept where the database's writers cannot change
it (``REVIEW_EXPORTED_CHECKPOINT`` names its path): the log must still contain the tree
that note signed, or entries were removed or rewritten since it was exported.

Security caveat: the last result lives in this process's memory; another web process
may show an older one. Each run is recorded in the audit log by the page that asks for it.
"""

from __future__ import annotations

import enum
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from audit import AuditError, AuditLog, CheckpointError, VerifyReport
from audit.log import open_checkpoint_note

Clock = Callable[[], datetime]
_log = logging.getLogger(__name__)


class Comparison(enum.Enum):
    """How the log stands against the exported checkpoint."""

    MATCHES = "matches"
    DIVERGED = "diverged"
    TRUNCATED = "truncated"
    FORGED = "forged"
    UNREADABLE = "unreadable"


@dataclass(frozen=True, slots=True)
class ExportedCheck:
    """The outcome of comparing the log with the exported checkpoint at ``path``."""

    path: str
    status: Comparison
    size: int | None = None
    root_hash: bytes | None = None
    log_size: int | None = None

    @property
    def ok(self) -> bool:
        """Return True when the log still contains the exported tree."""
        return self.status is Comparison.MATCHES


@dataclass(frozen=True, slots=True)
class VerificationRun:
    """One verification: when it ran, and its report (None while running or on error)."""

    started_at: datetime
    finished_at: datetime | None = None
    report: VerifyReport | None = None
    error: str = ""

    @property
    def ok(self) -> bool:
        """Return True when the run finished and found nothing wrong."""
        return self.report is not None and self.report.ok


class IntegrityMonitor:
    """Run verifications of one log (one at a time) and remember the last one."""

    def __init__(self, log: AuditLog, *, clock: Clock, exported_path: str | None,
                 inline_limit: int) -> None:
        self._log = log
        self._clock = clock
        self.exported_path = exported_path
        self._inline_limit = inline_limit
        self._lock = threading.Lock()
        self._last: VerificationRun | None = None
        self._running: VerificationRun | None = None
        self._thread: threading.Thread | None = None

    @property
    def last(self) -> VerificationRun | None:
        """Return the last finished run, if any."""
        return self._last

    @property
    def running(self) -> VerificationRun | None:
        """Return the run in progress, if any."""
        return self._running

    def start(self) -> VerificationRun:
        """Verify now: inline for a small log, else in the background; return the run."""
        with self._lock:
            if self._running is not None:
                return self._running
            run = VerificationRun(started_at=self._clock())
            self._running = run
        if self._log.size() <= self._inline_limit:
            return self._verify(run)
        self._thread = threading.Thread(target=self._verify, args=(run,),
                                        name="review-verify", daemon=True)
        self._thread.start()
        return run

    def join(self, timeout: float | None = None) -> VerificationRun | None:
        """Wait for a background run to finish; return the last finished run."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        return self._last

    def _verify(self, run: VerificationRun) -> VerificationRun:
        notes = []
        note = self.exported_note()
        if note is not None:
            notes.append(note)
        try:
            report = self._log.verify(checkpoint_notes=notes)
            done = VerificationRun(run.started_at, self._clock(), report)
        except Exception as error:  # noqa: BLE001 - a run that cannot finish is shown, not lost
            _log.warning("audit verification could not run: %s", type(error).__name__)
            done = VerificationRun(run.started_at, self._clock(), None,
                                   error=type(error).__name__)
        with self._lock:
            self._last = done
            self._running = None
        return done

    def exported_note(self) -> str | None:
        """Return the exported checkpoint note, or None when unset or unreadable."""
        if not self.exported_path:
            return None
        try:
            return Path(self.exported_path).read_text(encoding="utf-8")
        except OSError:
            return None

    def compare_exported(self) -> ExportedCheck | None:
        """Compare the log with the exported checkpoint; None when none is configured."""
        if not self.exported_path:
            return None
        path = self.exported_path
        note = self.exported_note()
        if note is None:
            return ExportedCheck(path, Comparison.UNREADABLE)
        log = self._log
        try:
            exported = open_checkpoint_note(note, log.verifier_key(), log.origin)
        except CheckpointError:
            return ExportedCheck(path, Comparison.FORGED)
        except AuditError:
            return ExportedCheck(path, Comparison.UNREADABLE)
        size = log.size()
        found = ExportedCheck(path, Comparison.MATCHES, exported.size, exported.root_hash, size)
        if exported.size > size:
            return ExportedCheck(path, Comparison.TRUNCATED, exported.size,
                                 exported.root_hash, size)
        stored = log.checkpoint_at(exported.size)
        if stored is not None and stored.root_hash == exported.root_hash:
            return found
        try:
            root = log.prove_consistency(exported.size, size).old_root
        except AuditError:
            root = b""
        if root != exported.root_hash:
            return ExportedCheck(path, Comparison.DIVERGED, exported.size,
                                 exported.root_hash, size)
        return found
