"""Charts drawn as SVG on the server, and the alert rules with their thresholds."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from audit import AuditEntry, ResourceKind, ResourceRef
from tests.webclient.review.conftest import REVIEW, SECURITY_1, SUPPORT, text_of
from webclient.charts import MAX_SERIES, StackedBars, render_stacked_bars
from webclient.review.activity import StaffNames
from webclient.review.alerts import AlertConfigError, AlertKind, AlertRules, find_alerts

SVG = "{http://www.w3.org/2000/svg}"
NAMES = StaffNames({"h1:" + "a" * 64: "agent@qontak.com"})
AGENT = "h1:" + "a" * 64


def bars(svg: str) -> list[ET.Element]:
    return [r for r in ET.fromstring(svg).iter(SVG + "rect") if r.get("data-value")]


def test_bars_are_stacked_in_proportion_with_their_figures():
    chart = StackedBars.from_counts("Accesses", ["2025-03-01", "2025-03-02"],
                                    {"consent": {"2025-03-01": 2, "2025-03-02": 4},
                                     "legal": {"2025-03-02": 1}})
    drawn = bars(render_stacked_bars(chart, chart_id="c", empty_text="none"))
    heights = {(r.get("data-series"), r.get("data-bucket")): float(r.get("height")) for r in drawn}
    assert heights[("consent", "2025-03-02")] == pytest.approx(2 * heights[("consent",
                                                                            "2025-03-01")])
    assert heights[("legal", "2025-03-02")] == pytest.approx(heights[("consent",
                                                                      "2025-03-01")] / 2)
    titles = [r.find(SVG + "title").text for r in drawn]
    assert "2025-03-02 · consent: 4" in titles
    assert chart.totals == (2, 5)


def test_names_are_escaped_and_nothing_runs():
    chart = StackedBars.from_counts("<script>", ["d"], {'"><script>alert(1)</script>': {"d": 1}})
    svg = str(render_stacked_bars(chart, chart_id="x", empty_text="none"))
    ET.fromstring(svg)  # still well-formed
    assert "<script" not in svg and "style=" not in svg


def test_many_series_fold_into_other():
    counts = {f"rule{i}": {"d": i + 1} for i in range(12)}
    chart = StackedBars.from_counts("Denials", ["d"], counts, other="lainnya")
    assert len(chart.series) == MAX_SERIES
    assert chart.series[-1].name == "lainnya"
    assert chart.total == sum(range(1, 13))


def test_an_empty_chart_says_so():
    svg = str(render_stacked_bars(StackedBars.from_counts("T", ["d"], {}), chart_id="e",
                                  empty_text="No entries in this period."))
    assert "No entries in this period." in svg and not bars(svg)


def entry(seq: int, *, hour: int = 10, day: int = 3, actor: str = AGENT, kind: str = "staff",
          action: str = "messages.get", decision: str = "allow", mailbox: str = "h1:" + "b" * 64,
          purpose: str = "support.consented_view", basis_ref: str = "",
          resources: tuple[ResourceRef, ...] = ()) -> AuditEntry:
    moment = datetime(2025, 3, day, hour, 0, tzinfo=UTC)  # 2025-03-03 is a Monday
    return AuditEntry(seq=seq, time=moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), actor_kind=kind,
                      actor_id_h=actor, action=action, purpose=purpose, decision=decision,
                      mailbox_h=mailbox, basis_ref=basis_ref, resources=resources,
                      request_id=f"r{seq}")


def kinds(found) -> list[AlertKind]:
    return [a.kind for a in found]


@pytest.mark.parametrize(("threshold", "expected"), [(3, [AlertKind.MANY_MAILBOXES]), (4, [])])
def test_a_staff_member_touching_many_mailboxes(threshold, expected):
    entries = [entry(i, mailbox=f"h1:{i:064d}") for i in range(3)]
    found = find_alerts(entries, AlertRules(mailboxes_per_staff=threshold), NAMES)
    assert kinds(found) == expected
    if found:
        assert (found[0].subject, found[0].count, found[0].last_seq) == ("agent@qontak.com", 3, 2)


@pytest.mark.parametrize(("denials", "expected"), [(5, [AlertKind.REPEATED_DENIALS]), (4, [])])
def test_repeated_denials(denials, expected):
    entries = [entry(i, decision="deny") for i in range(denials)]
    assert kinds(find_alerts(entries, AlertRules(denials_per_actor=5), NAMES)) == expected


@pytest.mark.parametrize(("day", "utc_hour", "outside"), [
    (3, 3, False),   # Monday 10:00 in Jakarta
    (3, 13, True),   # Monday 20:00 in Jakarta
    (8, 3, True),    # Saturday
])
def test_access_outside_office_hours(day, utc_hour, outside):
    found = find_alerts([entry(1, day=day, hour=utc_hour)], AlertRules(), NAMES)
    assert (AlertKind.OUTSIDE_OFFICE_HOURS in kinds(found)) is outside


def test_a_grant_used_after_a_revocation_attempt():
    grant = ResourceRef(ResourceKind.GRANT, "grt_" + "c" * 24)
    before = entry(1, basis_ref=grant.id, resources=(grant,), purpose="security.investigation")
    attempt = entry(2, action="grant.revoke", decision="deny", actor="h1:" + "d" * 64,
                    resources=(grant,), purpose="security.investigation")
    after = entry(3, basis_ref=grant.id, resources=(grant,), purpose="security.investigation")
    found = find_alerts([before, attempt, after], AlertRules(), NAMES)
    used = [a for a in found if a.kind is AlertKind.GRANT_USED_AFTER_REVOCATION]
    assert [(a.detail, a.count, a.first_seq) for a in used] == [(grant.id, 1, 3)]


def test_an_attempt_given_apart_counts_only_for_later_uses():
    # The page filtered by the grant's user lists that user's entries only; the attempt,
    # someone else's, comes separately, and a use before it is no alert.
    grant = ResourceRef(ResourceKind.GRANT, "grt_" + "c" * 24)
    uses = [entry(seq, basis_ref=grant.id, resources=(grant,), purpose="security.investigation")
            for seq in (1, 3)]
    attempt = entry(2, action="grant.revoke", decision="deny", actor="h1:" + "d" * 64,
                    resources=(grant,), purpose="security.investigation")
    found = find_alerts(uses, AlertRules(), NAMES, revocations=[attempt])
    used = [a for a in found if a.kind is AlertKind.GRANT_USED_AFTER_REVOCATION]
    assert [(a.detail, a.count, a.first_seq) for a in used] == [(grant.id, 1, 3)]
    assert AlertKind.GRANT_USED_AFTER_REVOCATION not in kinds(
        find_alerts(uses[:1], AlertRules(), NAMES, revocations=[attempt]))


def test_advertising_attempts_always_alert():
    attempt = entry(1, kind="user", action="messages.get", decision="deny",
                    purpose="advertising.targeting")
    found = find_alerts([attempt], AlertRules(), NAMES)
    assert [(a.kind, a.detail) for a in found] == [(AlertKind.PROHIBITED_PURPOSE,
                                                    "advertising.targeting")]


@pytest.mark.parametrize(("settings", "message"), [
    ({"mailboxes": 3}, "unknown alert setting 'mailboxes'"),
    ({"denials_per_actor": 0}, "denials_per_actor must be a whole number from 1"),
    ({"office_days": ["monday"]}, "office_days lists days among mon"),
    ({"timezone": "Mars/Olympus"}, "timezone must be an IANA name"),
    ({"office_hours_start": 18, "office_hours_end": 8}, "must come before"),
])
def test_bad_thresholds_stop_start_up_with_the_key_named(settings, message):
    with pytest.raises(AlertConfigError, match=message):
        AlertRules.from_mapping(settings, source="REVIEW_ALERTS")


def test_thresholds_come_from_a_toml_file(tmp_path):
    path = tmp_path / "alerts.toml"
    path.write_text('[alerts]\ndenials_per_actor = 2\noffice_days = ["mon", "sat"]\n')
    rules = AlertRules.from_config({"REVIEW_ALERTS_PATH": str(path)})
    assert rules.denials_per_actor == 2 and rules.office_days == frozenset({0, 5})


def test_the_charts_page_draws_the_four_charts(app, staff_client, scenario):
    text = text_of(staff_client(SECURITY_1).get(REVIEW + "charts"))
    for chart_id in ("chart-basis", "chart-denials", "chart-staff", "chart-transfers"):
        assert f'id="{chart_id}"' in text
    staff = text[text.index('id="chart-staff"'):]
    assert f'data-series="{SUPPORT}"' in staff[:staff.index("</svg>")]
    transfers = text[text.index('id="chart-transfers"'):]
    assert 'data-series="qontak-crm"' in transfers[:transfers.index("</svg>")]
    denials = text[text.index('id="chart-denials"'):]
    assert 'data-series="consent.message_not_covered"' in denials[:denials.index("</svg>")]
    assert "<script" not in text[text.index('class="charts"'):]


def test_the_alerts_page_lists_what_the_rules_found(app, staff_client, scenario):
    text = text_of(staff_client(SECURITY_1).get(REVIEW + "alerts"))
    assert "Prohibited purpose advertising.targeting was attempted 1 time (refused)." in text
    assert re.search(rf"{re.escape(SECURITY_1)} used grant {scenario.grant_id} 1 time after", text)


@pytest.mark.parametrize(("language", "consent", "security"), [
    ("en", "consent", "security"),
    ("id", "persetujuan (consent)", "keamanan (security)"),
])
def test_the_bases_are_named_in_the_readers_language(app, staff_client, scenario, language,
                                                     consent, security):
    reviewer = staff_client(SECURITY_1)
    reviewer.set_cookie("mailguard_lang", language)
    text = text_of(reviewer.get(REVIEW + "charts"))
    basis = text[text.index('id="chart-basis"'):]
    basis = basis[:basis.index("</svg>")]
    assert f'data-series="{consent}"' in basis and f'data-series="{security}"' in basis
    if language == "id":
        assert 'data-series="consent"' not in basis


@pytest.mark.parametrize(("field", "value"), [("actor", SECURITY_1),
                                              ("purpose", "advertising.targeting")])
def test_alerts_filtered_by_the_field_their_links_set_still_link_to_their_entries(
        app, staff_client, scenario, field, value):
    # Each alert's link names its own actor (or purpose): with the page filtered by that
    # field, the link was built with the name twice and the page answered 500. Filtered by
    # the grant's user, the grant alert stays although the revocation attempt was another
    # staff member's (it showed only out of office hours, through the after-hours alert).
    answer = staff_client(SECURITY_1).get(REVIEW + "alerts", query_string={field: value})
    assert answer.status_code == 200
    links = [html.unescape(link) for link in
             re.findall(r'href="([^"]*/review/\?[^"]*)"', answer.get_data(as_text=True))]
    assert links
    if field == "actor":
        assert "used grant" in html.unescape(answer.get_data(as_text=True))
    for link in links:
        assert parse_qs(urlsplit(link).query)[field] == [value]
