"""A granted mailbox whose Gmail access MailGuard does not hold: the console says so to staff.

A security case can be opened on any address, including one whose owner never connected
Gmail or has since disconnected it. Opening a message under such a grant used to show the
mail user's "Reconnect your Gmail account ... keep reading your mail" page (401, with a
link back to "your mail"), which is about nobody's mail the staff member has.
"""

from __future__ import annotations

from tests.webclient.conftest import new_mailbox
from tests.webclient.staff.conftest import SECURITY_1, SECURITY_2
from tests.webclient.staff.test_grants import form_post, grant_id_of, request_security


def test_a_grant_on_a_mailbox_never_connected_says_nothing_can_be_shown(
        app, staff_client, web_emulator):
    never_connected = new_mailbox(web_emulator, messages=3)
    message_id = next(iter(never_connected.state._messages))
    requester, approver = staff_client(SECURITY_1), staff_client(SECURITY_2)
    grant = grant_id_of(request_security(requester, never_connected.email, hours="2"))
    assert form_post(approver, f"/staff/grants/{grant}/approve", {}).status_code == 302

    for path in (f"/staff/grants/{grant}/m/{message_id}",
                 f"/staff/grants/{grant}/t/{message_id}",
                 f"/staff/grants/{grant}/m/{message_id}/frame"):
        answer = requester.get(path)
        page = answer.get_data(as_text=True)
        assert answer.status_code == 409, (path, answer.status_code)
        assert answer.headers["Cache-Control"] == "no-store"
        assert "MailGuard holds no Gmail access to this mailbox" in page
        assert "Reconnect your Gmail account" not in page
        assert "Back to your mail" not in page
        assert "Back to the staff console" in page
