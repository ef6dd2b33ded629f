"""The security review pages: search, entry proof, integrity, charts, alerts, export, report.

Every view is behind ``reviewer_required``: only active security-role staff get in, and
each visit is appended to the audit log before anything is read. Views parse the request,
ask the audit log's public API (through the guard) and render.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

from flask import (
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import get_locale

from audit import AuditEntry, AuditLog, IdentifierHasher
from audit.query import write_csv, write_jsonl
from webclient.auth.google_oauth import SCOPES
from webclient.charts import StackedBars, render_stacked_bars
from webclient.guard_link import current_guard
from webclient.review.access import reviewer_required, staff_registry
from webclient.review.activity import StaffNames, count_activity, days_between
from webclient.review.alerts import REVOKE_ACTION, AlertKind, AlertRules, find_alerts
from webclient.review.blueprint import blueprint
from webclient.review.codes import basis_or_kind, worded
from webclient.review.integrity import IntegrityMonitor
from webclient.review.proofs import b64, check_inclusion
from webclient.review.report import (
    REPORT_CSP,
    build_report,
    render_html,
    render_pdf,
    template_values,
)
from webclient.review.search import (
    MAX_SEQ,
    FilterError,
    Filters,
    PageRequest,
    fetch_page,
)
from webclient.review.text import tr, translator

MONITOR = "mailguard.review.integrity"
ALERT_RULES = "mailguard.review.alerts"
EXPORT_BATCH = 500
#: The most days the charts draw (one bar each); a longer period shows its last days.
MAX_CHART_DAYS = 366


@blueprint.record_once
def _configure(state: Any) -> None:
    """Read the review settings once at start-up (bad alert thresholds stop start-up)."""
    from webclient.review import text

    app = state.app
    app.config.setdefault("REVIEW_WINDOW_DAYS", 14)
    app.config.setdefault("REVIEW_VERIFY_INLINE_MAX", 20_000)
    app.config.setdefault("REVIEW_EXPORTED_CHECKPOINT", None)
    app.extensions[ALERT_RULES] = AlertRules.from_config(app.config)
    text.init_app(app)


def _log() -> AuditLog:
    return current_guard().audit


def _now() -> datetime:
    return current_guard().settings.clock()


def _names() -> StaffNames:
    """Return staff addresses by their hash in the log (the reviewer's own included)."""
    members = staff_registry().members(include_inactive=True)
    hasher = IdentifierHasher(current_guard().settings.audit_hmac_key)
    return StaffNames.build((m.email for m in members), hasher)


def _monitor() -> IntegrityMonitor:
    found: IntegrityMonitor | None = current_app.extensions.get(MONITOR)
    if found is None:
        found = IntegrityMonitor(_log(), clock=current_guard().settings.clock,
                                 exported_path=current_app.config["REVIEW_EXPORTED_CHECKPOINT"],
                                 inline_limit=int(current_app.config["REVIEW_VERIFY_INLINE_MAX"]))
        current_app.extensions[MONITOR] = found
    return found


def _filters(*, default_range: bool) -> tuple[Filters, str]:
    """Return the request's filters, or the fields as typed and what is wrong with them.

    With a message, the filters are for showing the form again only, never for a query.
    """
    try:
        found = Filters.from_args(request.args)
    except FilterError as error:
        return Filters.as_typed(request.args), filter_message(error)
    if default_range:
        found = found.with_default_range(_now(), int(current_app.config["REVIEW_WINDOW_DAYS"]))
    return found, ""


def filter_message(error: FilterError) -> str:
    """Return what a reviewer should type instead, in their language."""
    if error.problem == "choice":
        return tr("%(field)s: choose one of %(choices)s", field=error.field,
                  choices=", ".join(error.choices))
    if error.problem == "time":
        return tr("%(field)s: give a UTC date like 2025-03-01 or a time like 2025-03-01T09:30",
                  field=error.field)
    if error.problem == "range":
        return tr("%(field)s: give a day on or after the start of the period", field=error.field)
    if error.problem == "number":
        return tr("%(field)s: give a whole number", field=error.field)
    return tr("%(field)s: give a single line of at most 256 characters", field=error.field)


@blueprint.get("/")
@reviewer_required("audit.search")
def search() -> Any:
    """Search the audit log with filters, newest first, one page at a time."""
    filters, problem = _filters(default_range=False)
    try:
        page = PageRequest.from_args(request.args)
    except FilterError as error:
        page, problem = PageRequest(), filter_message(error)
    results = fetch_page(_log(), filters, page) if not problem else None
    return render_template("review/search.html", filters=filters, problem=problem,
                           results=results, names=_names(), page=page,
                           worded=worded), 400 if problem else 200


@blueprint.get("/entries/<int:seq>")
@reviewer_required("audit.entry")
def entry(seq: int) -> Any:
    """Show one entry with its inclusion proof checked against the latest checkpoint."""
    found = _log().get(seq) if seq <= MAX_SEQ else None
    if found is None:
        abort(404)
    check = check_inclusion(_log(), found)
    return render_template("review/entry.html", entry=found, check=check, b64=b64,
                           names=_names(), worded=worded)


@blueprint.get("/integrity")
@reviewer_required("audit.integrity")
def integrity() -> Any:
    """Show the last verification, the latest checkpoint and the exported comparison."""
    monitor = _monitor()
    log = _log()
    return render_template("review/integrity.html", monitor=monitor, last=monitor.last,
                           running=monitor.running, latest=log.latest_checkpoint(),
                           size=log.size(), exported=monitor.compare_exported(), b64=b64)


@blueprint.post("/integrity/verify")
@reviewer_required("audit.verify")
def verify() -> Any:
    """Verify the whole log now (in the background when it is large)."""
    _monitor().start()
    return redirect(url_for("review.integrity"))


@blueprint.get("/charts")
@reviewer_required("audit.charts")
def charts() -> Any:
    """Draw accesses, denials, human accesses and transfers per day over the window."""
    filters, problem = _filters(default_range=True)
    counted = Filters() if problem else filters
    since, until = counted.time_range()
    now = _now()
    activity = count_activity(_log().query(counted.query()), _names())
    first = (datetime.fromisoformat(since[:10]).date() if since else
             datetime.fromisoformat(activity.first_day).date() if activity.first_day
             else now.date())
    last = last_day(until) if until else now.date()
    note = ""
    if (last - first).days >= MAX_CHART_DAYS:
        first = last - timedelta(days=MAX_CHART_DAYS - 1)
        note = tr("Charts show at most %(days)d days: these are the last %(days)d days of "
                  "the period.", days=MAX_CHART_DAYS)
    days = days_between(first, max(first, last))
    empty = tr("No entries in this period.")
    drawn = [
        (title, render_stacked_bars(StackedBars.from_counts(title, days, counts,
                                                            other=tr("other")),
                                    chart_id=chart_id, empty_text=empty))
        for chart_id, title, counts in (
            ("chart-basis", tr("Accesses by basis"),
             {basis_or_kind(k).text: v for k, v in activity.accesses_by_basis.items()}),
            ("chart-denials", tr("Denials by rule"), activity.denials_by_rule),
            ("chart-staff", tr("Human accesses per staff member"), activity.human_by_staff),
            ("chart-transfers", tr("Transfers per recipient"),
             activity.transfers_by_recipient),
        )]
    return render_template("review/charts.html", filters=filters, problem=problem or note,
                           charts=drawn, activity=activity), 400 if problem else 200


def last_day(until: str) -> date:
    """Return the last UTC day an exclusive stored ``until`` still covers.

    A bare date's ``until`` is the next midnight, so the day before is the last; a time
    such as 2025-03-05T10:00 still covers the morning of 2025-03-05, whose bars must show.
    """
    end = datetime.strptime(until, "%Y-%m-%dT%H:%M:%S.%fZ")
    return (end - timedelta(microseconds=1)).date()


@blueprint.get("/alerts")
@reviewer_required("audit.alerts")
def alerts() -> Any:
    """List what the alert rules found over the window, most recent first."""
    filters, problem = _filters(default_range=True)
    rules: AlertRules = current_app.extensions[ALERT_RULES]
    shown = Filters() if problem else filters
    # attempts to revoke a grant count whoever made them, so that a page filtered by the
    # grant's user still shows its use after one
    period = Filters(since=shown.since, until=shown.until)
    revocations = replace(period, action=REVOKE_ACTION)
    found = find_alerts(_log().query(shown.query()), rules, _names(),
                        revocations=() if shown == period else _log().query(revocations.query()))
    return render_template("review/alerts.html", filters=filters, problem=problem,
                           alerts=found, rules=rules, kinds=AlertKind), 400 if problem else 200


@blueprint.get("/export.<any(csv, jsonl):fmt>")
@reviewer_required("audit.export")
def export(fmt: str) -> Any:
    """Stream the matching entries (hashed identifiers only) as CSV or JSON lines."""
    filters, problem = _filters(default_range=False)
    if problem:
        return render_template("review/search.html", filters=filters, problem=problem,
                               results=None, names=_names(), page=PageRequest()), 400
    entries = _log().query(filters.query())
    body = stream_with_context(_chunks(entries, fmt))
    mimetype = "text/csv" if fmt == "csv" else "application/x-ndjson"
    stamp = _now().strftime("%Y%m%dT%H%M%SZ")
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="mailguard-audit-{stamp}.{fmt}"'})


def _chunks(entries: Iterator[AuditEntry], fmt: str) -> Iterator[str]:
    """Yield the export in batches, so memory stays constant however long the log is."""
    first = True
    while True:
        batch = [e for _, e in zip(range(EXPORT_BATCH), entries, strict=False)]
        if not batch and not first:
            return
        out = io.StringIO()
        if fmt == "csv":
            write_csv(batch, out)
            text = out.getvalue()
            yield text if first else text.split("\n", 1)[1]
        else:
            write_jsonl(batch, out)
            yield out.getvalue()
        first = False
        if len(batch) < EXPORT_BATCH:
            return


@blueprint.get("/report")
@reviewer_required("audit.report")
def report() -> Any:
    """Show the compliance report for a period, with links to its HTML and PDF files."""
    filters, problem = _filters(default_range=True)
    built = None if problem else _build(filters)
    values = template_values(built, _text()) if built is not None else {}
    return render_template("review/report.html", filters=filters, problem=problem,
                           built=built, **values), 400 if problem else 200


@blueprint.get("/report.<any(html, pdf):fmt>")
@reviewer_required("audit.report")
def report_file(fmt: str) -> Any:
    """Download the compliance report as a standalone HTML file or a PDF."""
    filters, problem = _filters(default_range=True)
    if problem:
        # The report page's form, with what was typed and what to type instead: a bare
        # 400 named neither the field nor the form it wants.
        return render_template("review/report.html", filters=filters, problem=problem,
                               built=None), 400
    built = _build(filters)
    stamp = built.generated_at.replace(":", "").replace("-", "")
    disposition = f'attachment; filename="mailguard-compliance-{stamp}.{fmt}"'
    if fmt == "pdf":
        return Response(render_pdf(built, _text()), mimetype="application/pdf",
                        headers={"Content-Disposition": disposition})
    return Response(render_html(built, _text()), mimetype="text/html", headers={
        "Content-Disposition": disposition, "Content-Security-Policy": REPORT_CSP})


def _text() -> Any:
    return translator(str(get_locale()))


def _build(filters: Filters) -> Any:
    since, until = filters.time_range()
    now = _now()
    guard = current_guard()
    note = _monitor().exported_note()
    return build_report(_log(), since=since or "", until=until, now=now,
                        scopes=SCOPES, policy_version=guard.policy.version, names=_names(),
                        exported_notes=[note] if note is not None else [])

