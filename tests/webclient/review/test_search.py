"""A reviewer searches the log, pages through it, opens an entry's proof and exports."""

from __future__ import annotations

import csv
import io
import json
import re

from audit import AuditEntry
from tests.webclient.review.conftest import REVIEW, SECURITY_1, SUPPORT, text_of


def seqs(page: str) -> list[int]:
    """Return the entry numbers a results page lists, in order."""
    return [int(s) for s in re.findall(r'href="/staff/review/entries/(\d+)"', page)]


def test_the_support_agents_views_are_found_by_actor_and_mailbox(app, staff_client, scenario):
    reviewer = staff_client(SECURITY_1)
    page = reviewer.get(REVIEW, query_string={"actor": SUPPORT, "mailbox": scenario.mailbox,
                                              "action": "messages.get"})
    text = text_of(page)
    assert page.status_code == 200
    assert scenario.consented in text and scenario.refused in text
    assert "consent.allowed" in text and "consent.message_not_covered" in text
    assert SUPPORT in text  # staff are named by matching their hash against the registry
    table = text[text.index('<table class="entries">'):]
    assert scenario.mailbox not in table  # mailboxes stay hashed


def test_filters_narrow_the_results(app, staff_client, scenario):
    reviewer = staff_client(SECURITY_1)

    def found(**filters: str) -> str:
        answer = reviewer.get(REVIEW, query_string=filters)
        assert answer.status_code == 200
        return text_of(answer)

    denied = found(actor=SUPPORT, decision="deny")
    assert "consent.message_not_covered" in denied and "consent.allowed" not in denied
    by_resource = found(resource=scenario.refused, actor_kind="staff")
    assert "consent.message_not_covered" in by_resource and "grant.allowed" in by_resource
    ads = found(purpose="advertising.*")
    assert "advertising.targeting" in ads and len(seqs(ads)) == 1
    assert "transfer.unlisted_recipient" in found(rule="transfer.unlisted_recipient")
    assert "security.investigation" in found(basis="security", address=SECURITY_1)
    assert not seqs(found(actor=SUPPORT, until="2000-01-01"))
    assert seqs(found(actor=SUPPORT, since="2000-01-01"))


def test_pages_run_newest_first_with_older_and_newer_links(app, staff_client, scenario):
    reviewer = staff_client(SECURITY_1)
    first = text_of(reviewer.get(REVIEW, query_string={"size": 3}))
    top = seqs(first)
    assert len(top) == 3 and top == sorted(top, reverse=True)
    older = re.search(r'rel="next" href="([^"]+)"', first)
    assert older is not None
    link = older.group(1).replace("&amp;", "&")
    second = text_of(reviewer.get(link))
    assert seqs(second) and max(seqs(second)) < min(top)
    newer = re.search(r'rel="prev" href="([^"]+)"', second)
    assert newer is not None
    back = seqs(text_of(reviewer.get(newer.group(1).replace("&amp;", "&"))))
    assert back == top  # the reviewer's own later reads are newer still


def test_a_malformed_filter_says_what_to_type(app, staff_client):
    reviewer = staff_client(SECURITY_1)
    answer = reviewer.get(REVIEW, query_string={"since": "last tuesday"})
    assert answer.status_code == 400
    assert "since: give a UTC date like 2025-03-01" in text_of(answer)
    assert reviewer.get(REVIEW, query_string={"decision": "maybe"}).status_code == 400


def test_an_entry_shows_its_inclusion_proof_and_the_verdict(app, staff_client, scenario):
    reviewer = staff_client(SECURITY_1)
    listing = text_of(reviewer.get(REVIEW, query_string={"actor": SUPPORT, "decision": "deny"}))
    seq = seqs(listing)[0]
    page = reviewer.get(f"{REVIEW}entries/{seq}")
    text = text_of(page)
    assert page.status_code == 200
    assert "Proven: this entry is in the log&#39;s signed checkpoint" in text
    assert "consent.message_not_covered" in text and scenario.refused in text
    assert re.search(r"<li>[A-Za-z0-9+/=]{44}</li>", text)  # the sibling hashes, base64
    assert "mailguard.local/audit" in text  # the signed checkpoint note
    assert reviewer.get(f"{REVIEW}entries/999999").status_code == 404


def test_csv_export_streams_the_matching_entries(app, staff_client, scenario):
    reviewer = staff_client(SECURITY_1)
    answer = reviewer.get(REVIEW + "export.csv", query_string={"actor": SUPPORT})
    assert answer.status_code == 200
    assert answer.mimetype == "text/csv"
    assert answer.is_streamed
    assert "attachment" in answer.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(text_of(answer))))
    assert {r["rule_id"] for r in rows if r["action"] == "messages.get"} == {
        "consent.allowed", "consent.message_not_covered"}
    assert all(r["actor_role"] == "support" for r in rows)
    assert scenario.mailbox not in text_of(answer)


def test_json_lines_export_reads_back_as_entries(app, staff_client, scenario):
    reviewer = staff_client(SECURITY_1)
    answer = reviewer.get(REVIEW + "export.jsonl", query_string={"purpose": "advertising.*"})
    lines = [json.loads(line) for line in text_of(answer).splitlines()]
    entries = [AuditEntry.from_dict(line) for line in lines]
    assert [(e.purpose, e.decision.value) for e in entries] == [
        ("advertising.targeting", "deny")]


def test_a_long_export_keeps_one_header(app, staff_client):
    from tests.webclient.review.conftest import event, guard_of

    guard_of(app).audit.append_many(
        [event(action="messages.list", purpose="email.read", rule_id="test.bulk")
         for _ in range(1203)])
    reviewer = staff_client(SECURITY_1)
    text = text_of(reviewer.get(REVIEW + "export.csv", query_string={"rule": "test.bulk"}))
    lines = text.splitlines()
    assert lines[0].startswith("seq,time,")
    assert len(lines) == 1 + 1203
    assert sum(1 for line in lines if line.startswith("seq,")) == 1
