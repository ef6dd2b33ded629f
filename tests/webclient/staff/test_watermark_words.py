"""The watermark names the viewer's role and the case category in the reader's language."""

from __future__ import annotations

import pytest

from tests.webclient.staff.conftest import (
    SECURITY_1,
    SECURITY_2,
    SUPPORT,
    give_consent,
    thread_of_two,
)
from tests.webclient.staff.test_grants import form_post, grant_id_of, request_security


@pytest.mark.parametrize(("language", "expected"), [
    ("en", "· Security · security case SEC-481 (Abuse) ·"),
    ("id", "· Keamanan · kasus keamanan SEC-481 (Penyalahgunaan) ·"),
])
def test_a_security_view_is_watermarked_in_words(staff_client, user, language, expected):
    thread, first, _reply = thread_of_two(user)
    requester, approver = staff_client(SECURITY_1), staff_client(SECURITY_2)
    grant = grant_id_of(request_security(requester, user.email))
    assert form_post(approver, f"/staff/grants/{grant}/approve", {}).status_code == 302
    requester.set_cookie("mailguard_lang", language)
    page = requester.get(f"/staff/grants/{grant}/t/{thread}").get_data(as_text=True)
    frame = requester.get(f"/staff/grants/{grant}/m/{first}/frame").get_data(as_text=True)
    for shown in (page, frame):
        assert f"{SECURITY_1} {expected}" in shown
        assert "· security ·" not in shown and "(abuse)" not in shown


@pytest.mark.parametrize(("language", "expected"), [
    ("en", "· Support · consent"), ("id", "· Dukungan · persetujuan")])
def test_a_consented_view_is_watermarked_in_words(app, staff_client, user, language,
                                                  expected):
    first = thread_of_two(user)[1]
    consent = give_consent(app, user, [first])
    agent = staff_client(SUPPORT)
    agent.set_cookie("mailguard_lang", language)
    frame = agent.get(f"/staff/consented/{consent.id}/m/{first}/frame").get_data(as_text=True)
    assert f"{SUPPORT} {expected} {consent.id}" in frame
    assert "· support ·" not in frame
