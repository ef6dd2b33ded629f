"""Place a batch of items at the head of the log: the rows each store writes for them.

Both stores (SQLite in ``audit.store``, PostgreSQL in ``audit.pg_append``) do this with the
head lock held: give each item the next seq, build its rows and leaf hash, and extend the
Merkle accumulator, collecting the perfect-subtree nodes that the batch completes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from audit.merkle import MerkleAccumulator

if TYPE_CHECKING:
    from audit.store import LeafBuilder, PendingLeaf


@dataclass(slots=True)
class BatchRows:
    """What a batch writes: (seq, leaf) per item, and the rows of each table."""

    built: list[tuple[int, PendingLeaf]] = field(default_factory=list)
    entry_rows: list[tuple[Any, ...]] = field(default_factory=list)
    resource_rows: list[tuple[Any, ...]] = field(default_factory=list)
    node_rows: list[tuple[int, int, bytes]] = field(default_factory=list)


def place_batch(items: Sequence[Any], build: LeafBuilder, acc: MerkleAccumulator
                ) -> BatchRows:
    """Place ``items`` from ``acc.size`` on; ``acc`` ends at the new size."""
    rows = BatchRows()
    size = acc.size
    for offset, item in enumerate(items):
        seq = size + offset
        leaf = build(seq, item)
        rows.built.append((seq, leaf))
        rows.entry_rows.append(leaf.entry_row)
        rows.resource_rows.extend(leaf.resource_rows)
        for node in acc.append(leaf.leaf_hash)[1:]:
            rows.node_rows.append((node.level, node.index, node.hash))
    return rows
