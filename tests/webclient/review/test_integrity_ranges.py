"""When only a hash over several entries shows tampering, the pages name the range.

A Merkle node (or an exported checkpoint's root) commits to every entry under it at once:
verification knows the first bad entry lies in a range, not which one it is. The
integrity page and the compliance report said "the first bad entry is 0" for such a
finding, naming an entry nobody changed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from audit import AuditLog
from tests.audit.store.conftest import HMAC_KEY, make_event
from tests.audit.store.test_rewrite_behind_an_exported_root import rewrite_consistently
from tests.webclient.review.conftest import REVIEW, SECURITY_1, guard_of, text_of
from tests.webclient.review.test_integrity import tamper, verify_now
from webclient.review.activity import StaffNames
from webclient.review.report import build_report, integrity_lines
from webclient.review.text import translator

# Each test rewrites an SQLite file through sqlite3, as an attacker with the file would.
pytestmark = pytest.mark.sqlite_only


def test_the_integrity_page_names_the_range_a_merkle_node_covers(app, staff_client, scenario):
    assert guard_of(app).audit.size() >= 4
    tamper(app, "UPDATE audit_nodes SET hash = zeroblob(32) WHERE level = 1 AND idx = 1")
    text = verify_now(staff_client(SECURITY_1))
    assert "TAMPERED: the first bad entry is one of entries 2 to 3 (" in text
    assert "the first bad entry is 2 (" not in text


def test_the_indonesian_integrity_page_names_the_range(app, staff_client, scenario):
    tamper(app, "UPDATE audit_nodes SET hash = zeroblob(32) WHERE level = 1 AND idx = 1")
    reviewer = staff_client(SECURITY_1)
    reviewer.set_cookie("mailguard_lang", "id")
    verify_now(reviewer)
    text = text_of(reviewer.get(REVIEW + "integrity"))
    assert "salah satu dari entri 2 sampai 3" in text


def _report_lines(path: Path, notes: list[str], lang: str) -> list[str]:
    log = AuditLog.open(path, hmac_key=HMAC_KEY)
    try:
        report = build_report(log, since="2000-01-01T00:00:00Z", until=None,
                              now=datetime.now(UTC), scopes=(), policy_version="p1",
                              names=StaffNames({}), exported_notes=notes)
    finally:
        log.close()
    return integrity_lines(report, translator(lang))


def test_the_report_names_the_range_behind_an_exported_checkpoint(tmp_path: Path) -> None:
    path = tmp_path / "audit.db"
    log = AuditLog.open(path, hmac_key=HMAC_KEY, checkpoint_every=0, checkpoint_seconds=0,
                        signing_key=tmp_path / "signing.key")
    try:
        for i in range(12):
            log.append(make_event(i))
        note = log.export_checkpoint(tmp_path / "cp.note").note
    finally:
        log.close()
    rewrite_consistently(path, 7)

    english = "\n".join(_report_lines(path, [note], "en"))
    assert "First bad entry: one of entries 0 to 11 (" in english
    assert "First bad entry: 0 (" not in english
    assert "salah satu dari entri 0 sampai 11" in "\n".join(_report_lines(path, [note], "id"))
