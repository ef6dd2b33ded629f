"""A reviewer with only the CLI's output checks it with their own code: the verifier key
from ``audit verifier-key``, the exported note against C2SP signed-note and tlog-checkpoint,
and ``audit prove`` against RFC 9162's inclusion-proof algorithm. Nothing here imports the
audit package's hashing, notes or proofs."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from audit.cli import audit
from audit.entry import AuditEvent
from audit.log import AuditLog

HMAC_KEY = bytes(range(32))
ORIGIN = "reviewer.example/audit"


def open_note(note: str, verifier_key: str) -> tuple[str, int, bytes]:
    """Check a signed note (c2sp.org/signed-note) and return its checkpoint's first lines."""
    name, key_hash, key_b64 = verifier_key.split("+", 2)
    raw = base64.b64decode(key_b64)
    assert raw[0] == 0x01 and len(raw) == 33  # Ed25519
    assert hashlib.sha256(name.encode() + b"\n" + raw).digest()[:4].hex() == key_hash
    text, _, signatures = note.rpartition("\n\n")
    text += "\n"
    verified = 0
    for line in signatures.rstrip("\n").split("\n"):
        assert line.startswith("\u2014 ")
        signer, encoded = line[2:].split(" ")
        sig = base64.b64decode(encoded)
        if signer == name and sig[:4].hex() == key_hash:
            Ed25519PublicKey.from_public_bytes(raw[1:]).verify(sig[4:], text.encode())
            verified += 1
    assert verified == 1
    origin, size, root = text.split("\n")[:3]  # c2sp.org/tlog-checkpoint
    return origin, int(size), base64.b64decode(root)


def node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def root_from_inclusion(index: int, size: int, leaf: bytes, proof: list[bytes]) -> bytes:
    """RFC 9162 section 2.1.3.2."""
    assert index < size
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        assert sn != 0
        if fn & 1 or fn == sn:
            r = node(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node(r, p)
        fn, sn = fn >> 1, sn >> 1
    assert sn == 0
    return r


@pytest.fixture
def log_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = tmp_path / "mailguard.db"
    key_file = tmp_path / "signing.pem"
    with AuditLog.open(db, hmac_key=HMAC_KEY, signing_key=str(key_file),
                       origin=ORIGIN) as log:
        for n in range(37):
            log.append(AuditEvent(actor_kind="user", actor_id=f"user{n}@example.com",
                                  action="messages.get", purpose="email.read",
                                  decision="allow",
                                  resources=[{"kind": "message", "id": f"m{n}"}]))
    monkeypatch.setenv("MAILGUARD_DATABASE_URL", f"sqlite:///{db}")
    monkeypatch.setenv("MAILGUARD_AUDIT_HMAC_KEY", HMAC_KEY.hex())
    monkeypatch.setenv("MAILGUARD_AUDIT_SIGNING_KEY", str(key_file))
    monkeypatch.delenv("MAILGUARD_AUDIT_VERIFIER_KEY", raising=False)
    monkeypatch.delenv("MAILGUARD_AUDIT_ORIGIN", raising=False)
    return db


def invoke(*args: str) -> str:
    result = CliRunner().invoke(audit, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_the_exported_checkpoint_verifies_with_the_published_verifier_key(log_db, tmp_path):
    verifier_key = invoke("verifier-key").strip()
    invoke("checkpoint", "--export", str(tmp_path / "checkpoint.txt"))

    origin, size, root = open_note((tmp_path / "checkpoint.txt").read_text("utf-8"),
                                   verifier_key)

    assert (origin, size, len(root)) == (ORIGIN, 37, 32)
    assert verifier_key.startswith(f"{ORIGIN}+")


@pytest.mark.parametrize("seq", [0, 13, 36])
def test_prove_output_verifies_against_its_signed_checkpoint(log_db, seq):
    verifier_key = invoke("verifier-key").strip()
    proof = json.loads(invoke("prove", str(seq)))

    origin, size, root = open_note(proof["checkpoint"], verifier_key)
    entry_bytes = json.dumps(proof["entry"], sort_keys=True, separators=(",", ":"),
                             ensure_ascii=False).encode()
    leaf = hashlib.sha256(b"\x00" + entry_bytes).digest()

    assert base64.b64decode(proof["leaf_hash"]) == leaf
    assert (proof["leaf_index"], proof["tree_size"]) == (seq, size)
    hashes = [base64.b64decode(h) for h in proof["proof"]]
    assert root_from_inclusion(seq, size, leaf, hashes) == root


def test_verifier_key_without_a_key_file_says_which_setting(log_db, tmp_path, monkeypatch):
    monkeypatch.setenv("MAILGUARD_AUDIT_SIGNING_KEY", str(tmp_path / "absent.pem"))

    result = CliRunner().invoke(audit, ["verifier-key"])

    assert result.exit_code == 1
    assert "MAILGUARD_AUDIT_SIGNING_KEY" in result.output
    assert not (tmp_path / "absent.pem").exists()
