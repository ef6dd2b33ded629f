"""users.settings get/update: vacation, language, IMAP, POP, auto-forwarding."""

from __future__ import annotations

import pytest

from fakegmail.discovery import GMAIL_SCOPE_FULL
from tests.fakegmail.api.conftest import MODIFY, READONLY
from tests.fakegmail.conformance import execute_checked
from tests.fakegmail.settings.conftest import BASIC, SHARING, refused, units_of


@pytest.mark.parametrize(("getter", "expected"), [
    ("getVacation", {"enableAutoReply": False, "responseSubject": "",
                     "responseBodyPlainText": "", "responseBodyHtml": "",
                     "restrictToContacts": False, "restrictToDomain": False}),
    ("getLanguage", {"displayLanguage": "en"}),
    ("getImap", {"enabled": True, "autoExpunge": True, "expungeBehavior": "archive"}),
    ("getPop", {"accessWindow": "disabled", "disposition": "leaveInInbox"}),
    ("getAutoForwarding", {"enabled": False}),
])
def test_a_new_account_reports_gmails_defaults(settings, getter, expected):
    assert execute_checked(getattr(settings, getter)(userId="me")) == expected


def test_vacation_round_trips_with_times_as_strings(settings):
    body = {"enableAutoReply": True, "responseSubject": "Cuti",
            "responseBodyPlainText": "Back on Monday.", "restrictToContacts": True,
            "startTime": 1_767_225_600_000, "endTime": "1767830400000"}
    saved = execute_checked(settings.updateVacation(userId="me", body=body))
    assert (saved["startTime"], saved["endTime"]) == ("1767225600000", "1767830400000")
    assert saved["responseSubject"] == "Cuti" and saved["restrictToContacts"] is True
    assert execute_checked(settings.getVacation(userId="me")) == saved
    cleared = execute_checked(settings.updateVacation(userId="me",
                                                      body={"enableAutoReply": False}))
    assert "startTime" not in cleared and cleared["responseSubject"] == ""


@pytest.mark.parametrize(("body", "words"), [
    ({"enableAutoReply": True, "responseSubject": "Away", "startTime": "2000",
      "endTime": "1000"}, "startTime must precede endTime"),
    ({"enableAutoReply": True, "responseSubject": "Away", "startTime": "1000",
      "endTime": "1000"}, "startTime must precede endTime"),
    ({"enableAutoReply": True}, "responseSubject or a response body"),
])
def test_vacation_refusals(settings, body, words):
    status, error = refused(settings.updateVacation(userId="me", body=body))
    assert (status, error["status"]) == (400, "INVALID_ARGUMENT")
    assert words in error["message"]


def test_vacation_field_of_the_wrong_type_is_refused_by_the_front_end(settings):
    status, error = refused(settings.updateVacation(userId="me",
                                                    body={"startTime": "tomorrow"}))
    assert status == 400
    assert error["message"] == "Invalid value at 'vacation_settings.start_time' (TYPE_INT64), " \
                               '"tomorrow"'


@pytest.mark.parametrize(("asked", "saved"), [
    ("en-GB", "en-GB"), ("fr", "fr"), ("ja", "ja"), ("en-US", "en"), ("ID", "id"),
    ("zh-cn", "zh-CN"), ("es-MX", "es"),
])
def test_language_saves_the_closest_variant_gmail_offers(settings, asked, saved):
    answer = execute_checked(settings.updateLanguage(userId="me",
                                                     body={"displayLanguage": asked}))
    assert answer == {"displayLanguage": saved}
    assert settings.getLanguage(userId="me").execute() == answer


@pytest.mark.parametrize("tag", ["", "english!", "xx", "en_GB", "pt-AO"])
def test_language_refuses_what_is_no_tag_or_no_gmail_language(settings, tag):
    status, error = refused(settings.updateLanguage(userId="me",
                                                    body={"displayLanguage": tag}))
    assert status == 400
    assert "displayLanguage" in error["message"]


def test_imap_update_replaces_and_keeps_an_unspecified_expunge_behaviour(settings):
    saved = execute_checked(settings.updateImap(userId="me", body={
        "enabled": True, "autoExpunge": False, "expungeBehavior": "trash",
        "maxFolderSize": 5000}))
    assert saved == {"enabled": True, "autoExpunge": False, "expungeBehavior": "trash",
                     "maxFolderSize": 5000}
    kept = execute_checked(settings.updateImap(userId="me", body={
        "enabled": False, "expungeBehavior": "expungeBehaviorUnspecified"}))
    assert kept == {"enabled": False, "autoExpunge": False, "expungeBehavior": "trash"}


def test_imap_refuses_a_folder_size_and_a_behaviour_gmail_does_not_offer(settings):
    status, error = refused(settings.updateImap(userId="me", body={"maxFolderSize": 3000}))
    assert (status, error["errors"][0]["reason"]) == (400, "invalidArgument")
    assert "1000, 2000, 5000 or 10000" in error["message"]
    status, error = refused(settings.updateImap(userId="me",
                                                body={"expungeBehavior": "shred"}))
    assert status == 400
    assert error["message"] == ("Invalid value at 'imap_settings.expunge_behavior' "
                                '(TYPE_ENUM), "shred"')


def test_pop_update(settings):
    saved = execute_checked(settings.updatePop(userId="me", body={
        "accessWindow": "fromNowOn", "disposition": "archive"}))
    assert saved == {"accessWindow": "fromNowOn", "disposition": "archive"}
    assert execute_checked(settings.getPop(userId="me")) == saved
    status, _ = refused(settings.updatePop(userId="me", body={"accessWindow": "always"}))
    assert status == 400


def test_auto_forwarding_to_an_address_not_verified_for_forwarding_is_400(settings):
    status, error = refused(settings.updateAutoForwarding(userId="me", body={
        "enabled": True, "emailAddress": "elsewhere@example.org",
        "disposition": "archive"}))
    assert (status, error["status"]) == (400, "INVALID_ARGUMENT")
    assert "verified forwarding address" in error["message"]
    assert execute_checked(settings.getAutoForwarding(userId="me")) == {"enabled": False}


def test_auto_forwarding_to_a_forwarding_address_and_its_removal(settings):
    settings.forwardingAddresses().create(
        userId="me", body={"forwardingEmail": "archive@example.org"}).execute()
    saved = execute_checked(settings.updateAutoForwarding(userId="me", body={
        "enabled": True, "emailAddress": "archive@example.org", "disposition": "markRead"}))
    assert saved == {"enabled": True, "emailAddress": "archive@example.org",
                     "disposition": "markRead"}
    assert execute_checked(settings.getAutoForwarding(userId="me")) == saved
    settings.forwardingAddresses().delete(userId="me",
                                          forwardingEmail="archive@example.org").execute()
    assert execute_checked(settings.getAutoForwarding(userId="me")) == {"enabled": False}


@pytest.mark.parametrize("scope", [READONLY, MODIFY, GMAIL_SCOPE_FULL, BASIC])
def test_reading_settings_takes_a_read_or_settings_scope(account, service_for, scope):
    settings = service_for(account, scopes=[scope]).users().settings()
    for getter in ("getVacation", "getLanguage", "getImap", "getPop", "getAutoForwarding"):
        execute_checked(getattr(settings, getter)(userId="me"))


@pytest.mark.parametrize(("scope", "call"), [
    (GMAIL_SCOPE_FULL, lambda s: s.updateVacation(userId="me", body={})),
    (MODIFY, lambda s: s.updateLanguage(userId="me", body={"displayLanguage": "id"})),
    (SHARING, lambda s: s.updateImap(userId="me", body={})),
    (SHARING, lambda s: s.updatePop(userId="me", body={})),
    (BASIC, lambda s: s.updateAutoForwarding(userId="me", body={"enabled": False})),
])
def test_an_update_without_its_settings_scope_is_403(account, service_for, scope, call):
    settings = service_for(account, scopes=[scope]).users().settings()
    status, error = refused(call(settings))
    assert (status, error["status"]) == (403, "PERMISSION_DENIED")
    assert error["errors"][0]["reason"] == "insufficientPermissions"


def test_settings_calls_cost_gmails_units(fake_gmail, account, settings):
    settings.getVacation(userId="me").execute()  # 1
    settings.updateVacation(userId="me", body={}).execute()  # 5
    settings.updatePop(userId="me", body={}).execute()  # 100
    settings.updateImap(userId="me", body={}).execute()  # 5
    settings.getLanguage(userId="me").execute()  # not in Gmail's table: 1
    assert units_of(fake_gmail, account.email) == 1 + 5 + 100 + 5 + 1


def test_fields_select_parts_of_a_settings_answer(settings):
    assert settings.getImap(userId="me", fields="enabled").execute() == {"enabled": True}
    status, error = refused(settings.getImap(userId="me", fields="colour"))
    assert status == 400 and error["errors"][0]["reason"] == "invalidParameter"
