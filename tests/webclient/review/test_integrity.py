"""Integrity status: verification on demand, tampering named, the exported checkpoint compared."""

from __future__ import annotations

import sqlite3

import pytest

from tests.webclient.review.conftest import (
    ADMIN,
    REVIEW,
    SECURITY_1,
    guard_of,
    page_csrf,
    text_of,
)
from tests.webclient.staff.conftest import attach_people, staff_config, staff_sign_in
from webclient import create_app


def verify_now(reviewer) -> str:
    token = page_csrf(reviewer, REVIEW + "integrity")
    answer = reviewer.post(REVIEW + "integrity/verify", data={"csrf_token": token},
                           follow_redirects=True)
    assert answer.status_code == 200
    return text_of(answer)


def tamper(app, sql: str) -> None:
    """Do what an attacker with database access can: drop the triggers, rewrite rows."""
    path = guard_of(app).settings.database_url.removeprefix("sqlite:///")
    conn = sqlite3.connect(path)
    try:
        triggers = conn.execute("SELECT name FROM sqlite_master WHERE type='trigger'")
        for (name,) in triggers.fetchall():
            conn.execute(f"DROP TRIGGER {name}")
        conn.execute(sql)
        conn.commit()
    finally:
        conn.close()


def test_a_clean_log_verifies_intact(app, staff_client, scenario):
    reviewer = staff_client(SECURITY_1)
    assert "Not verified since this server started." in text_of(reviewer.get(REVIEW + "integrity"))
    text = verify_now(reviewer)
    assert "Intact:" in text and "Finished" in text


def test_a_rewritten_entry_is_named_as_the_first_bad_one(app, staff_client, scenario):
    reviewer = staff_client(SECURITY_1)
    seq = next(e.seq for e in guard_of(app).audit.query() if e.rule_id == "consent.allowed")
    tamper(app, "UPDATE audit_entries SET entry = CAST(replace(CAST(entry AS TEXT), "
                f"'consent.allowed', 'consent.ALLOWED') AS BLOB) WHERE seq = {seq}")
    text = verify_now(reviewer)
    assert f"TAMPERED: the first bad entry is {seq} (modified" in text


def test_a_verification_that_cannot_run_is_shown_not_lost(app, staff_client, scenario):
    reviewer = staff_client(SECURITY_1)
    tamper(app, "UPDATE audit_entries SET entry = CAST(entry AS TEXT) WHERE seq = 1")
    assert "Verification could not run" in verify_now(reviewer)
    assert app.extensions["mailguard.review.integrity"].running is None


def test_without_an_exported_checkpoint_the_page_says_how_to_set_one(app, staff_client):
    text = text_of(staff_client(SECURITY_1).get(REVIEW + "integrity"))
    assert "No exported checkpoint is configured" in text


@pytest.fixture
def exported_app(web_emulator, tmp_path, clock):
    """Return an app whose review pages compare with ``tmp_path/exported.note``."""
    note = tmp_path / "exported.note"
    application = create_app(staff_config(web_emulator, tmp_path, clock,
                                          REVIEW_EXPORTED_CHECKPOINT=str(note),
                                          REVIEW_VERIFY_INLINE_MAX=0))
    guard = attach_people(application.extensions["mailguard.guard"])
    guard.staff.add(SECURITY_1, roles=["security"], by=ADMIN)
    yield application, note
    guard.close()


def test_the_exported_checkpoint_is_compared_with_the_log(exported_app, web_emulator):
    app, note = exported_app
    reviewer = app.test_client()
    staff_sign_in(reviewer, web_emulator, SECURITY_1)
    assert "cannot be read" in text_of(reviewer.get(REVIEW + "integrity"))
    signed = guard_of(app).audit.export_checkpoint(note)
    text = text_of(reviewer.get(REVIEW + "integrity"))
    assert f"The log still contains the exported tree of {signed.size} entries." in text
    forged = note.read_text().replace(f"\n{signed.size}\n", f"\n{signed.size - 1}\n")
    note.write_text(forged)
    assert "signature is not the log&#39;s key" in text_of(reviewer.get(REVIEW + "integrity"))


def test_a_large_log_is_verified_in_the_background(exported_app, web_emulator):
    app, note = exported_app
    guard_of(app).audit.export_checkpoint(note)
    reviewer = app.test_client()
    staff_sign_in(reviewer, web_emulator, SECURITY_1)
    verify_now(reviewer)  # inline limit 0: runs in a thread
    finished = app.extensions["mailguard.review.integrity"].join(timeout=60)
    assert finished is not None and finished.ok
    assert finished.report.notes_checked == 1
    assert "Intact:" in text_of(reviewer.get(REVIEW + "integrity"))


def test_verification_needs_its_form_token(app, staff_client):
    assert staff_client(SECURITY_1).post(REVIEW + "integrity/verify").status_code == 400
