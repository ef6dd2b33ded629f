"""The review pages speak Indonesian too: every message of their catalogue is translated."""

from __future__ import annotations

import io

from babel.messages.mofile import read_mo

from tests.webclient.review.conftest import REVIEW, SECURITY_1, text_of
from webclient.review.text import DIRECTORY, translator
from webclient.review.translations.indonesian import messages


def test_every_review_message_has_an_indonesian_translation():
    with open(DIRECTORY / "id/LC_MESSAGES/review.mo", "rb") as handle:
        catalogue = read_mo(io.BytesIO(handle.read()))
    translated = {m.id if isinstance(m.id, str) else tuple(m.id) for m in catalogue
                  if m.id and m.string}
    missing = messages() - translated
    assert not missing, ("run `python -m webclient.review.translations.indonesian` after "
                         f"adding: {missing}")


def test_the_translator_fills_in_and_counts():
    text = translator("id")
    assert text.tr("Verified: %(verdict)s", verdict=text.tr("intact")) == "Terverifikasi: utuh"
    assert text.ntr("and %(num)d more", "and %(num)d more", 3) == "dan 3 lagi"
    assert translator("en").tr("intact") == "intact"


def test_the_pages_follow_the_language_choice(app, staff_client):
    reviewer = staff_client(SECURITY_1)
    reviewer.set_cookie("mailguard_lang", "id")
    text = text_of(reviewer.get(REVIEW + "alerts"))
    assert "Peringatan" in text and "Pembacaan Anda atas log audit" in text
    assert "No alerts in this period." not in text
