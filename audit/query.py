"""Shape review results: purpose families, entry counts, and table / JSON-lines / CSV output.

Everything here streams: entries are consumed one at a time, so exporting or counting a
large log needs constant memory. Output holds only what entries hold (hashed identifiers).
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import IO, TYPE_CHECKING, Any

from audit.entry import AuditEntry, ResourceKind, ResourceRef

if TYPE_CHECKING:
    from audit.search import AuditStats, Count

CSV_COLUMNS = ("seq", "time", "actor_kind", "actor_id_h", "actor_role", "mailbox_h", "action",
               "purpose", "basis", "basis_ref", "resources", "decision", "rule_id",
               "policy_version", "request_id", "outcome", "client_ip_h")
TABLE_COLUMNS = ("seq", "time", "actor_kind", "actor_role", "action", "purpose", "basis",
                 "decision", "rule_id", "resources")
TABLE_WINDOW = 1000
"""Rows the table reads ahead to choose its column widths; later rows stream one by one."""
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")


def purpose_matches(pattern: str, purpose: str) -> bool:
    """Match a purpose exactly, or a family when the pattern ends in ".*"."""
    if pattern.endswith(".*"):
        return purpose.startswith(pattern[:-1])
    return purpose == pattern


@dataclass(frozen=True, slots=True)
class EntryCounts:
    """Entry counts by day (UTC), actor kind, purpose, basis and decision."""

    total: int = 0
    by_day: dict[str, int] = field(default_factory=dict)
    by_actor_kind: dict[str, int] = field(default_factory=dict)
    by_purpose: dict[str, int] = field(default_factory=dict)
    by_basis: dict[str, int] = field(default_factory=dict)
    by_decision: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form."""
        return {
            "total": self.total, "by_day": self.by_day, "by_actor_kind": self.by_actor_kind,
            "by_purpose": self.by_purpose, "by_basis": self.by_basis,
            "by_decision": self.by_decision,
        }


def count_entries(entries: Iterable[AuditEntry]) -> EntryCounts:
    """Count entries by day, actor kind, purpose, basis and decision in one pass."""
    days: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    purposes: Counter[str] = Counter()
    bases: Counter[str] = Counter()
    decisions: Counter[str] = Counter()
    total = 0
    for entry in entries:
        total += 1
        days[entry.time[:10]] += 1
        kinds[entry.actor_kind.value] += 1
        purposes[entry.purpose] += 1
        bases[entry.basis or "-"] += 1
        decisions[entry.decision.value] += 1
    return EntryCounts(total, dict(sorted(days.items())), _by_count(kinds),
                      _by_count(purposes), _by_count(bases), _by_count(decisions))


def counts_from_stats(stats: AuditStats) -> EntryCounts:
    """Shape ``AuditLog.stats(bucket="day", top=None)``, counted in SQL, as entry counts."""
    def counts(groups: Iterable[Count], empty: str = "") -> dict[str, int]:
        return _by_count(Counter({(c.key or empty): c.count for c in groups if c.count}))

    days = {b.start: b.allowed + b.denied for b in stats.timeline}
    decisions = Counter({"allow": stats.allowed, "deny": stats.denied})
    return EntryCounts(stats.total, dict(sorted(days.items())), counts(stats.by_actor_kind),
                       counts(stats.by_purpose), counts(stats.by_basis, "-"),
                       _by_count(+decisions))


def write_jsonl(entries: Iterable[AuditEntry], out: IO[str]) -> int:
    """Write one canonical JSON object per line; return how many were written."""
    count = 0
    for entry in entries:
        out.write(entry.canonical_bytes().decode("utf-8"))
        out.write("\n")
        count += 1
    return count


def read_jsonl(lines: Iterable[str]) -> Iterator[AuditEntry]:
    """Read entries written by ``write_jsonl``."""
    for line in lines:
        if line.strip():
            yield AuditEntry.from_dict(json.loads(line))


def write_csv(entries: Iterable[AuditEntry], out: IO[str]) -> int:
    """Write a header and one row per entry; cells that a spreadsheet would run are quoted.

    Security caveat: a cell starting with =, +, -, @ (or a quote) gets a leading "'" so a
    spreadsheet shows it as text instead of evaluating it; ``read_csv`` removes it again.
    """
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    count = 0
    for entry in entries:
        writer.writerow([_csv_cell(v) for v in _row(entry)])
        count += 1
    return count


def read_csv(text: Iterable[str]) -> Iterator[AuditEntry]:
    """Read entries written by ``write_csv``."""
    reader = csv.DictReader(text)
    for row in reader:
        values: dict[str, Any] = {k: _csv_value(v) for k, v in row.items()}
        values["seq"] = int(values["seq"])
        values["resources"] = tuple(
            ResourceRef(ResourceKind(kind), rid)
            for kind, _, rid in (part.partition(":") for part in
                                 values["resources"].split(" ") if part)
        )
        yield AuditEntry(**values)


def format_table(entries: Iterable[AuditEntry]) -> Iterator[str]:
    """Yield aligned text rows (header first) for a terminal, holding at most a window of rows.

    The widths fit the header and the first ``TABLE_WINDOW`` rows; a later cell that is
    wider is printed whole and widens its column from that row on, so no value is cut
    and memory stays flat however many entries match.
    """
    it = iter(entries)
    window = [list(TABLE_COLUMNS), *(_table_cells(e) for e in islice(it, TABLE_WINDOW))]
    widths = [max(len(r[i]) for r in window) for i in range(len(TABLE_COLUMNS))]
    for row in window:
        yield _aligned(row, widths)
    del window
    for entry in it:
        row = _table_cells(entry)
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]
        yield _aligned(row, widths)


def _table_cells(entry: AuditEntry) -> list[str]:
    """Return an entry's cells in ``TABLE_COLUMNS`` order ("-" for an empty one)."""
    data = dict(zip(CSV_COLUMNS, _row(entry), strict=True))
    return [str(data[c]) if data[c] != "" else "-" for c in TABLE_COLUMNS]


def _aligned(row: list[str], widths: list[int]) -> str:
    """Return one table line, each cell padded to its column's width."""
    return "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()


def _row(entry: AuditEntry) -> list[Any]:
    """Return an entry's CSV cells in ``CSV_COLUMNS`` order."""
    data = entry.to_dict()
    data["resources"] = " ".join(f"{r.kind.value}:{r.id}" for r in entry.resources)
    return [data[c] for c in CSV_COLUMNS]


def _csv_cell(value: Any) -> Any:
    """Neutralise spreadsheet formulas."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _csv_value(cell: str) -> str:
    """Undo ``_csv_cell``."""
    return cell[1:] if cell.startswith("'") else cell


def _by_count(counter: Counter[str]) -> dict[str, int]:
    """Order counts largest first, then by name."""
    return dict(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))


def render_counts(stats: EntryCounts) -> str:
    """Return the counts as plain-text tables for a terminal."""
    out = io.StringIO()
    out.write(f"entries: {stats.total}\n")
    for title, counts in (("day", stats.by_day), ("actor kind", stats.by_actor_kind),
                          ("purpose", stats.by_purpose), ("basis", stats.by_basis),
                          ("decision", stats.by_decision)):
        out.write(f"\nby {title}\n")
        width = max((len(k) for k in counts), default=0)
        for key, count in counts.items():
            out.write(f"  {key.ljust(width)}  {count}\n")
    return out.getvalue()
