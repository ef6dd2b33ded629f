"""A tamper-evident, fail-closed audit log (RFC 6962 Merkle tree, signed checkpoints).

Knows nothing of Gmail or Flask: other Qontak services can append to and verify it too.
"""
