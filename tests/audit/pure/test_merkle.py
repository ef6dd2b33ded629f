"""The RFC 6962 Merkle tree: known answers, three ways to a root, proofs that verify or fail."""

from __future__ import annotations

import base64
import json
import random
from pathlib import Path

import pytest

from audit.errors import ProofError
from audit.merkle import (
    EMPTY_ROOT,
    MerkleAccumulator,
    Node,
    consistency_proof,
    frontier_positions,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root_at,
    verify_consistency,
    verify_inclusion,
)

VECTORS = Path(__file__).parent / "vectors" / "rfc6962"


def _b64(value: str | None) -> bytes:
    return base64.b64decode(value or "")


def _vector_files(kind: str) -> list[Path]:
    files = sorted((VECTORS / kind).glob("*/*.json"))
    assert files, f"no {kind} vectors under {VECTORS}"
    return files


def _id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


@pytest.mark.parametrize("path", _vector_files("inclusion"), ids=_id)
def test_inclusion_vector(path: Path) -> None:
    probe = json.loads(path.read_text())
    proof = [_b64(p) for p in probe["proof"] or []]

    def run() -> None:
        verify_inclusion(_b64(probe["leafHash"]), probe["leafIdx"], probe["treeSize"], proof,
                         _b64(probe["root"]))

    if probe["wantErr"]:
        with pytest.raises(ProofError):
            run()
    else:
        run()


@pytest.mark.parametrize("path", _vector_files("consistency"), ids=_id)
def test_consistency_vector(path: Path) -> None:
    probe = json.loads(path.read_text())
    proof = [_b64(p) for p in probe["proof"] or []]

    def run() -> None:
        verify_consistency(probe["size1"], probe["size2"], proof, _b64(probe["root1"]),
                           _b64(probe["root2"]))

    if probe["wantErr"]:
        with pytest.raises(ProofError):
            run()
    else:
        run()


def test_vectors_include_happy_paths_and_corruptions() -> None:
    probes = [json.loads(p.read_text()) for p in VECTORS.glob("*/*/*.json")]
    assert sum(not p["wantErr"] for p in probes) >= 10
    assert sum(p["wantErr"] for p in probes) >= 150


def test_known_answer_hashes() -> None:
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert leaf_hash(b"").hex() == (
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
    )
    assert leaf_hash(b"L123456").hex() == (
        "395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56"
    )
    assert node_hash(b"N123", b"N456").hex() == (
        "aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb"
    )


def _leaves(n: int) -> list[bytes]:
    return [leaf_hash(f"entry-{i}".encode()) for i in range(n)]


def _reference_root(leaves: list[bytes]) -> bytes:
    """MTH straight from RFC 6962 §2.1, recursively."""
    if not leaves:
        return EMPTY_ROOT
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return node_hash(_reference_root(leaves[:k]), _reference_root(leaves[k:]))


class NodeStore:
    """Every perfect-subtree hash an accumulator completed, as a store would keep them."""

    def __init__(self, leaves: list[bytes]) -> None:
        self.nodes: dict[tuple[int, int], bytes] = {}
        self.lookups = 0
        self.acc = MerkleAccumulator()
        for leaf in leaves:
            for node in self.acc.append(leaf):
                key = (node.level, node.index)
                assert key not in self.nodes, f"node {key} reported twice"
                self.nodes[key] = node.hash

    def node_at(self, level: int, index: int) -> bytes:
        self.lookups += 1
        return self.nodes[(level, index)]


BIG = _leaves(130)
BIG_STORE = NodeStore(BIG)


@pytest.mark.parametrize("size", range(131))
def test_root_three_ways_agree(size: int) -> None:
    acc = MerkleAccumulator()
    for leaf in BIG[:size]:
        acc.append(leaf)
    expected = _reference_root(BIG[:size])
    assert acc.size == size
    assert acc.root() == expected
    assert root_at(size, BIG_STORE.node_at) == expected


def test_append_reports_each_completed_perfect_subtree() -> None:
    acc = MerkleAccumulator()
    leaves = _leaves(8)
    for leaf in leaves[:7]:
        acc.append(leaf)
    completed = acc.append(leaves[7])
    assert [(n.level, n.index) for n in completed] == [(0, 7), (1, 3), (2, 1), (3, 0)]
    assert completed[-1].hash == _reference_root(leaves)
    assert completed[1].hash == node_hash(leaves[6], leaves[7])


def test_stored_nodes_cover_exactly_their_leaves() -> None:
    for (level, index), value in BIG_STORE.nodes.items():
        start = index << level
        assert value == _reference_root(BIG[start:start + (1 << level)])


@pytest.mark.parametrize("size", [0, 1, 2, 5, 13, 64, 100, 129])
def test_accumulator_resumes_from_frontier(size: int) -> None:
    frontier = [BIG_STORE.nodes[pos] for pos in frontier_positions(size)]
    resumed = MerkleAccumulator.from_frontier(size, frontier)
    assert resumed.root() == _reference_root(BIG[:size])
    for leaf in BIG[size:]:
        resumed.append(leaf)
    assert resumed.root() == BIG_STORE.acc.root()


def test_from_frontier_rejects_wrong_node_count() -> None:
    with pytest.raises(ProofError, match="3 frontier nodes"):
        MerkleAccumulator.from_frontier(7, [BIG[0]])


def test_from_frontier_rejects_misplaced_node() -> None:
    with pytest.raises(ProofError, match=r"needs \(1, 0\)"):
        MerkleAccumulator.from_frontier(2, [Node(1, 1, BIG[0])])


def test_frontier_positions() -> None:
    assert frontier_positions(0) == []
    assert frontier_positions(1) == [(0, 0)]
    assert frontier_positions(13) == [(3, 0), (2, 2), (0, 12)]


def test_all_inclusion_proofs_up_to_64_verify() -> None:
    store = NodeStore(_leaves(64))
    for size in range(1, 65):
        root = root_at(size, store.node_at)
        for index in range(size):
            proof = inclusion_proof(index, size, store.node_at)
            verify_inclusion(store.nodes[(0, index)], index, size, proof, root)


def test_all_consistency_proofs_up_to_64_verify() -> None:
    store = NodeStore(_leaves(64))
    roots = [root_at(size, store.node_at) for size in range(65)]
    for new in range(1, 65):
        for old in range(1, new + 1):
            proof = consistency_proof(old, new, store.node_at)
            verify_consistency(old, new, proof, roots[old], roots[new])


def test_inclusion_proof_for_a_different_leaf_is_rejected() -> None:
    store = NodeStore(_leaves(20))
    root = root_at(20, store.node_at)
    proof = inclusion_proof(5, 20, store.node_at)
    with pytest.raises(ProofError, match="expected .*, got") as info:
        verify_inclusion(store.nodes[(0, 6)], 5, 20, proof, root)
    assert info.value.expected == root


def test_consistency_proof_against_a_rewritten_history_is_rejected() -> None:
    store = NodeStore(_leaves(20))
    forged = _leaves(20)
    forged[3] = leaf_hash(b"rewritten")
    forged_root = _reference_root(forged[:11])
    proof = consistency_proof(11, 20, store.node_at)
    with pytest.raises(ProofError, match="size 11"):
        verify_consistency(11, 20, proof, forged_root, root_at(20, store.node_at))


def test_random_proofs_in_a_big_tree_verify_and_stay_logarithmic() -> None:
    rng = random.Random(6962)
    small = NodeStore(_leaves(1 << 16))
    for _ in range(200):
        size = rng.randrange(1, 1 << 16)
        index = rng.randrange(size)
        small.lookups = 0
        proof = inclusion_proof(index, size, small.node_at)
        assert len(proof) <= size.bit_length()
        assert small.lookups <= 2 * size.bit_length()
        verify_inclusion(small.nodes[(0, index)], index, size, proof,
                         root_at(size, small.node_at))
        old = rng.randrange(1, size + 1)
        small.lookups = 0
        cproof = consistency_proof(old, size, small.node_at)
        assert len(cproof) <= 2 * size.bit_length()
        assert small.lookups <= 3 * size.bit_length()
        verify_consistency(old, size, cproof, root_at(old, small.node_at),
                           root_at(size, small.node_at))


def test_proof_length_grows_with_log_n() -> None:
    store = NodeStore(_leaves(1024))
    longest = max(len(inclusion_proof(i, 1023, store.node_at)) for i in range(1023))
    assert longest == 10
    assert len(consistency_proof(511, 1023, store.node_at)) <= 20


@pytest.mark.parametrize(
    ("index", "size"), [(-1, 4), (4, 4), (0, 0)],
)
def test_inclusion_proof_rejects_impossible_positions(index: int, size: int) -> None:
    with pytest.raises(ProofError, match="not in a tree"):
        inclusion_proof(index, size, BIG_STORE.node_at)


def test_consistency_proof_rejects_shrinking_and_empty_start() -> None:
    with pytest.raises(ProofError, match="swap"):
        consistency_proof(5, 4, BIG_STORE.node_at)
    with pytest.raises(ProofError, match="size 0"):
        consistency_proof(0, 4, BIG_STORE.node_at)
    assert consistency_proof(7, 7, BIG_STORE.node_at) == []


def test_verify_inclusion_rejects_non_hash_leaf() -> None:
    with pytest.raises(ProofError, match="32-byte"):
        verify_inclusion(b"short", 0, 1, [], leaf_hash(b"x"))
