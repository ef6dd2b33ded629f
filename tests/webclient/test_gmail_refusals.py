"""Gmail's refusals that reloading cannot fix are named for what they are, in both languages."""

from __future__ import annotations

import html

import pytest

from tests.webclient.conftest import control


@pytest.fixture
def refusing(web_emulator):
    """Make every Gmail call answer with the given status and reason until the test ends."""
    def refuse(status: int, reason: str) -> None:
        control(web_emulator, "POST", "faults", {"method": "*", "status": status,
                                                 "reason": reason})
    yield refuse
    control(web_emulator, "DELETE", "faults")


@pytest.mark.parametrize(("reason", "status", "english", "indonesian"), [
    ("dailyLimitExceeded", 503, "Gmail's daily limit was reached",
     "Batas harian Gmail sudah tercapai"),
    ("domainPolicy", 403, "Your organisation does not allow this",
     "Organisasi Anda tidak mengizinkan ini"),
])
def test_a_refusal_reloading_cannot_fix_says_what_it_is(signed_in, refusing, reason, status,
                                                        english, indonesian):
    refusing(403, reason)
    page = signed_in.get("/u/0/f/sent")
    assert page.status_code == status
    text = html.unescape(page.get_data(as_text=True))
    assert english in text
    assert "Reload the page and try again" not in text
    signed_in.set_cookie("mailguard_lang", "id")
    assert indonesian in signed_in.get("/u/0/f/sent").get_data(as_text=True)


def test_another_refusal_still_asks_for_a_reload(signed_in, refusing):
    refusing(403, "insufficientPermissions")
    page = signed_in.get("/u/0/f/sent")
    assert page.status_code == 502
    assert "Reload the page and try again" in page.get_data(as_text=True)
