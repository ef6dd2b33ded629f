"""A security case's category has one word per language, whoever reads it: the owner's
access history called the ``bug`` category "software fault" while the staff console,
and the watermark on what staff saw, called it "Bug"."""

from __future__ import annotations

import pytest
from flask import Flask

from webclient.guard_link import current_guard
from webclient.privacy.wording import category_label as owner_word
from webclient.staff.labels import category_label as staff_word


@pytest.mark.parametrize(("language", "bug"), [("en", "software fault"),
                                               ("id", "kesalahan perangkat lunak")])
def test_the_owner_and_staff_name_each_category_alike(app: Flask, language: str,
                                                      bug: str) -> None:
    with app.test_request_context(headers={"Cookie": f"mailguard_lang={language}"}):
        categories = sorted(current_guard().policy.staff.security_categories)
        assert "bug" in categories
        words = {c: (owner_word(c), staff_word(c)) for c in categories}
    for category, (owner, staff) in words.items():
        assert owner.lower() == staff.lower(), category
    assert words["bug"][0] == bug
