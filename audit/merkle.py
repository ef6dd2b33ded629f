"""Hash an append-only log as an RFC 6962 / RFC 9162 Merkle tree and prove things about it.

Pure functions, no I/O. The tree over ``size`` leaves is described by perfect subtrees: the
node at ``(level, index)`` covers leaves ``[index * 2**level, (index + 1) * 2**level)``;
level 0 is the leaf hash itself. A store that keeps every perfect-subtree hash (what
``MerkleAccumulator.append`` hands back) can produce any root, inclusion proof or
consistency proof with O(log n) lookups through a ``node_at(level, index)`` callable.

Security caveat: the leaf and node prefixes (0x00 / 0x01) are what stop a leaf from being
passed off as an inner node; never hash leaf data with ``node_hash`` or vice versa.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from audit.errors import ProofError

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

NodeLookup = Callable[[int, int], bytes]


def leaf_hash(data: bytes) -> bytes:
    """Return the RFC 6962 hash of a leaf: SHA-256(0x00 || data)."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Return the RFC 6962 hash of an inner node: SHA-256(0x01 || left || right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


@dataclass(frozen=True, slots=True)
class Node:
    """A perfect-subtree hash: ``level`` 0 is a leaf; covers 2**level leaves from index·2**level."""

    level: int
    index: int
    hash: bytes


def frontier_positions(size: int) -> list[tuple[int, int]]:
    """Return the (level, index) of the perfect subtrees of a tree of ``size``, left first."""
    _check_size(size)
    positions: list[tuple[int, int]] = []
    start = 0
    for level in range(size.bit_length() - 1, -1, -1):
        if size >> level & 1:
            positions.append((level, start >> level))
            start += 1 << level
    return positions


class MerkleAccumulator:
    """Keep the compact range of a growing tree (O(log n) hashes) and report completed nodes."""

    __slots__ = ("_size", "_stack")

    def __init__(self) -> None:
        self._size = 0
        self._stack: list[Node] = []

    @classmethod
    def from_frontier(cls, size: int, nodes: Iterable[Node | bytes]) -> MerkleAccumulator:
        """Resume a tree of ``size`` from its frontier (in ``frontier_positions`` order)."""
        positions = frontier_positions(size)
        nodes = list(nodes)
        hashes = [n.hash if isinstance(n, Node) else n for n in nodes]
        if len(hashes) != len(positions):
            raise ProofError(
                f"a tree of size {size} has {len(positions)} frontier nodes, got {len(hashes)}; "
                "pass the hashes at frontier_positions(size), left to right"
            )
        for node, (level, index) in zip(nodes, positions, strict=False):
            if isinstance(node, Node) and (node.level, node.index) != (level, index):
                raise ProofError(
                    f"frontier node ({node.level}, {node.index}) given where a tree of size "
                    f"{size} needs ({level}, {index})"
                )
        acc = cls()
        acc._size = size
        acc._stack = [
            Node(level, index, _check_hash(h, "frontier node"))
            for (level, index), h in zip(positions, hashes, strict=True)
        ]
        return acc

    @property
    def size(self) -> int:
        """Return how many leaves have been appended."""
        return self._size

    def frontier(self) -> list[Node]:
        """Return the current perfect subtrees, left to right (what ``from_frontier`` takes)."""
        return list(self._stack)

    def append(self, leaf: bytes) -> list[Node]:
        """Append a leaf hash; return the leaf node and every perfect subtree it completed."""
        return self.append_subtree(0, leaf)

    def append_subtree(self, level: int, subtree: bytes) -> list[Node]:
        """Append the hash of 2**level leaves at once; return it and every node it completed.

        The tree's size must be a multiple of 2**level (the subtree is then a perfect,
        aligned subtree of the final tree, as RFC 6962 splits it).
        """
        if level < 0 or self._size % (1 << level):
            raise ProofError(
                f"a subtree of 2**{level} leaves cannot follow {self._size} leaves; append "
                "subtrees only at multiples of their width"
            )
        node = Node(level, self._size >> level, _check_hash(subtree, "subtree hash"))
        completed = [node]
        while self._stack and self._stack[-1].level == node.level:
            left = self._stack.pop()
            node = Node(node.level + 1, left.index >> 1, node_hash(left.hash, node.hash))
            completed.append(node)
        self._stack.append(node)
        self._size += 1 << level
        return completed

    def root(self) -> bytes:
        """Return the root hash of the tree as it stands (``EMPTY_ROOT`` when empty)."""
        return _fold([n.hash for n in self._stack])


def root_at(size: int, node_at: NodeLookup) -> bytes:
    """Return the root of the first ``size`` leaves from stored perfect-subtree hashes."""
    return _fold([node_at(level, index) for level, index in frontier_positions(size)])


def subtree_hash(start: int, end: int, node_at: NodeLookup) -> bytes:
    """Return MTH of leaves [start, end) where ``start`` is aligned as RFC 6962 splits are."""
    if end <= start:
        raise ProofError(f"empty leaf range [{start}, {end}) has no subtree hash")
    width = end - start
    if width & (width - 1) == 0 and start % width == 0:
        level = width.bit_length() - 1
        return node_at(level, start >> level)
    split = _largest_power_of_two_below(width)
    return node_hash(subtree_hash(start, start + split, node_at),
                     subtree_hash(start + split, end, node_at))


def inclusion_proof(index: int, size: int, node_at: NodeLookup) -> list[bytes]:
    """Return the audit path (RFC 9162 §2.1.3.1) of leaf ``index`` in the tree of ``size``."""
    _check_size(size)
    if not 0 <= index < size:
        raise ProofError(f"leaf {index} is not in a tree of size {size}; pick 0 <= index < size")
    path: list[bytes] = []
    start, end = 0, size
    while end - start > 1:
        split = _largest_power_of_two_below(end - start)
        if index < start + split:
            path.append(subtree_hash(start + split, end, node_at))
            end = start + split
        else:
            path.append(subtree_hash(start, start + split, node_at))
            start += split
    path.reverse()
    return path


def consistency_proof(old_size: int, new_size: int, node_at: NodeLookup) -> list[bytes]:
    """Return the RFC 9162 §2.1.4.1 proof that the tree of ``old_size`` prefixes ``new_size``."""
    _check_size(old_size)
    _check_size(new_size)
    if old_size > new_size:
        raise ProofError(
            f"old size {old_size} is larger than new size {new_size}; swap the arguments"
        )
    if old_size == new_size:
        return []
    if old_size == 0:
        raise ProofError(
            "every tree extends the empty tree, so there is nothing to prove from size 0; "
            "start from a checkpoint with at least one entry"
        )
    proof: list[bytes] = []
    start, end, whole = 0, new_size, True
    m = old_size
    while True:
        if m == end - start:
            if not whole:
                proof.append(subtree_hash(start, end, node_at))
            break
        split = _largest_power_of_two_below(end - start)
        if m <= split:
            proof.append(subtree_hash(start + split, end, node_at))
            end = start + split
        else:
            proof.append(subtree_hash(start, start + split, node_at))
            start += split
            m -= split
            whole = False
    proof.reverse()
    return proof


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes],
                     root: bytes) -> None:
    """Check that ``leaf`` sits at ``index`` of the tree of ``size`` with ``root``; else raise."""
    if size <= 0 or not 0 <= index < size:
        raise ProofError(
            f"leaf {index} cannot be in a tree of size {size}; a proof needs 0 <= index < size"
        )
    _check_hash(leaf, "leaf hash")
    proof = list(proof or ())
    inner, border = _decompose(index, size)
    if len(proof) != inner + border:
        raise ProofError(
            f"an inclusion proof for leaf {index} in a tree of size {size} has "
            f"{inner + border} hashes, got {len(proof)}"
        )
    calculated = leaf
    for level, sibling in enumerate(proof[:inner]):
        _check_hash(sibling, "proof hash")
        if index >> level & 1:
            calculated = node_hash(sibling, calculated)
        else:
            calculated = node_hash(calculated, sibling)
    for sibling in proof[inner:]:
        _check_hash(sibling, "proof hash")
        calculated = node_hash(sibling, calculated)
    if not hmac.compare_digest(calculated, root):
        raise ProofError(
            f"leaf {index} is not included in the tree of size {size} with this root",
            expected=root, actual=calculated,
        )


def verify_consistency(old_size: int, new_size: int, proof: Sequence[bytes],
                       old_root: bytes, new_root: bytes) -> None:
    """Check that the tree of ``old_size``/``old_root`` prefixes ``new_size``/``new_root``."""
    proof = list(proof or ())
    if old_size < 0 or new_size < 0:
        raise ProofError(f"tree sizes must not be negative, got {old_size} and {new_size}")
    if old_size > new_size:
        raise ProofError(
            f"old size {old_size} is larger than new size {new_size}: the log shrank"
        )
    if old_size == new_size:
        if proof:
            raise ProofError(
                f"trees of equal size {old_size} need an empty proof, got {len(proof)} hashes"
            )
        if old_size == 0 and not hmac.compare_digest(old_root, EMPTY_ROOT):
            raise ProofError("the root of the empty tree is wrong",
                             expected=EMPTY_ROOT, actual=old_root)
        if not hmac.compare_digest(old_root, new_root):
            raise ProofError(f"two trees of size {old_size} have different roots",
                             expected=old_root, actual=new_root)
        return
    if old_size == 0:
        raise ProofError(
            "a consistency proof from the empty tree proves nothing; verify against a "
            "checkpoint with at least one entry"
        )
    if not proof:
        raise ProofError(
            f"a consistency proof from size {old_size} to {new_size} cannot be empty"
        )
    for h in proof:
        _check_hash(h, "proof hash")

    inner, border = _decompose(old_size - 1, new_size)
    shift = (old_size & -old_size).bit_length() - 1
    inner -= shift
    if old_size == 1 << shift:
        seed, rest = old_root, proof
    else:
        seed, rest = proof[0], proof[1:]
    if len(rest) != inner + border:
        expected_len = inner + border + (len(proof) - len(rest))
        raise ProofError(
            f"a consistency proof from size {old_size} to {new_size} has {expected_len} "
            f"hashes, got {len(proof)}"
        )
    mask = (old_size - 1) >> shift
    old_calc = new_calc = seed
    for level, sibling in enumerate(rest[:inner]):
        if mask >> level & 1:
            old_calc = node_hash(sibling, old_calc)
            new_calc = node_hash(sibling, new_calc)
        else:
            new_calc = node_hash(new_calc, sibling)
    for sibling in rest[inner:]:
        old_calc = node_hash(sibling, old_calc)
        new_calc = node_hash(sibling, new_calc)
    if not hmac.compare_digest(old_calc, old_root):
        raise ProofError(f"the proof does not reproduce the root of the tree of size {old_size}",
                         expected=old_root, actual=old_calc)
    if not hmac.compare_digest(new_calc, new_root):
        raise ProofError(f"the proof does not reproduce the root of the tree of size {new_size}",
                         expected=new_root, actual=new_calc)


def _decompose(index: int, size: int) -> tuple[int, int]:
    """Split an inclusion path into inner (below the divergence) and border (right edge) parts."""
    inner = (index ^ (size - 1)).bit_length()
    border = bin(index >> inner).count("1")
    return inner, border


def _fold(hashes: list[bytes]) -> bytes:
    """Fold perfect-subtree hashes, left to right, into the root (right-to-left pairing)."""
    if not hashes:
        return EMPTY_ROOT
    root = hashes[-1]
    for h in reversed(hashes[:-1]):
        root = node_hash(h, root)
    return root


def _largest_power_of_two_below(n: int) -> int:
    """Return the largest power of two strictly smaller than ``n`` (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def _check_size(size: int) -> None:
    """Reject a negative tree size."""
    if size < 0:
        raise ProofError(f"tree size must not be negative, got {size}")


def _check_hash(value: bytes, what: str) -> bytes:
    """Reject anything that is not a 32-byte SHA-256 hash."""
    if not isinstance(value, bytes | bytearray) or len(value) != HASH_SIZE:
        length = len(value) if isinstance(value, bytes | bytearray) else type(value).__name__
        raise ProofError(f"{what} must be a {HASH_SIZE}-byte SHA-256 hash, got {length}")
    return bytes(value)
