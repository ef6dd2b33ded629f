"""Session limits can be set from the environment, as every other setting of `serve`."""

from __future__ import annotations

import pytest

from webclient.config import ConfigError, from_environment


def test_the_four_limits_come_from_the_environment():
    settings = from_environment({
        "MAILGUARD_MAIL_SESSION_HOURS": "8", "MAILGUARD_MAIL_SESSION_IDLE_MINUTES": "15",
        "MAILGUARD_STAFF_SESSION_HOURS": "4", "MAILGUARD_STAFF_SESSION_IDLE_MINUTES": "10"})
    assert (settings["MAIL_SESSION_HOURS"], settings["MAIL_SESSION_IDLE_MINUTES"],
            settings["STAFF_SESSION_HOURS"], settings["STAFF_SESSION_IDLE_MINUTES"]) == (
        8, 15, 4, 10)


@pytest.mark.parametrize(("name", "value", "says"), [
    ("MAILGUARD_MAIL_SESSION_HOURS", "0", "at least 1"),
    ("MAILGUARD_STAFF_SESSION_HOURS", "eight", "at least 1"),
    ("MAILGUARD_MAIL_SESSION_IDLE_MINUTES", "5", "more than 5 minutes"),
    ("MAILGUARD_STAFF_SESSION_IDLE_MINUTES", "-30", "at least 1"),
])
def test_an_unusable_limit_is_refused_by_name(name, value, says):
    with pytest.raises(ConfigError, match=says) as refused:
        from_environment({name: value})
    assert name in str(refused.value)


def test_limits_set_this_way_end_a_mail_session(web_emulator, tmp_path, mailbox):
    from datetime import UTC, datetime, timedelta

    from tests.webclient.conftest import app_config, sign_in
    from webclient import create_app

    now = [datetime.now(UTC)]
    app = create_app(app_config(web_emulator, tmp_path, GUARD_CLOCK=lambda: now[0],
                                **from_environment(
                                    {"MAILGUARD_MAIL_SESSION_IDLE_MINUTES": "10"})))
    try:
        client = app.test_client()
        sign_in(client, web_emulator, mailbox.email)
        now[0] += timedelta(minutes=9)
        assert client.get("/u/0/f/inbox").status_code == 200
        now[0] += timedelta(minutes=10, seconds=1)
        ended = client.get("/u/0/f/inbox")
        assert ended.status_code == 302 and "/auth/signin" in ended.headers["Location"]
    finally:
        app.extensions["mailguard.guard"].close()
