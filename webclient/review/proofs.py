"""Check one entry's inclusion proof against the latest signed checkpoint.

Three independent checks make the verdict: the entry's own bytes hash to the leaf the tree
holds; the O(log n) path from that leaf reaches the checkpoint's root; and the checkpoint
note carries a valid signature by the log's key over that size and root.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from audit import AuditEntry, AuditError, AuditLog, CheckpointError, InclusionProof, ProofError
from audit.log import open_checkpoint_note


@dataclass(frozen=True, slots=True)
class ProofCheck:
    """An inclusion proof and what each check found; ``ok`` only if all passed."""

    proof: InclusionProof
    leaf_matches: bool
    path_reaches_root: bool
    signature_valid: bool | None

    @property
    def ok(self) -> bool:
        """Return True when the entry is proven to be in a signed checkpoint."""
        return self.leaf_matches and self.path_reaches_root and self.signature_valid is True

    @property
    def hashes(self) -> tuple[str, ...]:
        """Return the proof's sibling hashes, base64."""
        return tuple(b64(h) for h in self.proof.hashes)


def b64(value: bytes) -> str:
    """Return ``value`` in base64, as checkpoints write hashes."""
    return base64.b64encode(value).decode("ascii")


def check_inclusion(log: AuditLog, entry: AuditEntry) -> ProofCheck:
    """Prove ``entry`` against the latest checkpoint (one is signed if none covers it)."""
    proof = log.prove_inclusion(entry.seq)
    try:
        proof.verify()
        path_ok = True
    except ProofError:
        path_ok = False
    signature: bool | None = None
    if proof.checkpoint is not None:
        try:
            opened = open_checkpoint_note(proof.checkpoint.note, log.verifier_key(), log.origin)
            signature = opened.size == proof.tree_size and opened.root_hash == proof.root_hash
        except CheckpointError:
            signature = False
        except AuditError:
            signature = None
    return ProofCheck(proof=proof, leaf_matches=entry.leaf_hash() == proof.leaf_hash,
                      path_reaches_root=path_ok, signature_valid=signature)
