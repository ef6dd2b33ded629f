"""A userId other than the token's own mailbox is refused in Gmail's words.

Gmail answers 403 ``forbidden`` "Delegation denied for <address>", naming the address the
token belongs to (the caller's own), not the mailbox asked for: a token for example@gmail.com
asking for example+alias@gmail.com is told "Delegation denied for example@gmail.com". The
emulator said "Delegation denied for the requested user.".
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from googleapiclient.errors import HttpError

from fakegmail.pytest_plugin import FakeGmailAccount


@pytest.mark.parametrize("user_id", ["someone.else@example.org", "not-an-address"])
def test_another_mailbox_is_delegation_denied_for_the_callers_address(
        users: Any, account: FakeGmailAccount, user_id: str) -> None:
    with pytest.raises(HttpError) as caught:
        users.labels().list(userId=user_id).execute()

    assert caught.value.resp.status == 403
    error = json.loads(caught.value.content)["error"]
    assert error["message"] == f"Delegation denied for {account.email}"
    assert error["errors"] == [{"message": error["message"], "domain": "global",
                                "reason": "forbidden"}]
    assert error["status"] == "PERMISSION_DENIED"


def test_the_callers_own_address_in_any_case_is_their_mailbox(
        users: Any, account: FakeGmailAccount) -> None:
    profile = users.getProfile(userId=account.email.upper()).execute()

    assert profile["emailAddress"] == account.email
