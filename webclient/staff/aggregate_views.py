"""Internal operations: counts over groups of at least k mailboxes, small groups suppressed."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import render_template, request
from flask_babel import gettext as _

from guard.errors import DecisionError
from webclient.staff import services
from webclient.staff.blueprint import blueprint
from webclient.staff.console import Section, request_id, section_required
from webclient.staff.staff_session import signed_in, staff_required

QUESTIONS = ("activity_by_day", "accounts_by_domain_size")
DEFAULT_DAYS = 7


def _day(text: str | None, default: date) -> date:
    return date.fromisoformat(text) if text else default


@blueprint.get("/aggregates")
@staff_required
@section_required(Section.AGGREGATES)
def aggregates() -> Any:
    """Answer one aggregate question; the guard decides, records and suppresses."""
    me = signed_in()
    question = request.args.get("question", QUESTIONS[0])
    today = services.now().date()
    try:
        since = _day(request.args.get("since"), today - timedelta(days=DEFAULT_DAYS - 1))
        until = _day(request.args.get("until"), today + timedelta(days=1))
    except ValueError:
        # Counts for the default week would answer a question nobody asked: say what to
        # type and show the form again with what was typed; nothing is asked of the guard.
        return render_template(
            "staff/aggregates.html", result=None, question=question,
            since=request.args.get("since", ""), until=request.args.get("until", ""),
            error=_("Give each day as a date like 2025-03-01.")), 400
    args = {"question": question, "since": since.isoformat(), "until": until.isoformat()}
    if question not in QUESTIONS:
        return render_template("staff/aggregates.html", result=None, error=_(
            "Choose one of the questions."), **args), 400
    service = services.aggregates()
    try:
        if question == "activity_by_day":
            result = service.activity_by_day(me.actor, since=since, until=until,
                                             request_id=request_id())
        else:
            result = service.accounts_by_domain_size(me.actor, request_id=request_id())
    except ValueError:
        return render_template("staff/aggregates.html", result=None, error=_(
            "Give a start day before the end day, at most a year apart."), **args), 400
    except DecisionError as refusal:
        return render_template("staff/aggregates.html", result=None, error=_(
            "The question was refused (rule %(rule)s). The refusal was recorded.",
            rule=refusal.rule_id), **args), 403
    return render_template("staff/aggregates.html", result=result, error=None, **args)
