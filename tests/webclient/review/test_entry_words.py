"""An audit entry names its actor kind, role, basis and outcome in the reviewer's language,
with the code beside each word where the two differ."""

from __future__ import annotations

import html

import pytest

from audit import AuditQuery
from tests.webclient.review.conftest import REVIEW, SECURITY_1, guard_of, text_of


def refused_view(app, scenario):
    """Return the support agent's refused view of the message next to the consented one."""
    [entry] = [e for e in guard_of(app).audit.query(AuditQuery(actor_kind="staff"))
               if e.outcome == "refused" and e.actor_role == "support"]
    return entry


@pytest.mark.parametrize(("language", "actor", "basis", "outcome"), [
    ("en", "staff · support —", "consent ", "<dd>refused</dd>"),
    ("id", "staf (<code>staff</code>) · dukungan (<code>support</code>) —",
     "persetujuan (<code>consent</code>)", "<dd>ditolak (<code>refused</code>)</dd>"),
])
def test_an_entry_is_shown_in_words_with_its_codes(app, staff_client, scenario, language,
                                                   actor, basis, outcome):
    entry = refused_view(app, scenario)
    reviewer = staff_client(SECURITY_1)
    reviewer.set_cookie("mailguard_lang", language)
    page = html.unescape(text_of(reviewer.get(REVIEW + f"entries/{entry.seq}")))
    assert actor in page and basis in page and outcome in page
    if language == "id":
        assert "<dd>staff" not in page and "<dd>refused" not in page


def test_a_code_without_a_word_is_shown_as_it_is(app, staff_client, scenario):
    [transfer] = [e for e in guard_of(app).audit.query(AuditQuery(action="transfer.send"))
                  if e.outcome.startswith("classes=")]
    reviewer = staff_client(SECURITY_1)
    reviewer.set_cookie("mailguard_lang", "id")
    page = html.unescape(text_of(reviewer.get(REVIEW + f"entries/{transfer.seq}")))
    assert "<dd>classes=content,metadata</dd>" in page
    assert "sistem (<code>system</code>) —" in page and "fitur (<code>feature</code>)" in page
