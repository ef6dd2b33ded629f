"""A child process that appends to an audit log and prints each acknowledged seq."""

from __future__ import annotations

import sys

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from audit import AuditLog
from tests.audit.store.conftest import HMAC_KEY, make_event


def append_some(url: str, count: int, tag: int) -> list[int]:
    """Append ``count`` events and return their seqs (multiprocessing target)."""
    log = AuditLog.open(url, hmac_key=HMAC_KEY, signing_key=Ed25519PrivateKey.generate(),
                        checkpoint_every=0)
    try:
        return [log.append(make_event(tag * 10_000 + i)).seq for i in range(count)]
    finally:
        log.close()


def main(url: str) -> None:
    """Append forever, printing "ack <seq>" after each durable append."""
    log = AuditLog.open(url, hmac_key=HMAC_KEY, checkpoint_every=0)
    i = 0
    while True:
        seq = log.append(make_event(i)).seq
        print(f"ack {seq}", flush=True)
        i += 1


if __name__ == "__main__":
    main(sys.argv[1])
