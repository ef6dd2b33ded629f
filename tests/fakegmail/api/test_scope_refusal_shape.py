"""A token without the method's scope, or no token at all, is refused in Google's whole shape.

Gmail's 403 for a token that lacks the scope says "Request had insufficient authentication
scopes." with an ``errors`` item of its own ("Insufficient Permission",
``insufficientPermissions``), a ``google.rpc.ErrorInfo`` detail
``ACCESS_TOKEN_SCOPE_INSUFFICIENT`` naming the service and backend method, and a
``WWW-Authenticate`` header with ``error="insufficient_scope"`` and the scopes that would
do; clients read the header to ask the user for more access. A call with no credential at
all carries an ErrorInfo ``CREDENTIALS_MISSING`` the same way. The emulator sent the bare
message with neither detail nor header.
"""

from __future__ import annotations

import json
from typing import Any

import httplib2
import pytest
from googleapiclient.errors import HttpError

from fakegmail.discovery import gmail_methods
from fakegmail.server import EmulatorServer
from tests.fakegmail.api.conftest import READONLY, SEND, ServiceFactory


def _refused(request: Any) -> tuple[Any, dict[str, Any]]:
    with pytest.raises(HttpError) as caught:
        request.execute()
    return caught.value.resp, json.loads(caught.value.content)["error"]


@pytest.mark.parametrize(("scope", "call", "method_id", "backend"), [
    (SEND, lambda u: u.labels().list(userId="me"), "gmail.users.labels.list",
     "caribou.api.proto.MailboxService.ListLabels"),
    (SEND, lambda u: u.messages().list(userId="me"), "gmail.users.messages.list",
     "caribou.api.proto.MailboxService.ListMessages"),
    (READONLY, lambda u: u.drafts().create(userId="me", body={}),
     "gmail.users.drafts.create", "caribou.api.proto.MailboxService.CreateDraft"),
])
def test_a_token_without_the_scope_is_refused_in_googles_shape(
        account: Any, service_for: ServiceFactory, scope: str, call: Any, method_id: str,
        backend: str) -> None:
    response, error = _refused(call(service_for(account, scopes=[scope]).users()))

    assert response.status == 403
    assert error == {
        "code": 403,
        "message": "Request had insufficient authentication scopes.",
        "errors": [{"message": "Insufficient Permission", "domain": "global",
                    "reason": "insufficientPermissions"}],
        "status": "PERMISSION_DENIED",
        "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo",
                     "reason": "ACCESS_TOKEN_SCOPE_INSUFFICIENT",
                     "domain": "googleapis.com",
                     "metadata": {"method": backend, "service": "gmail.googleapis.com"}}],
    }
    wanted = " ".join(sorted(gmail_methods()[method_id].scopes))
    assert response["www-authenticate"] == (
        'Bearer realm="https://accounts.google.com/", error="insufficient_scope", '
        f'scope="{wanted}"')


def test_a_call_without_credentials_names_the_method_it_would_have_reached(
        fake_gmail: EmulatorServer) -> None:
    response, content = httplib2.Http().request(fake_gmail.url + "gmail/v1/users/me/profile")
    error = json.loads(content)["error"]

    assert response.status == 401
    assert error["details"] == [{"@type": "type.googleapis.com/google.rpc.ErrorInfo",
                                 "reason": "CREDENTIALS_MISSING", "domain": "googleapis.com",
                                 "metadata": {
                                     "method": "caribou.api.proto.MailboxService.GetProfile",
                                     "service": "gmail.googleapis.com"}}]


def test_an_invalid_token_carries_no_details(fake_gmail: EmulatorServer) -> None:
    response, content = httplib2.Http().request(
        fake_gmail.url + "gmail/v1/users/me/profile",
        headers={"Authorization": "Bearer ya29.unknown"})

    assert response.status == 401
    assert "details" not in json.loads(content)["error"]
