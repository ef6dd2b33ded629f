"""A tamper-evident, fail-closed audit log (RFC 6962 Merkle tree, signed checkpoints).

Knows nothing of Gmail or Flask: other Qontak services can append to and verify it too::

    log = AuditLog.open("instance/audit.db", hmac_key=key, signing_key="instance/audit.key")
    receipt = log.append(AuditEvent(actor_kind="user", actor_id="u1", action="message.get",
                                    purpose="email.read", decision="allow"))
    log.verify().raise_for_problems()
"""

from __future__ import annotations

from audit.checkpoint import Checkpoint, CheckpointSigner, load_or_create_signing_key
from audit.entry import (
    ActorKind,
    AuditEntry,
    AuditEvent,
    Decision,
    IdentifierHasher,
    ResourceKind,
    ResourceRef,
)
from audit.errors import (
    AuditError,
    AuditUnavailable,
    CheckpointError,
    ForbiddenField,
    ForgedCheckpoint,
    ProofError,
    SigningKeyMissing,
    TamperDetected,
)
from audit.log import AuditLog, ConsistencyProof, InclusionProof, Receipt, SignedCheckpoint
from audit.search import AuditQuery, AuditStats, Count, TimeBucket
from audit.verify import Problem, ProblemKind, VerifyReport

__all__ = [
    "ActorKind", "AuditEntry", "AuditError", "AuditEvent", "AuditLog", "AuditQuery",
    "AuditStats", "AuditUnavailable", "Checkpoint", "CheckpointError", "CheckpointSigner",
    "ConsistencyProof", "Count", "Decision", "ForbiddenField", "ForgedCheckpoint",
    "IdentifierHasher", "InclusionProof", "Problem", "ProblemKind", "ProofError", "Receipt",
    "ResourceKind", "ResourceRef", "SignedCheckpoint", "SigningKeyMissing", "TamperDetected",
    "TimeBucket", "VerifyReport", "load_or_create_signing_key",
]
