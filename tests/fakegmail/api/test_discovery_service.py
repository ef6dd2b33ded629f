"""The emulator serves gmail.v1's discovery document where Google does, aimed at itself,
so ``build(..., static_discovery=False, discoveryServiceUrl=...)`` works unchanged."""

from __future__ import annotations

import io

import pytest
import requests
from google.oauth2.credentials import Credentials
from googleapiclient.discovery import build
from googleapiclient.http import MediaIoBaseUpload

from tests.fakegmail.api.conftest import b64, make_raw


@pytest.mark.parametrize("service_url", [
    "{root}discovery/v1/apis/{{api}}/{{apiVersion}}/rest",
    "{root}$discovery/rest?version={{apiVersion}}",
])
def test_a_dynamically_built_client_reaches_the_emulator_for_calls_batches_and_uploads(
        fake_gmail, account, service_url):
    gmail = build("gmail", "v1", static_discovery=False, cache_discovery=False,
                  credentials=Credentials(account.token),
                  discoveryServiceUrl=service_url.format(root=fake_gmail.url))
    assert gmail.users().getProfile(userId="me").execute()["emailAddress"] == account.email
    sent = gmail.users().messages().send(userId="me", body={"raw": b64(make_raw())}).execute()
    uploaded = gmail.users().messages().send(userId="me", media_body=MediaIoBaseUpload(
        io.BytesIO(make_raw(subject="Uploaded")), mimetype="message/rfc822")).execute()
    assert uploaded["labelIds"] == ["SENT"]
    got: list[str] = []
    batch = gmail.new_batch_http_request(callback=lambda _id, answer, error: got.append(
        answer["id"] if error is None else repr(error)))
    batch.add(gmail.users().messages().get(userId="me", id=sent["id"], format="minimal"))
    batch.execute()
    assert got == [sent["id"]]


def test_the_document_names_the_address_it_was_fetched_at(fake_gmail):
    document = requests.get(fake_gmail.url + "discovery/v1/apis/gmail/v1/rest",
                            timeout=10).json()
    assert document["rootUrl"] == fake_gmail.url
    assert document["baseUrl"] == fake_gmail.url + document["servicePath"]
    assert "messages" in document["resources"]["users"]["resources"]


@pytest.mark.parametrize("path", ["discovery/v1/apis/drive/v3/rest",
                                  "discovery/v1/apis/gmail/v2/rest",
                                  "$discovery/rest?version=v2"])
def test_other_apis_and_versions_are_404(fake_gmail, path):
    answer = requests.get(fake_gmail.url + path, timeout=10)
    assert answer.status_code == 404
    assert answer.json()["error"]["status"] == "NOT_FOUND"
