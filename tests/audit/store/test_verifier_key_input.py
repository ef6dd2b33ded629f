"""A verifier key that is no key (a typo, an empty list) is a mistake of the caller, not
evidence of tampering: verify refuses it by name instead of reporting every stored
checkpoint as forged, the false alarm a clean log must never raise."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from audit import AuditError, ProblemKind
from audit.checkpoint import CheckpointSigner
from audit.cli import audit

from .conftest import make_event
from .test_tamper import attacker


@pytest.fixture
def written(sqlite_path, open_log):
    log = open_log(sqlite_path, checkpoint_every=4, checkpoint_seconds=0)
    for n in range(8):
        log.append(make_event(n))
    log.close()
    return sqlite_path


@pytest.mark.parametrize("keys", [["garbage"], [""], ["mailguard.local/audit+zz+AAAA"], []])
def test_verify_refuses_keys_that_are_no_verifier_keys(written, open_log, keys):
    log = open_log(written)
    with pytest.raises(AuditError, match="verifier key"):
        log.verify(verifier_keys=keys)


def test_the_cli_names_the_setting_and_raises_no_alarm(written, cli_keys, monkeypatch):
    monkeypatch.setenv("MAILGUARD_AUDIT_VERIFIER_KEY", "not-a-key")
    result = CliRunner().invoke(audit, ["verify", "--db", f"sqlite:///{written}"])
    assert result.exit_code != 0
    assert "TAMPERED" not in result.output
    assert "MAILGUARD_AUDIT_VERIFIER_KEY is not a verifier key" in result.output
    monkeypatch.delenv("MAILGUARD_AUDIT_VERIFIER_KEY")
    assert CliRunner().invoke(audit, ["verify", "--db", f"sqlite:///{written}"]).exit_code == 0


def test_a_valid_key_of_another_log_is_reported_as_such_not_as_forgery(written, open_log):
    """Still a finding (an attacker could re-sign with a key of their own), but the detail
    says both explanations instead of asserting that the checkpoint was forged."""
    other = CheckpointSigner("mailguard.local/audit", Ed25519PrivateKey.generate())
    report = open_log(written).verify(verifier_keys=[other.verifier_key()])
    first = report.first_problem
    assert first.kind == ProblemKind.CHECKPOINT_INVALID
    assert "is not signed by a trusted key" in first.detail
    assert "or the verifier key given is not this log's" in first.detail
    assert "forged or altered" not in first.detail


def test_a_signature_by_the_trusted_key_that_fails_is_still_called_forged(written, open_log):
    db = attacker(written)
    size, note = db.execute("SELECT size, note FROM audit_checkpoints ORDER BY size").fetchone()
    db.execute("UPDATE audit_checkpoints SET note = ? WHERE size = ?",
               (note.replace(f"\n{size}\n", f"\n{size - 1}\n"), size))
    db.close()
    first = open_log(written).verify().first_problem
    assert first.kind == ProblemKind.CHECKPOINT_INVALID
    assert "forged or altered" in first.detail


def test_one_note_passed_as_a_string_is_refused_not_read_letter_by_letter(written, open_log):
    """verify(checkpoint_notes=note) iterated the note's characters, each 'note' failed, and
    a clean log was reported tampered."""
    log = open_log(written)
    note = log.latest_checkpoint().note
    with pytest.raises(AuditError, match=r"checkpoint_notes=\[note\]"):
        log.verify(checkpoint_notes=note)
    assert log.verify(checkpoint_notes=[note]).ok
