"""The search results name each actor's kind in the reviewer's language."""

from __future__ import annotations

import re

from tests.webclient.review.conftest import OPS, REVIEW, SECURITY_1, event, guard_of, text_of


def actor_cells(page: str) -> list[str]:
    """Return the text before the role in each result's actor cell."""
    table = page[page.index('<table class="entries">'):]
    return re.findall(r"</a></td>\s*<td>[^<]*</td>\s*<td>([^<·]+?)(?: · .*?)?<br><span", table)


def test_the_actor_kind_column_is_in_indonesian(app, staff_client, scenario):
    reviewer = staff_client(SECURITY_1)
    reviewer.set_cookie("mailguard_lang", "id")
    kinds = set(actor_cells(text_of(reviewer.get(REVIEW))))
    assert kinds == {"staf", "pengguna", "sistem"}


def test_the_actor_kind_column_is_in_english(app, staff_client, scenario):
    reviewer = staff_client(SECURITY_1)
    kinds = set(actor_cells(text_of(reviewer.get(REVIEW))))
    assert kinds == {"staff", "user", "system"}


def role_words(page: str) -> set[str]:
    """Return what each result's actor cell shows after its kind (the role)."""
    table = page[page.index('<table class="entries">'):]
    return {re.sub(r"<[^>]+>", "", found).strip() for found in re.findall(
        r"</a></td>\s*<td>[^<]*</td>\s*<td>[^<·]+? · (.*?)<br><span", table)}


def test_the_role_is_named_in_english_with_its_code_where_they_differ(app, staff_client,
                                                                      scenario):
    guard_of(app).audit.append_many([event(
        actor_kind="staff", actor_id=OPS, actor_role="ops", action="aggregates.query",
        purpose="operations.aggregate", basis="aggregate", rule_id="aggregate.allowed")])
    reviewer = staff_client(SECURITY_1)
    roles = role_words(text_of(reviewer.get(REVIEW)))
    assert {"support", "security", "operations (ops)"} <= roles


def test_the_role_is_named_in_indonesian_with_its_code(app, staff_client, scenario):
    reviewer = staff_client(SECURITY_1)
    reviewer.set_cookie("mailguard_lang", "id")
    roles = role_words(text_of(reviewer.get(REVIEW)))
    assert {"dukungan (support)", "keamanan (security)"} <= roles
    assert not roles & {"support", "security"}


def test_the_basis_is_named_in_indonesian_with_its_code(app, staff_client, scenario):
    reviewer = staff_client(SECURITY_1)
    reviewer.set_cookie("mailguard_lang", "id")
    page = text_of(reviewer.get(REVIEW + "?basis=consent"))
    table = page[page.index('<table class="entries">'):]
    assert "<td>persetujuan (<code>consent</code>)" in table
    assert "<td>consent<" not in table
