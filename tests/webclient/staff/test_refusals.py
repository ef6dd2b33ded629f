"""The guard's refusal reasons reach the console in the reader's language."""

from __future__ import annotations

import html

import pytest
from flask_babel import force_locale

from guard.policy import REASONS as GUARD_REASONS
from guard.policy import Decision
from tests.webclient.staff.conftest import SECURITY_1
from tests.webclient.staff.test_grants import form_post, grant_id_of, request_security
from webclient.staff.refusals import REASONS, refusal_reason

#: Every rule the grant book refuses a request, an approval or a revocation with.
GRANT_BOOK_REFUSALS = ("grant.self_approved", "grant.approver_not_eligible",
                       "grant.request_lapsed", "grant.revoked", "grant.expired",
                       "grant.not_pending", "grant.revoker_not_eligible",
                       "grant.requester_not_eligible")


def refused(rule_id: str, reason: str | None = None) -> Decision:
    return Decision(False, rule_id, GUARD_REASONS[rule_id] if reason is None else reason,
                    "staff.security", "security", "v1")


def test_each_listed_reason_is_the_guards_own_english():
    drifted = {rule: english for rule, english in REASONS.items()
               if GUARD_REASONS.get(rule) != english}
    assert not drifted, "copy the guard's wording of these rules into refusals.py"


@pytest.mark.parametrize("rule_id", GRANT_BOOK_REFUSALS)
def test_every_grant_book_refusal_has_an_indonesian_reason(app, rule_id):
    with app.test_request_context(), force_locale("id"):
        indonesian = refusal_reason(refused(rule_id))
    with app.test_request_context(), force_locale("en"):
        english = refusal_reason(refused(rule_id))
    assert english == GUARD_REASONS[rule_id]
    assert indonesian and indonesian != english


def test_an_unlisted_or_reworded_reason_is_shown_as_the_guard_gave_it(app):
    with app.test_request_context(), force_locale("id"):
        assert refusal_reason(refused("user.other_mailbox")) == GUARD_REASONS[
            "user.other_mailbox"]
        assert refusal_reason(refused("grant.revoked", "the grant was withdrawn")) == \
            "the grant was withdrawn"


def test_an_indonesian_page_gives_the_refusal_reason_in_indonesian(app, staff_client, user):
    requester = staff_client(SECURITY_1)
    grant = grant_id_of(request_security(requester, user.email))
    requester.set_cookie("mailguard_lang", "id")
    own = form_post(requester, f"/staff/grants/{grant}/approve", {})
    page = html.unescape(own.get_data(as_text=True))
    assert own.status_code == 403
    assert ("Buku izin akses menolak ini (aturan grant.self_approved: izin akses ini disetujui "
            "oleh pemegangnya sendiri). Penolakan ini dicatat.") in page
    assert GUARD_REASONS["grant.self_approved"] not in page

    requester.set_cookie("mailguard_lang", "en")
    english = html.unescape(form_post(requester, f"/staff/grants/{grant}/approve", {})
                            .get_data(as_text=True))
    assert ("The grant book refused this (rule grant.self_approved: the grant was approved by "
            "its own grantee). The refusal was recorded.") in english


def test_every_grant_problem_has_a_wording_with_its_details():
    from guard.grants import GRANT_PROBLEMS
    from webclient.staff.refusals import GRANT_PROBLEM_TEXTS

    assert set(GRANT_PROBLEM_TEXTS) == set(GRANT_PROBLEMS)
    for problem, details in GRANT_PROBLEMS.items():
        for name in details:
            assert f"%({name})s" in GRANT_PROBLEM_TEXTS[problem]


@pytest.mark.parametrize(("language", "fields", "expected"), [
    ("id", {"hours": "500"}, "Izin akses berlaku lebih dari nol dan paling lama 72 jam."),
    ("en", {"hours": "500"}, "A grant lasts more than zero and at most 72 hours."),
    ("id", {"case": ""}, "Izin akses keamanan memerlukan ID kasus dan kategori kasus."),
    ("id", {"mailbox": "nobody"},
     "Sebutkan kotak surat (alamat Gmail-nya) yang dituju izin akses ini."),
    ("id", {"category": "curiosity"}, "Kategori kasus harus salah satu dari "),
    ("en", {"case": "SEC-9 budi@example.org"},
     "never an address: the mailbox goes in the mailbox field."),
    ("id", {"case": "SEC-9 budi＠example.org"},
     "bukan alamat email: kotak surat diisi di kolom kotak surat."),
    ("en", {"case": "S" * 251}, "of at most 250 characters"),
])
def test_a_grant_request_problem_is_shown_in_the_readers_language(
        staff_client, user, language, fields, expected):
    requester = staff_client(SECURITY_1)
    requester.set_cookie("mailguard_lang", language)
    data = {"mailbox": user.email, "basis": "security", "case_id": "SEC-481",
            "category": "abuse", "hours": "4"}
    data.update({"case_id" if k == "case" else k: v for k, v in fields.items()})
    answer = form_post(requester, "/staff/grants/new", data, page="/staff/grants/new")
    assert answer.status_code == 400
    assert expected in html.unescape(answer.get_data(as_text=True))
