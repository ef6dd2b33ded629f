"""Signed checkpoints: C2SP format, Go-compatible notes, and every alteration rejected."""

from __future__ import annotations

import base64
import hashlib
import os
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from audit.checkpoint import (
    Checkpoint,
    CheckpointSigner,
    VerifierKey,
    key_id,
    load_or_create_signing_key,
    open_note,
    open_signed_checkpoint,
)
from audit.errors import CheckpointError

# The example of golang.org/x/mod/sumdb/note: Ed25519 is deterministic, so an interoperable
# implementation reproduces the published signature byte for byte.
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_SEED = base64.b64decode("AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz")[1:]
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
GO_NOTE = (
    GO_TEXT + "\n\u2014 PeterNeumann "
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)

ROOT = hashlib.sha256(b"root").digest()
ORIGIN = "mailguard.example/audit"


@pytest.fixture
def signer() -> CheckpointSigner:
    return CheckpointSigner(ORIGIN, Ed25519PrivateKey.from_private_bytes(bytes(range(32))))


def test_go_note_example_is_reproduced_exactly() -> None:
    signer = CheckpointSigner("PeterNeumann", GO_SEED)
    assert signer.verifier_key() == GO_VKEY
    assert signer.sign_note(GO_TEXT) == GO_NOTE
    assert open_note(GO_NOTE, GO_VKEY) == GO_TEXT


def test_body_matches_the_c2sp_layout() -> None:
    cp = Checkpoint(ORIGIN, 20852163, ROOT, ("time 2025-01-01T00:00:00Z",))
    assert cp.body() == (
        f"{ORIGIN}\n20852163\n{base64.b64encode(ROOT).decode()}\ntime 2025-01-01T00:00:00Z\n"
    )


def test_signed_note_layout(signer: CheckpointSigner) -> None:
    note = signer.sign(Checkpoint(ORIGIN, 7, ROOT))
    body, blank, sig_line = note.partition("\n\n")
    assert blank == "\n\n"
    assert body + "\n" == Checkpoint(ORIGIN, 7, ROOT).body()
    assert note.endswith("\n") and note.count("\n") == 5
    assert sig_line.startswith(f"\u2014 {ORIGIN} ")
    raw = base64.b64decode(sig_line.split(" ")[2])
    assert len(raw) == 4 + 64
    vkey = VerifierKey.parse(signer.verifier_key())
    assert raw[:4] == vkey.key_id == key_id(ORIGIN, vkey.public_key)


def test_key_id_is_sha256_of_name_newline_type_and_key(signer: CheckpointSigner) -> None:
    vkey = VerifierKey.parse(signer.verifier_key())
    expected = hashlib.sha256(ORIGIN.encode() + b"\n\x01" + vkey.public_key).digest()[:4]
    assert vkey.key_id == expected
    name, hex_id, encoded = signer.verifier_key().split("+", 2)
    assert (name, hex_id) == (ORIGIN, expected.hex())
    assert base64.b64decode(encoded)[:1] == b"\x01"


@pytest.mark.parametrize("extensions", [(), ("time 2025-06-01T12:00:00.000000Z", "x y")])
@pytest.mark.parametrize("size", [0, 1, 123456789])
def test_checkpoint_round_trips(signer: CheckpointSigner, size: int,
                                extensions: tuple[str, ...]) -> None:
    cp = Checkpoint(ORIGIN, size, ROOT, extensions)
    assert open_signed_checkpoint(signer.sign(cp), signer.verifier_key(), origin=ORIGIN) == cp


def _alter_origin(note: str) -> str:
    return note.replace(ORIGIN + "\n", "mailguard.example/other\n", 1)


def _alter_size(note: str) -> str:
    return note.replace("\n42\n", "\n41\n", 1)


def _alter_root(note: str) -> str:
    encoded = base64.b64encode(ROOT).decode()
    return note.replace(encoded, base64.b64encode(hashlib.sha256(b"other").digest()).decode())


def _alter_extension(note: str) -> str:
    return note.replace("time 1", "time 2")


def _add_extension(note: str) -> str:
    return note.replace("time 1\n", "time 1\nextra\n")


def _alter_signature(note: str) -> str:
    body, _, line = note.partition("\n\n")
    name, encoded = line[2:-1].split(" ")
    raw = bytearray(base64.b64decode(encoded))
    raw[10] ^= 1
    return f"{body}\n\n\u2014 {name} {base64.b64encode(bytes(raw)).decode()}\n"


def _alter_key_id(note: str) -> str:
    body, _, line = note.partition("\n\n")
    name, encoded = line[2:-1].split(" ")
    raw = bytearray(base64.b64decode(encoded))
    raw[0] ^= 1
    return f"{body}\n\n\u2014 {name} {base64.b64encode(bytes(raw)).decode()}\n"


def _alter_name(note: str) -> str:
    return note.replace(f"\u2014 {ORIGIN} ", "\u2014 mailguard.example/audit2 ")


def _drop_signature(note: str) -> str:
    return note.partition("\n\n")[0] + "\n\n"


def _drop_blank_line(note: str) -> str:
    return note.replace("\n\n", "\n")


def _drop_final_newline(note: str) -> str:
    return note[:-1]


def _control_character(note: str) -> str:
    return note.replace("time 1", "time\t1")


@pytest.mark.parametrize(
    "alter",
    [_alter_origin, _alter_size, _alter_root, _alter_extension, _add_extension,
     _alter_signature, _alter_key_id, _alter_name, _drop_signature, _drop_blank_line,
     _drop_final_newline, _control_character],
)
def test_altered_note_is_rejected(signer: CheckpointSigner, alter) -> None:  # noqa: ANN001
    note = signer.sign(Checkpoint(ORIGIN, 42, ROOT, ("time 1",)))
    altered = alter(note)
    assert altered != note
    with pytest.raises(CheckpointError):
        open_signed_checkpoint(altered, signer.verifier_key())


def test_note_signed_by_another_key_is_rejected(signer: CheckpointSigner) -> None:
    forger = CheckpointSigner(ORIGIN, Ed25519PrivateKey.generate())
    with pytest.raises(CheckpointError, match="no signature by the key"):
        open_signed_checkpoint(forger.sign(Checkpoint(ORIGIN, 1, ROOT)), signer.verifier_key())


def test_unknown_cosignatures_are_ignored(signer: CheckpointSigner) -> None:
    cp = Checkpoint(ORIGIN, 3, ROOT)
    witness = CheckpointSigner("witness.example", Ed25519PrivateKey.generate())
    witness_line = witness.sign(cp).partition("\n\n")[2]
    cosigned = witness.sign(cp).partition("\n\n")[0] + "\n\n" + witness_line + \
        signer.sign(cp).partition("\n\n")[2]
    assert open_signed_checkpoint(cosigned, signer.verifier_key()) == cp


def test_wrong_origin_is_rejected(signer: CheckpointSigner) -> None:
    note = signer.sign(Checkpoint(ORIGIN, 3, ROOT))
    with pytest.raises(CheckpointError, match="not 'other.example/log'"):
        open_signed_checkpoint(note, signer.verifier_key(), origin="other.example/log")


@pytest.mark.parametrize(
    "body",
    ["o\n1\n", "o\n01\n" + base64.b64encode(ROOT).decode() + "\n",
     "o\n-1\n" + base64.b64encode(ROOT).decode() + "\n",
     "o\n1\n" + base64.b64encode(ROOT[:31]).decode() + "\n",
     "o\n1\n" + base64.b64encode(ROOT).decode().rstrip("=") + "\n",
     "o\n1\n" + base64.b64encode(ROOT).decode() + "\n\n",
     "o\n1\n" + base64.b64encode(ROOT).decode()],
    ids=["two-lines", "leading-zero", "negative", "short-root", "unpadded-root",
         "empty-extension", "no-final-newline"],
)
def test_malformed_bodies_are_rejected(body: str) -> None:
    with pytest.raises(CheckpointError):
        Checkpoint.from_body(body)


@pytest.mark.parametrize("name", ["", "a b", "a+b", "a\u00a0b"])
def test_bad_key_names_are_rejected(name: str) -> None:
    with pytest.raises(CheckpointError, match="key name"):
        CheckpointSigner(name, Ed25519PrivateKey.generate())


@pytest.mark.parametrize(
    "vkey",
    [GO_VKEY.replace("c74f20a3", "c74f20a4"), GO_VKEY.replace("PeterNeumann", "Peter"),
     GO_VKEY + "+x", GO_VKEY[:-2], "PeterNeumann+c74f20a3+" + base64.b64encode(
         b"\x02" + bytes(32)).decode()],
    ids=["wrong-id", "wrong-name", "four-parts", "truncated-key", "not-ed25519"],
)
def test_bad_verifier_keys_are_rejected(vkey: str) -> None:
    with pytest.raises(CheckpointError):
        VerifierKey.parse(vkey)


def test_signing_key_file_is_created_once_and_private(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "audit-signing.pem"
    first = load_or_create_signing_key(path)
    second = load_or_create_signing_key(path)
    assert first.private_bytes_raw() == second.private_bytes_raw()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["audit-signing.pem"]


def test_garbage_signing_key_file_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "audit-signing.pem"
    path.write_text("not a key")
    with pytest.raises(CheckpointError, match="PKCS#8"):
        load_or_create_signing_key(path)
