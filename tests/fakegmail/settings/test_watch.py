"""users.watch and users.stop through the client library."""

from __future__ import annotations

import pytest

from fakegmail.mail_settings import WATCH_LIFETIME_MS
from tests.fakegmail.api.conftest import METADATA, READONLY, insert, make_raw
from tests.fakegmail.conformance import execute_checked
from tests.fakegmail.settings.conftest import BASIC, refused, units_of

TOPIC = "projects/qontak-mail/topics/gmail-push"


def test_watch_answers_the_current_history_id_and_a_seven_day_expiration(
        fake_gmail, account, users):
    insert(users, make_raw())
    profile = users.getProfile(userId="me").execute()
    before = int(fake_gmail.state.clock() * 1000)
    watched = execute_checked(users.watch(userId="me", body={"topicName": TOPIC}))
    after = int(fake_gmail.state.clock() * 1000)
    assert watched["historyId"] == profile["historyId"]
    assert before + WATCH_LIFETIME_MS <= int(watched["expiration"]) <= after + WATCH_LIFETIME_MS
    assert WATCH_LIFETIME_MS == 7 * 24 * 3600 * 1000


def test_watch_is_registered_and_renewed_and_stop_forgets_it(fake_gmail, account, users):
    execute_checked(users.watch(userId="me", body={
        "topicName": TOPIC, "labelIds": ["INBOX"], "labelFilterBehavior": "include"}))
    registered = fake_gmail.state.account(account.email).settings.watch
    assert (registered.topic_name, registered.label_ids,
            registered.label_filter_behavior) == (TOPIC, ("INBOX",), "include")
    renewed = execute_checked(users.watch(userId="me", body={"topicName": TOPIC + "-2"}))
    assert fake_gmail.state.account(account.email).settings.watch.topic_name == TOPIC + "-2"
    assert renewed["historyId"]
    assert execute_checked(users.stop(userId="me")) == ""
    assert fake_gmail.state.account(account.email).settings.watch is None
    assert execute_checked(users.stop(userId="me")) == ""  # stopping twice is fine


@pytest.mark.parametrize("topic", [
    None, "", "gmail-push", "projects/qontak-mail/subscriptions/gmail-push",
    "projects//topics/gmail-push", "projects/qontak-mail/topics/", "topics/gmail-push",
    "projects/qontak-mail/topics/gmail-push/extra",
])
def test_a_topic_name_not_of_pubsub_form_is_400(users, topic):
    body = {} if topic is None else {"topicName": topic}
    status, error = refused(users.watch(userId="me", body=body))
    assert (status, error["status"]) == (400, "INVALID_ARGUMENT")
    assert error["message"] == "Invalid topicName does not match projects/*/topics/*"
    assert error["errors"][0]["reason"] == "invalidArgument"


def test_watch_refuses_an_unknown_label_and_an_unknown_filter_behaviour(users):
    status, error = refused(users.watch(userId="me", body={
        "topicName": TOPIC, "labelIds": ["Label_404"]}))
    assert (status, error["message"]) == (400, "Invalid label: Label_404")
    status, error = refused(users.watch(userId="me", body={
        "topicName": TOPIC, "labelIds": ["INBOX"], "labelFilterBehavior": "only"}))
    assert status == 400
    assert "label_filter_behavior" in error["message"]


@pytest.mark.parametrize("scope", [READONLY, METADATA])
def test_read_scopes_may_watch_and_stop(account, service_for, scope):
    users = service_for(account, scopes=[scope]).users()
    assert "historyId" in execute_checked(users.watch(userId="me", body={"topicName": TOPIC}))
    execute_checked(users.stop(userId="me"))


def test_a_settings_scope_cannot_watch(account, service_for):
    users = service_for(account, scopes=[BASIC]).users()
    for request in (users.watch(userId="me", body={"topicName": TOPIC}), users.stop(userId="me")):
        status, error = refused(request)
        assert (status, error["errors"][0]["reason"]) == (403, "insufficientPermissions")


def test_watch_and_stop_cost_gmails_units_and_honour_fields(fake_gmail, account, users):
    users.watch(userId="me", body={"topicName": TOPIC}).execute()
    users.stop(userId="me").execute()
    assert units_of(fake_gmail, account.email) == 100 + 50
    partial = users.watch(userId="me", body={"topicName": TOPIC}, fields="historyId").execute()
    assert set(partial) == {"historyId"}
