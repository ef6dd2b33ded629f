"""Build the compliance report from the audit log, and write it as HTML or PDF.

The report is the evidence for Google's annual restricted-scope assessment over a period:
the scopes MailGuard requests, the purposes Gmail data was used for, human accesses by
basis, transfers by recipient and basis, prohibited-use attempts (all refused), and the
audit log's integrity as verified while the report was built. It holds counts, rule ids
and hashes only: no content, subjects or mailbox addresses.

Flask-free, so ``mailguard report`` builds the same report as the page.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from fpdf import FPDF
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from audit import AuditLog, AuditQuery
from webclient.review.activity import Activity, StaffNames, count_activity
from webclient.review.codes import Worded, worded
from webclient.review.text import Translator

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
#: The stylesheet of the standalone HTML report (its hash goes in that response's CSP).
REPORT_CSS = """
body { font-family: sans-serif; margin: 2em auto; max-width: 52em; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.15em; margin-top: 1.6em; }
table { border-collapse: collapse; margin: .5em 0; min-width: 24em; }
th, td { border-bottom: 1px solid #ccc; padding: .25em .8em .25em 0; text-align: left; }
td.num, th.num { text-align: right; }
.ok { color: #05642d; font-weight: bold; } .bad { color: #a00; font-weight: bold; }
.meta { color: #555; }
""".strip()
REPORT_CSP = ("default-src 'none'; style-src 'sha256-"
              + base64.b64encode(hashlib.sha256(REPORT_CSS.encode("utf-8")).digest()).decode()
              + "'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")


@dataclass(frozen=True, slots=True)
class Row:
    """One labelled figure."""

    label: str
    count: int


@dataclass(frozen=True, slots=True)
class HumanAccessRow:
    """Staff accesses on one basis: allowed and refused."""

    basis: str
    allowed: int
    refused: int


@dataclass(frozen=True, slots=True)
class TransferRow:
    """Transfers to one recipient on one basis: sent, refused, allowed but not delivered."""

    recipient: str
    basis: str
    sent: int
    refused: int
    failed: int = 0


@dataclass(frozen=True, slots=True)
class IntegrityResult:
    """The verification run while the report was built."""

    ok: bool
    size: int
    entries_checked: int
    root_hash: str
    first_bad_seq: int | None
    problem: str
    checkpoint_size: int | None
    checkpoint_time: str | None
    exported_notes_checked: int
    keys_trusted: bool
    #: The last entry of the range the first bad one lies in, when only a root hash showed
    #: that one of ``first_bad_seq``..this differs (None when the entry itself is named).
    first_bad_last: int | None = None


@dataclass(frozen=True, slots=True)
class ComplianceReport:
    """Everything the compliance report shows, for one period."""

    since: str
    until: str
    generated_at: str
    origin: str
    policy_version: str
    scopes_requested: tuple[str, ...]
    accounts_connected: int
    entries: int
    allowed: int
    denied: int
    purposes: tuple[Row, ...]
    human_access: tuple[HumanAccessRow, ...]
    transfers: tuple[TransferRow, ...]
    prohibited: tuple[Row, ...]
    integrity: IntegrityResult

    @property
    def human_allowed(self) -> int:
        """Return the staff accesses allowed in the period."""
        return sum(r.allowed for r in self.human_access)

    @property
    def transfers_sent(self) -> int:
        """Return the transfers sent in the period."""
        return sum(r.sent for r in self.transfers)

    @property
    def prohibited_attempts(self) -> int:
        """Return the prohibited-purpose attempts in the period."""
        return sum(r.count for r in self.prohibited)


def build_report(log: AuditLog, *, since: str, until: str | None, now: datetime,
                 scopes: Sequence[str], policy_version: str, names: StaffNames,
                 exported_notes: Iterable[str] = ()) -> ComplianceReport:
    """Count the period's entries and verify the whole log; return the report.

    ``since``/``until`` are stored audit times (inclusive/exclusive); no ``until`` counts
    everything recorded up to the end of the run.
    """
    activity = count_activity(log.query(AuditQuery(since=since or None, until=until)), names)
    report = log.verify(checkpoint_notes=list(exported_notes))
    latest = log.latest_checkpoint()
    first = report.first_problem
    integrity = IntegrityResult(
        ok=report.ok, size=report.size, entries_checked=report.entries_checked,
        root_hash=base64.b64encode(report.root_hash).decode("ascii"),
        first_bad_seq=report.first_bad_seq,
        problem=f"{first.kind.value}: {first.detail}" if first is not None else "",
        checkpoint_size=latest.size if latest else None,
        checkpoint_time=latest.created_at if latest else None,
        exported_notes_checked=report.notes_checked, keys_trusted=report.keys_trusted,
        first_bad_last=first.range_end if first is not None else None)
    generated = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    return ComplianceReport(
        since=_shown_time(since) or "-", until=_shown_time(until) or generated,
        generated_at=generated,
        origin=log.origin, policy_version=policy_version,
        scopes_requested=tuple(scopes), accounts_connected=activity.accounts_connected,
        entries=activity.entries, allowed=activity.allowed, denied=activity.denied,
        purposes=_rows(activity.purposes_used.items()),
        human_access=_human_rows(activity),
        transfers=_transfer_rows(activity),
        prohibited=_rows(activity.prohibited.items()),
        integrity=integrity)


def _shown_time(stored: str | None) -> str:
    """Return a stored audit time as the report shows it: whole seconds without ``.000000``."""
    if stored and stored.endswith(".000000Z"):
        return stored.removesuffix(".000000Z") + "Z"
    return stored or ""


def _rows(items: Iterable[tuple[str, int]]) -> tuple[Row, ...]:
    return tuple(Row(k, v) for k, v in sorted(items, key=lambda kv: (-kv[1], kv[0])))


def _human_rows(activity: Activity) -> tuple[HumanAccessRow, ...]:
    bases = set(activity.human_by_basis) | set(activity.human_refused_by_basis)
    return tuple(HumanAccessRow(b, activity.human_by_basis[b], activity.human_refused_by_basis[b])
                 for b in sorted(bases))


def _transfer_rows(activity: Activity) -> tuple[TransferRow, ...]:
    """Return one row per recipient and basis; an allowed transfer the recipient did not
    accept counts as not delivered, not as sent."""
    pairs = sorted({(r, b) for r, b, _s in activity.transfers})
    rows = []
    for r, b in pairs:
        failed = activity.transfers[(r, b, "failed")]
        rows.append(TransferRow(r, b, max(0, activity.transfers[(r, b, "sent")] - failed),
                                activity.transfers[(r, b, "refused")], failed))
    return tuple(rows)


def _environment(text: Translator) -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)),
                      autoescape=select_autoescape(["html"]))
    env.globals.update(tr=text.tr, ntr=text.ntr)
    return env


def render_html(report: ComplianceReport, text: Translator) -> str:
    """Return the report as one standalone HTML document (no script, one stylesheet)."""
    template = _environment(text).get_template("review/report_document.html")
    css = Markup(REPORT_CSS)  # noqa: S704 - our own constant stylesheet
    return template.render(css=css, **template_values(report, text))


def template_values(report: ComplianceReport, text: Translator) -> dict[str, Any]:
    """Return what ``review/_report_body.html`` shows, in ``text``'s language."""
    return {"report": report, "lang": text.lang, "title": text.tr("MailGuard compliance report"),
            "meta": meta_lines(report, text), "sections": sections(report, text),
            "none_text": text.tr("None in this period."),
            "integrity_title": text.tr("Audit log integrity"),
            "integrity": integrity_lines(report, text)}


def render_pdf(report: ComplianceReport, text: Translator) -> bytes:
    """Return the report as a PDF (core fonts; identifiers are ASCII).

    Every line and table cell wraps within the page's usable width, breaking inside a
    word (a hash, a long origin or purpose name) when the word alone is wider, so nothing
    is cut off at the edge or written over the next column.
    """
    tr = text.tr
    pdf = FPDF(format="A4")
    pdf.set_title(_latin(tr("MailGuard compliance report")))
    pdf.set_creator("MailGuard")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    _lines(pdf, [tr("MailGuard compliance report")], height=10)
    pdf.set_font("Helvetica", "", 10)
    _lines(pdf, meta_lines(report, text), height=6)
    for title, header, rows in sections(report, text):
        pdf.ln(3)
        pdf.set_font("Helvetica", "B", 12)
        _lines(pdf, [title], height=8)
        pdf.set_font("Helvetica", "", 10)
        if not rows:
            _lines(pdf, [tr("None in this period.")], height=6)
            continue
        _table(pdf, header, rows)
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 12)
    _lines(pdf, [tr("Audit log integrity")], height=8)
    pdf.set_font("Helvetica", "", 10)
    _lines(pdf, integrity_lines(report, text), height=6)
    return bytes(pdf.output())


def _lines(pdf: FPDF, lines: Iterable[str], *, height: float) -> None:
    """Write each line from the left margin, wrapped within the usable width."""
    for line in lines:
        pdf.multi_cell(0, height, _latin(line), new_x="LMARGIN", new_y="NEXT")


def _table(pdf: FPDF, header: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
    """Write a table across the usable width: words left, counts right, cells wrapped."""
    align = tuple("RIGHT" if column and all(isinstance(row[column], int) for row in rows)
                  else "LEFT" for column in range(len(header)))
    with pdf.table(width=pdf.epw, col_widths=_widths(len(header)), align="LEFT",
                   borders_layout="HORIZONTAL_LINES", line_height=6, text_align=align,
                   v_align="TOP") as table:
        table.row([_latin(cell) for cell in header])
        for row in rows:
            table.row([_latin(cell.text if isinstance(cell, Worded) else str(cell))
                       for cell in row])


def meta_lines(report: ComplianceReport, text: Translator) -> list[str]:
    """Return the report's opening lines: period, time, log and totals."""
    tr = text.tr
    return [
        tr("Period: %(since)s to %(until)s (UTC)", since=report.since, until=report.until),
        tr("Generated: %(time)s", time=report.generated_at),
        tr("Audit log: %(origin)s; policy version %(version)s", origin=report.origin,
           version=report.policy_version),
        tr("Entries in the period: %(total)d (%(allowed)d allowed, %(denied)d denied)",
           total=report.entries, allowed=report.allowed, denied=report.denied),
    ]


def sections(report: ComplianceReport, text: Translator
              ) -> list[tuple[str, list[str], list[tuple[Any, ...]]]]:
    """Return the report's tables: title, header, rows (the HTML and the PDF show these).

    A basis is a ``Worded`` cell: named in the reader's language with its code after it
    where they differ, as on the search and entry pages. Purposes, recipients and scopes
    are the policy's identifiers and are shown as such (as those pages show them).
    """
    tr = text.tr

    def basis(code: str) -> Worded:
        return worded("basis", code, words=tr)

    return [
        (tr("Scopes requested"), [tr("Scope")], [(s,) for s in report.scopes_requested]
         + [(tr("Gmail accounts connected in the period: %(num)d",
                num=report.accounts_connected),)]),
        (tr("Purposes used"), [tr("Purpose"), tr("Accesses")],
         [(r.label, r.count) for r in report.purposes]),
        (tr("Human accesses by basis"), [tr("Basis"), tr("Allowed"), tr("Refused")],
         [(basis(r.basis), r.allowed, r.refused) for r in report.human_access]),
        (tr("Transfers by recipient and basis"),
         [tr("Recipient"), tr("Basis"), tr("Sent"), tr("Refused"), tr("Not delivered")],
         [(r.recipient, basis(r.basis), r.sent, r.refused, r.failed)
          for r in report.transfers]),
        (tr("Prohibited-use attempts (all refused)"), [tr("Purpose"), tr("Attempts")],
         [(r.label, r.count) for r in report.prohibited]),
    ]


def integrity_lines(report: ComplianceReport, text: Translator) -> list[str]:
    """Return the integrity section as sentences (shared by the HTML and the PDF)."""
    tr = text.tr
    found = report.integrity
    lines = [tr("Verified: %(verdict)s", verdict=tr("intact") if found.ok
                else tr("TAMPERED"))]
    lines.append(tr("%(checked)d of %(size)d entries checked; root %(root)s",
                    checked=found.entries_checked, size=found.size, root=found.root_hash))
    if found.first_bad_seq is not None and found.first_bad_last is not None:
        lines.append(tr("First bad entry: one of entries %(first)s to %(last)s (%(problem)s)",
                        first=found.first_bad_seq, last=found.first_bad_last,
                        problem=found.problem))
    elif found.first_bad_seq is not None or found.problem:
        lines.append(tr("First bad entry: %(seq)s (%(problem)s)",
                        seq=found.first_bad_seq if found.first_bad_seq is not None else "-",
                        problem=found.problem))
    if found.checkpoint_size is not None:
        lines.append(tr("Latest signed checkpoint: %(size)d entries at %(time)s",
                        size=found.checkpoint_size, time=found.checkpoint_time or "-"))
    lines.append(tr("Exported checkpoints compared: %(num)d",
                    num=found.exported_notes_checked))
    if not found.keys_trusted:
        lines.append(tr("Checkpoint signatures were checked against keys read from the "
                        "database."))
    return lines


def _widths(columns: int) -> tuple[float, ...]:
    """Return the columns' shares of the width: the label column takes the most."""
    if columns == 1:
        return (1.0,)
    first = 0.46
    rest = (1 - first) / (columns - 1)
    return (first,) + (rest,) * (columns - 1)


def _latin(value: str) -> str:
    """Keep text within the PDF core fonts' Latin-1 (identifiers and our own wording)."""
    return value.encode("latin-1", "replace").decode("latin-1")
