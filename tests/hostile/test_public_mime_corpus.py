"""CPython's email test messages through the whole stack: Gmail API, guard, web client.

``public_mime/cpython_email/`` holds the messages of CPython's ``Lib/test/test_email/data``
(see the README there). Each is inserted with ``messages.insert`` through the real client
library and read back in every format, checked against the discovery schemas and against
its own bytes; then it is opened in the web client (inbox, conversation, message frame,
every attachment). The image and sound files of that directory are not messages: Gmail
refuses them as raw messages, and they are delivered here as attachments instead.
"""

from __future__ import annotations

import base64
import email
import email.policy
import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from google.oauth2.credentials import Credentials
from googleapiclient.discovery import build_from_document
from googleapiclient.errors import HttpError

from fakegmail.discovery import document_with_root
from fakegmail.server import EmulatorServer
from tests.fakegmail.conformance import execute_checked
from tests.hostile.mime_pipeline import _ACTIVE
from tests.webclient.conftest import app_config, new_mailbox, sign_in, token_for
from webclient import create_app
from webclient.mail.message_view import (
    NOTICE_ATTACHMENTS_ONLY,
    NOTICE_NO_TEXT,
    NOTICE_PREVIEW_ONLY,
)

CORPUS = Path(__file__).parent / "public_mime" / "cpython_email"
MESSAGES = sorted(CORPUS.glob("msg_*.txt"))
BINARIES = sorted(p for p in CORPUS.iterdir()
                  if p.suffix not in (".txt", ".md") and p.name != "LICENSE")
#: corpus files that are a message body without any header (Gmail refuses them)
NOT_MESSAGES = frozenset({"msg_19.txt"})
_BASE64URL = re.compile(r"^[A-Za-z0-9_-]*={0,2}$")
_TAG = re.compile(r"<[^>]*>")
_MOJIBAKE = re.compile("[\u00c2\u00c3][\u0080-\u00bf]|\ufffd")


@dataclass(frozen=True, slots=True)
class Stack:
    """One web client signed in to one emulator mailbox, and a Gmail client for it."""

    web: FlaskClient
    gmail: Any


@pytest.fixture(scope="module")
def stack(web_emulator: EmulatorServer,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Sign in once for the module: the corpus is read by one user of one app."""
    app = create_app(app_config(web_emulator, tmp_path_factory.mktemp("corpus")))
    mailbox = new_mailbox(web_emulator, messages=3)
    web = app.test_client()
    assert sign_in(web, web_emulator, mailbox.email).status_code == 302
    gmail = build_from_document(document_with_root(web_emulator.url),
                                credentials=Credentials(token_for(mailbox)))
    try:
        yield Stack(web=web, gmail=gmail)
    finally:
        app.extensions["mailguard.guard"].close()


def _insert(stack: Stack, raw: bytes) -> dict[str, Any]:
    body = {"raw": base64.urlsafe_b64encode(raw).decode("ascii"), "labelIds": ["INBOX"]}
    return execute_checked(  # type: ignore[no-any-return]
        stack.gmail.users().messages().insert(userId="me", body=body))


def _get(stack: Stack, message_id: str, fmt: str) -> dict[str, Any]:
    return execute_checked(  # type: ignore[no-any-return]
        stack.gmail.users().messages().get(userId="me", id=message_id, format=fmt))


def _decoded(data: str) -> bytes:
    assert _BASE64URL.match(data), "body data is not base64url"
    return base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))


def _parts(part: dict[str, Any], part_id: str = "") -> Iterator[dict[str, Any]]:
    assert part["partId"] == part_id
    yield part
    for index, child in enumerate(part.get("parts") or ()):
        yield from _parts(child, f"{part_id}.{index}" if part_id else str(index))


def _check_api(stack: Stack, raw: bytes) -> dict[str, Any]:
    """Insert ``raw``, read it back in every format and check each answer; return full."""
    inserted = _insert(stack, raw)
    answers = {fmt: _get(stack, inserted["id"], fmt)
               for fmt in ("minimal", "metadata", "full", "raw")}
    assert _decoded(answers["raw"]["raw"]) == raw
    assert "payload" not in answers["minimal"]
    full = answers["full"]
    assert answers["metadata"]["payload"]["headers"] == full["payload"]["headers"]
    attachments = stack.gmail.users().messages().attachments()
    texts = []
    for part in _parts(full["payload"]):
        body = part["body"]
        if "data" in body:
            assert len(_decoded(body["data"])) == body["size"]
            if part["mimeType"].startswith("text/"):
                texts.append(_decoded(body["data"]).decode("utf-8"))  # Gmail hands out UTF-8
        if part.get("filename"):
            assert body.get("attachmentId"), part["partId"]
        if body.get("attachmentId"):
            fetched = execute_checked(attachments.get(userId="me", messageId=full["id"],
                                                      id=body["attachmentId"]))
            assert len(_decoded(fetched["data"])) == fetched["size"] == body["size"]
    for word in _words(" ".join(_stdlib_texts(raw))):
        assert word in " ".join(texts), "a non-ASCII word of a text part is not in its data"
    return full


def _stdlib_texts(raw: bytes) -> Iterator[str]:
    """Yield every text part's content as the stdlib decodes it (its declared charset)."""
    for part in email.message_from_bytes(raw, policy=email.policy.default).walk():
        if part.get_content_maintype() == "text" and not part.get_filename():
            try:
                content = part.get_content()
            except (LookupError, ValueError, KeyError):
                continue
            if isinstance(content, str):
                yield content


def _frame_text(frame: str) -> str:
    body = frame.split('<body class="mg-message">', 1)[1].rsplit("</body>", 1)[0]
    assert not _ACTIVE.search(body), "active content in the message frame"
    return html.unescape(_TAG.sub(" ", body))


def _expected_text(raw: bytes) -> str | None:
    """Return the shown body as the stdlib reads it (its declared charset), if it can."""
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    part = parsed.get_body(preferencelist=("html", "plain"))
    if part is None:
        return None
    try:
        content = part.get_content()
    except (LookupError, ValueError, KeyError):
        return None
    return html.unescape(_TAG.sub(" ", content)) if isinstance(content, str) else None


def _words(text: str) -> list[str]:
    return [word for word in text.split() if any(not ch.isascii() for ch in word)]


def _check_web(stack: Stack, full: dict[str, Any], raw: bytes) -> None:
    """Open the message in the web client as a user would; nothing may answer 5xx."""
    inbox = stack.web.get("/u/0/f/inbox")
    assert inbox.status_code == 200
    assert f"/u/0/t/{full['threadId']}" in inbox.get_data(as_text=True)
    page = stack.web.get(f"/u/0/t/{full['threadId']}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert f'id="m-{full["id"]}"' in text
    frame = stack.web.get(f"/u/0/m/{full['id']}/frame")
    assert frame.status_code == 200
    shown = _frame_text(frame.get_data(as_text=True))
    assert shown.strip(), "the frame is blank: neither text nor a notice saying why"
    attachments = stack.gmail.users().messages().attachments()
    for link in set(re.findall(rf'href="(/u/0/m/{full["id"]}/a/([^"?]+)[^"]*)"', text)):
        download = stack.web.get(html.unescape(link[0]))
        assert download.status_code == 200, link
        disposition = download.headers["Content-Disposition"]
        assert "\r" not in disposition and "\n" not in disposition
        fetched = attachments.get(userId="me", messageId=full["id"],
                                  id=html.unescape(link[1])).execute()
        assert download.get_data() == _decoded(fetched["data"])
    # The emulator, like Gmail, hands out text parts as UTF-8 but keeps each part's
    # headers as sent; read by the declared charset, "¡" in an ISO-8859-1 part (msg_10)
    # reached the reader as "Â¡".
    assert not _MOJIBAKE.search(shown), "mis-decoded text in the message frame"
    expected = _expected_text(raw)
    for word in _words(expected or ""):
        assert word in shown, "a non-ASCII word of the body is not shown as sent"


MESSAGE_CASES = [pytest.param(p, id=p.name) for p in MESSAGES if p.name not in NOT_MESSAGES]


@pytest.mark.parametrize("path", MESSAGE_CASES)
def test_a_public_corpus_message_reads_back_through_gmail_and_the_web_client(stack, path):
    raw = path.read_bytes()
    full = _check_api(stack, raw)
    _check_web(stack, full, raw)


@pytest.mark.parametrize("name", sorted(NOT_MESSAGES))
def test_a_corpus_body_without_headers_is_refused_as_gmail_refuses_it(stack, name):
    with pytest.raises(HttpError) as refused:
        _insert(stack, (CORPUS / name).read_bytes())
    assert refused.value.resp.status == 400


@pytest.mark.parametrize("path", BINARIES, ids=[p.name for p in BINARIES])
def test_a_corpus_image_or_sound_is_refused_raw_and_downloads_intact_as_an_attachment(
        stack, path):
    data = path.read_bytes()
    with pytest.raises(HttpError) as refused:
        _insert(stack, data)
    assert refused.value.resp.status == 400
    message = EmailMessage()
    message["From"] = "Python Test Data <data@example.org>"
    message["To"] = "user@qontak-test.test"
    message["Subject"] = f"corpus file {path.name}"
    message.set_content("The file is attached.")
    message.add_attachment(data, maintype="application", subtype="octet-stream",
                           filename=path.name)
    raw = message.as_bytes()
    full = _check_api(stack, raw)
    _check_web(stack, full, raw)
    page = stack.web.get(f"/u/0/t/{full['threadId']}").get_data(as_text=True)
    assert path.name in page


def test_the_corpus_holds_every_cpython_message():
    assert len(MESSAGES) == 48
    assert (CORPUS / "LICENSE").is_file() and (CORPUS / "README.md").is_file()


def _open(stack: Stack, name: str) -> tuple[dict[str, Any], str, str]:
    """Insert corpus file ``name``; return its full resource, conversation and frame HTML."""
    full = _check_api(stack, (CORPUS / name).read_bytes())
    page = stack.web.get(f"/u/0/t/{full['threadId']}").get_data(as_text=True)
    frame = stack.web.get(f"/u/0/m/{full['id']}/frame").get_data(as_text=True)
    return full, page, frame


def _attachment_links(page: str, message_id: str) -> list[str]:
    return re.findall(rf'href="/u/0/m/{message_id}/a/[^"]+"', page)


def test_inline_text_parts_with_a_file_name_are_listed_as_attachments(stack):
    full, page, frame = _open(stack, "msg_04.txt")
    assert len(_attachment_links(page, full["id"])) == 2
    assert page.count(">msg.txt</a>") >= 2
    assert str(NOTICE_ATTACHMENTS_ONLY) in html.unescape(frame)


def test_inline_parts_without_a_name_that_no_html_shows_are_listed_as_attachments(stack):
    full, page, _frame = _open(stack, "msg_39.txt")
    assert len(_attachment_links(page, full["id"])) == 2


def test_a_multipart_whose_boundary_never_occurs_shows_its_preview_marked_as_one(stack):
    _full, _page, frame = _open(stack, "msg_17.txt")
    shown = _frame_text(frame)
    assert str(NOTICE_PREVIEW_ONLY) in shown
    assert "This is the dingus fish." in shown


def test_a_message_with_an_empty_body_says_it_has_no_text(stack):
    _full, _page, frame = _open(stack, "msg_18.txt")
    assert str(NOTICE_NO_TEXT) in _frame_text(frame)


def test_the_no_text_notice_is_in_the_readers_language(stack):
    full = _check_api(stack, (CORPUS / "msg_18.txt").read_bytes())
    frame = stack.web.get(f"/u/0/m/{full['id']}/frame",
                          headers={"Accept-Language": "id-ID,id;q=0.9"})
    assert "Pesan ini tidak berisi teks." in _frame_text(frame.get_data(as_text=True))


@pytest.mark.parametrize("filename", [None, "logo.png"], ids=["unnamed", "named"])
def test_an_inline_image_the_html_shows_is_not_listed_again(stack, filename):
    message = EmailMessage()
    message["From"] = "Logo Sender <logo@example.org>"
    message["To"] = "user@qontak-test.test"
    message["Subject"] = "inline logo"
    message.set_content("plain")
    message.add_alternative('<p>Logo <img src="cid:logo@example.org"></p>', subtype="html")
    message.get_payload()[1].add_related(
        (CORPUS / "python.png").read_bytes(), maintype="image", subtype="png",
        cid="<logo@example.org>", filename=filename)
    full = _check_api(stack, message.as_bytes())
    page = stack.web.get(f"/u/0/t/{full['threadId']}").get_data(as_text=True)
    frame = stack.web.get(f"/u/0/m/{full['id']}/frame").get_data(as_text=True)
    assert "/u/0/inline/" in frame
    assert _attachment_links(page, full["id"]) == []
