"""users.labels.* through the Gmail client."""

from __future__ import annotations

import re

import pytest
from googleapiclient.errors import HttpError

from tests.fakegmail.api.conftest import gmail_error, insert, make_raw
from tests.fakegmail.conformance import execute_checked

SYSTEM = {"INBOX", "SENT", "DRAFT", "SPAM", "TRASH", "UNREAD", "STARRED", "IMPORTANT", "CHAT",
          "CATEGORY_PERSONAL", "CATEGORY_SOCIAL", "CATEGORY_PROMOTIONS", "CATEGORY_UPDATES",
          "CATEGORY_FORUMS"}


def test_list_has_every_system_label(users):
    labels = execute_checked(users.labels().list(userId="me"))["labels"]
    assert {label["id"] for label in labels} == SYSTEM
    assert all(label["type"] == "system" for label in labels)
    spam = next(label for label in labels if label["id"] == "SPAM")
    assert spam["labelListVisibility"] == "labelHide"


def test_create_get_and_counts(users):
    label = execute_checked(users.labels().create(userId="me", body={
        "name": "Clients/Acme", "labelListVisibility": "labelShow",
        "messageListVisibility": "show",
        "color": {"textColor": "#000000", "backgroundColor": "#16a765"}}))
    assert re.fullmatch(r"Label_\d+", label["id"])
    assert label["type"] == "user"
    insert(users, make_raw(), labels=["INBOX", "UNREAD", label["id"]])
    insert(users, make_raw(), labels=[label["id"]])
    got = execute_checked(users.labels().get(userId="me", id=label["id"]))
    assert (got["messagesTotal"], got["messagesUnread"]) == (2, 1)
    assert (got["threadsTotal"], got["threadsUnread"]) == (2, 1)
    assert got["color"] == {"textColor": "#000000", "backgroundColor": "#16a765"}


@pytest.mark.parametrize("name", ["Work", "work", "WORK"])
def test_a_name_taken_in_any_case_is_409_aborted(users, name):
    """Gmail answers a taken name with reason ``aborted`` (status ABORTED), as its errors
    show: 'Label name exists or conflicts', domain global, reason aborted."""
    users.labels().create(userId="me", body={"name": "Work"}).execute()
    with pytest.raises(HttpError) as caught:
        users.labels().create(userId="me", body={"name": name}).execute()
    assert caught.value.resp.status == 409
    error = gmail_error(caught.value)
    assert error["message"] == "Label name exists or conflicts"
    assert error["status"] == "ABORTED"
    assert error["errors"] == [{"message": "Label name exists or conflicts",
                                "domain": "global", "reason": "aborted"}]


@pytest.mark.parametrize("name", ["INBOX", "Inbox", "Trash", "drafts", "Muted", "Unread",
                                  "Chats", "Archive", "SENT", "CATEGORY_SOCIAL"])
def test_a_reserved_name_is_400_invalid_label_name(users, name):
    """Gmail keeps its system labels' names (and a few more: Drafts, Chats, Muted, Archive)
    for itself; creating or renaming a label to one is 400 'Invalid label name', not the
    409 of a name another label has."""
    with pytest.raises(HttpError) as caught:
        users.labels().create(userId="me", body={"name": name}).execute()
    assert caught.value.resp.status == 400
    error = gmail_error(caught.value)
    assert error["message"] == "Invalid label name"
    assert error["errors"][0]["reason"] == "invalidArgument"

    label = users.labels().create(userId="me", body={"name": "Mine"}).execute()
    with pytest.raises(HttpError) as caught:
        users.labels().patch(userId="me", id=label["id"], body={"name": name}).execute()
    assert caught.value.resp.status == 400
    assert gmail_error(caught.value)["message"] == "Invalid label name"


def test_update_replaces_and_patch_merges(users):
    label = users.labels().create(userId="me", body={
        "name": "Old", "labelListVisibility": "labelHide"}).execute()
    patched = execute_checked(users.labels().patch(userId="me", id=label["id"],
                                                   body={"name": "New"}))
    assert (patched["name"], patched["labelListVisibility"]) == ("New", "labelHide")
    updated = execute_checked(users.labels().update(userId="me", id=label["id"], body={
        "id": label["id"], "name": "Newer", "messageListVisibility": "hide"}))
    assert (updated["name"], updated["labelListVisibility"],
            updated["messageListVisibility"]) == ("Newer", "labelShow", "hide")


def test_renamed_label_is_searchable_by_its_new_name(users):
    label = users.labels().create(userId="me", body={"name": "Old name"}).execute()
    message = insert(users, make_raw(), labels=[label["id"]])
    users.labels().patch(userId="me", id=label["id"], body={"name": "Projects"}).execute()
    found = users.messages().list(userId="me", q="label:projects").execute()
    assert [m["id"] for m in found["messages"]] == [message["id"]]


def test_system_labels_cannot_be_changed_or_deleted(users):
    with pytest.raises(HttpError) as caught:
        users.labels().delete(userId="me", id="INBOX").execute()
    assert caught.value.resp.status == 400
    with pytest.raises(HttpError) as caught:
        users.labels().patch(userId="me", id="INBOX", body={"name": "Box"}).execute()
    assert caught.value.resp.status == 400


def test_delete_takes_the_label_off_messages(users):
    label = users.labels().create(userId="me", body={"name": "Temp"}).execute()
    message = insert(users, make_raw(), labels=["INBOX", label["id"]])
    assert users.labels().delete(userId="me", id=label["id"]).execute() == ""
    got = users.messages().get(userId="me", id=message["id"], format="minimal").execute()
    assert got["labelIds"] == ["INBOX"]
    with pytest.raises(HttpError) as caught:
        users.labels().get(userId="me", id=label["id"]).execute()
    assert caught.value.resp.status == 404


@pytest.mark.parametrize("body", [
    {"name": ""},
    {"name": "Bad colour", "color": {"textColor": "red", "backgroundColor": "#ffffff"}},
    {"name": "Bad visibility", "labelListVisibility": "sometimes"},
])
def test_invalid_label_bodies_are_400(users, body):
    with pytest.raises(HttpError) as caught:
        users.labels().create(userId="me", body=body).execute()
    assert caught.value.resp.status == 400


@pytest.mark.parametrize("color", [
    {"textColor": "#123456", "backgroundColor": "#16a765"},
    {"textColor": "#000000", "backgroundColor": "#654321"},
])
def test_label_colours_off_gmails_palette_are_400(users, color):
    with pytest.raises(HttpError) as caught:
        users.labels().create(userId="me", body={"name": "Off palette", "color": color}
                              ).execute()
    assert caught.value.resp.status == 400
    off = "#123456" if color["textColor"] == "#123456" else "#654321"
    error = gmail_error(caught.value)
    assert error["message"] == f"Label color {off} is not on the allowed color palette"
    assert error["errors"][0]["reason"] == "invalidArgument"
    names = {label["name"] for label in users.labels().list(userId="me").execute()["labels"]}
    assert "Off palette" not in names


def test_label_colours_on_gmails_palette_are_kept(users):
    color = {"textColor": "#FFFFFF", "backgroundColor": "#1e53b8"}
    label = execute_checked(users.labels().create(userId="me", body={
        "name": "On palette", "color": color}))
    assert label["color"] == {"textColor": "#ffffff", "backgroundColor": "#1e53b8"}


@pytest.mark.parametrize("method", ["update", "patch"])
def test_refused_label_change_leaves_the_label_unchanged(users, method):
    color = {"textColor": "#000000", "backgroundColor": "#16a765"}
    label = users.labels().create(userId="me", body={
        "name": "Steady", "labelListVisibility": "labelHide", "color": color}).execute()
    call = getattr(users.labels(), method)
    with pytest.raises(HttpError) as caught:
        call(userId="me", id=label["id"], body={
            "name": "Steady", "labelListVisibility": "labelShowIfUnread",
            "messageListVisibility": "sometimes"}).execute()
    assert caught.value.resp.status == 400
    got = users.labels().get(userId="me", id=label["id"]).execute()
    assert (got["labelListVisibility"], got["color"]) == ("labelHide", color)


@pytest.mark.parametrize("name", [" Work", "Work ", "\tWork", "Work\r", "", "   ", None])
def test_a_name_with_surrounding_whitespace_or_none_is_invalid(users, name):
    """Gmail refuses a label name with leading or trailing whitespace (or none at all) as
    'Invalid label name' rather than trimming it: the emulator trimmed, so ' Work' was
    created as 'Work' and a client's name no longer matched the label it got back."""
    body = {} if name is None else {"name": name}
    with pytest.raises(HttpError) as caught:
        users.labels().create(userId="me", body=body).execute()
    assert caught.value.resp.status == 400
    assert gmail_error(caught.value)["message"] == "Invalid label name"
    assert all(label["type"] == "system"
               for label in users.labels().list(userId="me").execute()["labels"])

    if name is not None:
        label = users.labels().create(userId="me", body={"name": "Mine"}).execute()
        with pytest.raises(HttpError) as caught:
            users.labels().patch(userId="me", id=label["id"], body={"name": name}).execute()
        assert caught.value.resp.status == 400
        assert gmail_error(caught.value)["message"] == "Invalid label name"
