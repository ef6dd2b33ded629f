"""An inclusion proof against a stored checkpoint is a proof against the root its signed
note states, not against the root column beside the note, which a database writer can
change along with every entry and node (the note they cannot re-sign). A log rewritten
that way yields a proof that does not verify, and 'mailguard audit prove' refuses to print
it instead of presenting it as proven."""

from __future__ import annotations

import base64

import pytest
from click.testing import CliRunner

from audit import ProofError
from audit.cli import audit
from audit.merkle import MerkleAccumulator

from .conftest import make_event
from .test_tamper import attacker, entry_doc, rebuild_nodes, write_entry

SIZE = 8


@pytest.fixture
def rewritten(sqlite_path, open_log):
    """Entry 3 rewritten, every hash recomputed, the checkpoint row's root set to match."""
    log = open_log(sqlite_path, checkpoint_every=0, checkpoint_seconds=0)
    log.append_many([make_event(n) for n in range(SIZE)])
    log.checkpoint()
    log.close()
    db = attacker(sqlite_path)
    doc = entry_doc(db, 3)
    doc["request_id"] = "rewritten"
    write_entry(db, 3, doc, fix_leaf=True)
    db.execute("UPDATE audit_entries SET request_id = 'rewritten' WHERE seq = 3")
    rebuild_nodes(db)
    acc = MerkleAccumulator()
    for (leaf,) in db.execute("SELECT leaf_hash FROM audit_entries ORDER BY seq").fetchall():
        acc.append(bytes(leaf))
    db.execute("UPDATE audit_checkpoints SET root = ? WHERE size = ?", (acc.root(), SIZE))
    db.close()
    return sqlite_path


def test_the_proof_is_checked_against_the_signed_root(rewritten, open_log):
    proof = open_log(rewritten, checkpoint_every=0, checkpoint_seconds=0).prove_inclusion(3)
    assert proof.checkpoint is not None and proof.tree_size == SIZE
    with pytest.raises(ProofError):
        proof.verify()


def test_prove_refuses_to_print_a_proof_that_does_not_verify(rewritten, cli_keys):
    result = CliRunner().invoke(audit, ["prove", "3", "--db", f"sqlite:///{rewritten}"])
    assert result.exit_code == 1, result.output
    assert "leaf_index" not in result.output
    assert "does not verify against the signed checkpoint" in result.output
    assert "mailguard audit verify" in result.output


def test_a_clean_log_still_proves_every_entry(sqlite_path, open_log):
    log = open_log(sqlite_path, checkpoint_every=0, checkpoint_seconds=0)
    log.append_many([make_event(n) for n in range(SIZE)])
    log.checkpoint()
    for seq in range(SIZE):
        log.prove_inclusion(seq).verify()


def test_a_consistency_proof_starts_from_the_signed_old_root(rewritten, open_log):
    log = open_log(rewritten, checkpoint_every=0, checkpoint_seconds=0)
    log.append_many([make_event(n) for n in range(SIZE, SIZE + 4)])
    log.checkpoint()
    proof = log.prove_consistency(SIZE, SIZE + 4)
    with pytest.raises(ProofError):
        proof.verify()


def test_a_clean_log_proves_consistency_between_its_checkpoints(sqlite_path, open_log):
    log = open_log(sqlite_path, checkpoint_every=0, checkpoint_seconds=0)
    sizes = []
    for n in range(12):
        log.append(make_event(n))
        if n in (2, 7, 11):
            sizes.append(log.checkpoint().size)
    for old in sizes:
        for new in sizes:
            if old <= new:
                log.prove_consistency(old, new).verify()
    log.prove_consistency(5, 9).verify()  # sizes no checkpoint was made at


def test_prove_refuses_a_checkpoint_whose_note_no_longer_verifies(rewritten, cli_keys):
    """The note's root line rewritten to match the rewritten tree: the proof verifies
    against it, but the signature over the note does not."""
    db = attacker(rewritten)
    root, note = db.execute("SELECT root, note FROM audit_checkpoints WHERE size = ?",
                            (SIZE,)).fetchone()
    lines = note.split("\n")
    lines[2] = base64.b64encode(bytes(root)).decode("ascii")
    db.execute("UPDATE audit_checkpoints SET note = ? WHERE size = ?", ("\n".join(lines), SIZE))
    db.close()
    result = CliRunner().invoke(audit, ["prove", "3", "--db", f"sqlite:///{rewritten}"])
    assert result.exit_code == 1, result.output
    assert "leaf_index" not in result.output
    assert f"the checkpoint of {SIZE} entries is not validly signed" in result.output
