"""A day the aggregates form cannot read is refused with what to type, the form keeping it;
it is never replaced by the default week, whose counts would answer another question."""

from __future__ import annotations

import html

import pytest

from audit import AuditQuery
from tests.webclient.staff.conftest import OPS, guard_of


def aggregate_queries(app) -> int:  # type: ignore[no-untyped-def]
    """Return how many aggregate questions the guard answered or refused."""
    return len([e for e in guard_of(app).audit.query(AuditQuery(actor_kind="staff"))
                if e.action.startswith("aggregate")])


@pytest.mark.parametrize("args", ["since=bad", "until=2025-13-01", "since=01%2F03%2F2025"])
def test_an_unreadable_day_is_refused_and_kept(app, staff_client, args):
    analyst = staff_client(OPS)
    before = aggregate_queries(app)
    answer = analyst.get(f"/staff/aggregates?question=activity_by_day&{args}")
    page = html.unescape(answer.get_data(as_text=True))
    assert answer.status_code == 400
    assert "Give each day as a date like 2025-03-01." in page
    typed = html.unescape(args.split("=", 1)[1].replace("%2F", "/"))
    assert f'value="{typed}"' in page
    assert "Minimum group size" not in page
    assert aggregate_queries(app) == before


def test_the_problem_is_said_in_indonesian(app, staff_client):
    analyst = staff_client(OPS)
    analyst.set_cookie("mailguard_lang", "id")
    answer = analyst.get("/staff/aggregates?since=kemarin")
    assert answer.status_code == 400
    assert "Isi setiap hari sebagai tanggal seperti 2025-03-01." in answer.get_data(as_text=True)
