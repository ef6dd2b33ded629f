"""The search results name each actor's kind in the reviewer's language."""

from __future__ import annotations

import re

from tests.webclient.review.conftest import REVIEW, SECURITY_1, text_of


def actor_cells(page: str) -> list[str]:
    """Return the text before the role in each result's actor cell."""
    table = page[page.index('<table class="entries">'):]
    return re.findall(r"</a></td>\s*<td>[^<]*</td>\s*<td>([^<·]+?)(?: · [^<]*)?<br>", table)


def test_the_actor_kind_column_is_in_indonesian(app, staff_client, scenario):
    reviewer = staff_client(SECURITY_1)
    reviewer.set_cookie("mailguard_lang", "id")
    kinds = set(actor_cells(text_of(reviewer.get(REVIEW))))
    assert kinds == {"staf", "pengguna", "sistem"}


def test_the_actor_kind_column_is_in_english(app, staff_client, scenario):
    reviewer = staff_client(SECURITY_1)
    kinds = set(actor_cells(text_of(reviewer.get(REVIEW))))
    assert kinds == {"staff", "user", "system"}
