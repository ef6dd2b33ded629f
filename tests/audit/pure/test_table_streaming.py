"""The search table streams: its widths come from a bounded first window of rows, so a
search with millions of results prints its first lines at once and holds only that window."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice

import pytest

from audit.entry import AuditEntry
from audit.query import TABLE_WINDOW, format_table

from .test_query import make_entry


def entries_that_end_in_failure(good: int) -> Iterator[AuditEntry]:
    """Yield ``good`` entries, then fail: a table that reads on has buffered the result."""
    for seq in range(good):
        yield make_entry(seq)
    pytest.fail(f"the table read more than {good} entries before printing")


def test_the_first_lines_come_before_the_whole_result_is_read() -> None:
    lines = list(islice(format_table(entries_that_end_in_failure(TABLE_WINDOW + 1)), 3))
    assert lines[0].split()[:2] == ["seq", "time"]
    assert [line.split()[0] for line in lines[1:]] == ["0", "1"]


def test_rows_after_the_window_stream_one_at_a_time() -> None:
    lines = format_table(entries_that_end_in_failure(TABLE_WINDOW + 10))
    shown = list(islice(lines, TABLE_WINDOW + 10 + 1))
    assert shown[-1].split()[0] == str(TABLE_WINDOW + 9)


def test_a_long_cell_after_the_window_is_printed_whole_and_later_rows_align_with_it() -> None:
    entries = [make_entry(seq) for seq in range(TABLE_WINDOW)]
    long_rule = "r" * 60
    entries.append(make_entry(TABLE_WINDOW, rule_id=long_rule))
    entries.append(make_entry(TABLE_WINDOW + 1, rule_id="short"))
    entries.append(make_entry(TABLE_WINDOW + 2, rule_id="short"))
    lines = list(format_table(entries))
    assert len(lines) == TABLE_WINDOW + 4
    assert long_rule in lines[-3]
    resources = [line.index("message:") for line in lines[-3:]]
    assert resources[0] == resources[1] == resources[2]
    header = lines[0]
    assert all(line.index("email.read") == header.index("purpose")
               for line in lines[1:TABLE_WINDOW + 1])
