"""The Gmail service factory: aimed at the emulator, shared safely between threads."""

from __future__ import annotations

import threading

from google.oauth2.credentials import Credentials
from googleapiclient.http import MediaInMemoryUpload

from fakegmail.pytest_plugin import FakeGmailAccount
from fakegmail.server import EmulatorServer
from guard._gmail import build_gmail_service, gmail_discovery_document
from guard.transport import GmailTransport


def transport_for(emulator: EmulatorServer, account: FakeGmailAccount,
                  pool_size: int = 16) -> GmailTransport:
    creds = Credentials(token=account.token, refresh_token=account.refresh_token,
                        token_uri=emulator.url + "token", client_id="mailguard-test",
                        client_secret="secret")
    return GmailTransport(creds, pool_size=pool_size)


def test_root_url_aims_plain_batch_and_upload_calls_at_the_same_server() -> None:
    service = build_gmail_service(root_url="http://127.0.0.1:9/", http=GmailTransport(None))
    plain = service.users().getProfile(userId="me")
    upload = service.users().messages().send(
        userId="me", body={}, media_body=MediaInMemoryUpload(b"Subject: x\r\n\r\nhi",
                                                             mimetype="message/rfc822"))
    batch = service.new_batch_http_request()
    assert plain.uri.startswith("http://127.0.0.1:9/gmail/v1/users/me/profile")
    assert upload.uri.startswith("http://127.0.0.1:9/upload/gmail/v1/users/me/messages/send")
    assert batch._batch_uri == "http://127.0.0.1:9/batch"


def test_no_root_url_means_google() -> None:
    service = build_gmail_service(root_url=None, http=GmailTransport(None))
    assert service.users().getProfile(userId="me").uri.startswith(
        "https://gmail.googleapis.com/gmail/v1/users/me/profile")
    assert gmail_discovery_document()["rootUrl"] == "https://gmail.googleapis.com/"


def test_get_profile_through_the_transport(emulator: EmulatorServer,
                                           account: FakeGmailAccount) -> None:
    service = build_gmail_service(root_url=emulator.url, http=transport_for(emulator, account))
    profile = service.users().getProfile(userId="me").execute()
    assert profile["emailAddress"] == account.email


def test_sixteen_threads_share_one_service_without_errors(emulator: EmulatorServer,
                                                          account: FakeGmailAccount) -> None:
    service = build_gmail_service(root_url=emulator.url, http=transport_for(emulator, account))
    start = threading.Barrier(16)
    answers: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker() -> None:
        start.wait()
        for _ in range(50):
            try:
                profile = service.users().getProfile(userId="me").execute()
            except BaseException as error:  # noqa: BLE001 - counted and asserted below
                with lock:
                    errors.append(error)
            else:
                with lock:
                    answers.append(profile["emailAddress"])

    threads = [threading.Thread(target=worker) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert answers == [account.email] * 800


def test_expired_token_is_refreshed_once_for_sixteen_threads(
        emulator: EmulatorServer, account: FakeGmailAccount) -> None:
    transport = transport_for(emulator, account)
    service = build_gmail_service(root_url=emulator.url, http=transport)
    emulator.state.tokens.expire_all(account.email)
    start = threading.Barrier(16)
    errors: list[BaseException] = []

    def worker() -> None:
        start.wait()
        try:
            for _ in range(3):
                service.users().getProfile(userId="me").execute()
        except BaseException as error:  # noqa: BLE001 - asserted below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert transport.refresh_count == 1


def test_batch_requests_carry_the_token_and_refresh_through_the_transport(
        emulator: EmulatorServer, account: FakeGmailAccount) -> None:
    transport = transport_for(emulator, account)
    service = build_gmail_service(root_url=emulator.url, http=transport)
    results: dict[str, object] = {}

    def run_batch() -> None:
        results.clear()
        batch = service.new_batch_http_request(
            callback=lambda rid, response, error: results.update({rid: error or response}))
        batch.add(service.users().getProfile(userId="me"), request_id="profile")
        batch.add(service.users().labels().list(userId="me"), request_id="labels")
        batch.execute()

    run_batch()
    assert results["profile"] == {**results["profile"], "emailAddress": account.email}
    assert "INBOX" in {label["id"] for label in results["labels"]["labels"]}
    assert transport.refresh_count == 0
    emulator.state.tokens.expire_all(account.email)
    run_batch()
    assert isinstance(results["profile"], dict), results["profile"]
    assert results["profile"]["emailAddress"] == account.email
    assert transport.refresh_count == 1
