"""Hostile compose and send input: every case is refused clearly or made safe, never half-sent.

Each case goes through the web client's compose route (a signed-in user, a real CSRF
token, multipart uploads) and the guard's ``mail.send`` underneath it, against the
emulator. After each case the emulator's Sent folder and its ``messages.send`` call count
show whether anything left, and what left is parsed back to prove no header was added.
"""

from __future__ import annotations

import email
import email.policy
import io
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests

from guard.errors import InvalidMessage
from guard.mail_values import OutgoingAttachment, OutgoingMessage
from guard.policy import Actor, ActorKind
from tests.webclient.conftest import post

SEND_METHOD = "gmail.users.messages.send"
#: headers the compose page may put on a new message; anything else was injected
ALLOWED_HEADERS = {"from", "to", "cc", "bcc", "subject", "date", "message-id", "mime-version",
                   "content-type", "content-transfer-encoding", "in-reply-to", "references"}
BREAK_NAMES = {"crlf": "\r\n", "lf": "\n", "cr": "\r", "next-line": "\x85",
               "line-separator": "\u2028", "paragraph-separator": "\u2029"}
LINE_BREAKS = tuple(BREAK_NAMES.values())
BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")


@dataclass(frozen=True, slots=True)
class Case:
    """One hostile compose submission and what the user must be told if it is refused."""

    form: dict[str, str]
    files: tuple[tuple[bytes, str, str], ...] = ()
    refusal: str | None = None
    expect: dict[str, Any] = field(default_factory=dict)


def sends(emulator: Any) -> int:
    """Return how many messages.send calls the emulator has answered or refused."""
    stats = requests.get(emulator.url + "_emulator/stats", timeout=10).json()
    return int(stats["methods"].get(SEND_METHOD, {}).get("calls", 0))


def sent_raw(mailbox: Any) -> list[bytes]:
    return [m.raw for m in mailbox.state.list_messages(label_ids=["SENT"])]


def submit(client: Any, case: Case) -> Any:
    data: dict[str, Any] = {"action": "send", "to": "a@example.org", "subject": "Hostile case",
                            "body": "Hello.",
                            **case.form}
    if case.files:
        data["attachments"] = [(io.BytesIO(body), name, mime) for body, name, mime in case.files]
        return post(client, "/u/0/compose", data, content_type="multipart/form-data")
    return post(client, "/u/0/compose", data)


def injected(name: str) -> str:
    return f"{name}Bcc: victim@evil.test"


# -- refused with a clear message ---------------------------------------------------------

BAD_ADDRESS = "these are not email addresses"
CANNOT_SEND = "cannot be sent as written"

REFUSED = {
    # header injection: CR/LF and the other line separators in every single-line field
    **{f"subject-{name}": Case({"subject": "Hi" + br + "Bcc: victim@evil.test"},
                               refusal=CANNOT_SEND) for name, br in BREAK_NAMES.items()},
    "subject-nul": Case({"subject": "Hi\x00there"}, refusal=CANNOT_SEND),
    "subject-escape": Case({"subject": "Hi\x1b[31mred"}, refusal=CANNOT_SEND),
    "in-reply-to-crlf": Case({"to": "a@example.org",
                              "in_reply_to": "<x@example.org>\r\nBcc: victim@evil.test"},
                             refusal=CANNOT_SEND),
    "in-reply-to-line-separator": Case({"to": "a@example.org",
                                        "in_reply_to": "<x@example.org>\u2028X-Evil: 1"},
                                       refusal=CANNOT_SEND),
    "display-name-nul": Case({"to": "Ann\x00 <a@example.org>"}, refusal=CANNOT_SEND),
    # addresses that are not addresses
    "no-at": Case({"to": "not an address"}, refusal=BAD_ADDRESS),
    "two-ats": Case({"to": "a@b@example.org"}, refusal=BAD_ADDRESS),
    "no-domain-dot": Case({"to": "a@localhost"}, refusal=BAD_ADDRESS),
    "empty-local": Case({"to": "@example.org"}, refusal=BAD_ADDRESS),
    "space-inside": Case({"to": "a b@example.org"}, refusal=BAD_ADDRESS),
    "cc-garbage": Case({"to": "a@example.org", "cc": "<<>>"}, refusal=BAD_ADDRESS),
    "bcc-garbage": Case({"to": "a@example.org", "bcc": "x@"}, refusal=BAD_ADDRESS),
    "no-recipient": Case({"to": "", "cc": " ", "bcc": ""},
                         refusal="Add at least one recipient."),
    # oversized: over the 25 MB the page promises, under the request limit
    "attachments-over-25mb": Case({"to": "a@example.org"},
                                  files=((b"\0" * (13 * 1024 * 1024), "a.bin",
                                          "application/octet-stream"),
                                         (b"\0" * (13 * 1024 * 1024), "b.bin",
                                          "application/octet-stream")),
                                  refusal="Attachments may total at most 25 MB"),
    "filename-c1-control": Case({"to": "a@example.org"},
                                files=((b"x", "report\x85.pdf", "application/pdf"),),
                                refusal=CANNOT_SEND),
    "filename-nul": Case({"to": "a@example.org"},
                         files=((b"x", "a\x00.exe", "text/plain"),), refusal=CANNOT_SEND),
}


@pytest.mark.parametrize("case", REFUSED.values(), ids=REFUSED.keys())
def test_hostile_input_is_refused_with_a_clear_message_and_nothing_is_sent(
        signed_in, mailbox, web_emulator, case):
    before_sent, before_calls = len(sent_raw(mailbox)), sends(web_emulator)
    answer = submit(signed_in, case)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400, page[:300]
    assert case.refusal in page
    assert "victim@evil.test" not in page.split("<form", 1)[0]
    assert len(sent_raw(mailbox)) == before_sent
    assert sends(web_emulator) == before_calls


def test_a_request_over_the_upload_limit_gets_the_too_large_page(signed_in, mailbox,
                                                                 web_emulator):
    before_calls = sends(web_emulator)
    answer = submit(signed_in, Case({"to": "a@example.org"}, files=(
        (b"\0" * (37 * 1024 * 1024), "huge.bin", "application/octet-stream"),)))
    assert answer.status_code == 413
    assert "Attachments may total at most 25 MB" in answer.get_data(as_text=True)
    assert sends(web_emulator) == before_calls


# -- made safe: sent, and what left carries no injected header ------------------------------

SAFE = {
    "references-crlf-become-separate-tokens": Case(
        {"to": "a@example.org", "references": "<x@example.org>\rBcc: victim@evil.test"}),
    "display-name-cr": Case({"to": "Ann\rBcc: victim@evil.test <a@example.org>"}),
    "windows-path-filename-reduced-to-its-base-name": Case(
        {"to": "a@example.org"}, files=((b"x", "..\\..\\Windows\\win.ini", "text/plain"),),
        expect={"safe_files": True}),
    "newline-in-to-splits-recipients": Case(
        {"to": "a@example.org\r\nBcc: victim@evil.test"}),
    "encoded-word-display-name": Case(
        {"to": "=?utf-8?q?Bcc=3A_victim=40evil.test?= <a@example.org>"}),
    "rtl-override-display-name": Case({"to": "Ann\u202egnp.exe <a@example.org>"}),
    "group-syntax": Case({"to": "undisclosed: a@example.org, b@example.org;"}),
    "forged-from": Case({"to": "a@example.org", "from": "ceo@qontak.com"},
                        expect={"from_is_mailbox": True}),
    "unicode-subject": Case({"to": "a@example.org", "subject": "Penawaran — harga ✓ ملف"},
                            expect={"subject": "Penawaran — harga ✓ ملف"}),
    "very-long-subject": Case({"to": "a@example.org", "subject": "x" * 5000},
                              expect={"subject": "x" * 5000}),
    "html-declared-as-text": Case({"to": "a@example.org"},
                                  files=((b"<script>alert(1)</script>", "a.txt",
                                          "text/plain"),), expect={"files": ["a.txt"]}),
}


def _check_sent(raw: bytes, mailbox: Any, case: Case) -> Any:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert not message.defects, message.defects
    names = {key.lower() for key in message.keys()}
    assert names <= ALLOWED_HEADERS, names - ALLOWED_HEADERS
    assert "bcc" not in names
    for key, value in message.items():
        assert not any(br in str(value) for br in LINE_BREAKS), key
    for part in message.walk():
        assert not part.defects, part.defects
    recipients = [a.addr_spec for a in message["To"].addresses]
    assert all(r.count("@") == 1 for r in recipients)
    if "to" in case.expect:
        assert recipients == case.expect["to"]
    if "subject" in case.expect:
        assert message["Subject"] == case.expect["subject"]
    if case.expect.get("from_is_mailbox"):
        assert message["From"].addresses[0].addr_spec == mailbox.email
    if case.expect.get("safe_files"):
        assert all(_safe_name(p.get_filename() or "") for p in message.iter_attachments())
    if "files" in case.expect:
        assert [p.get_filename() for p in message.iter_attachments()] == case.expect["files"]
    return message


@pytest.mark.parametrize("case", SAFE.values(), ids=SAFE.keys())
def test_hostile_input_is_made_safe_and_sent_whole_once(signed_in, mailbox, web_emulator,
                                                        case):
    before_sent, before_calls = len(sent_raw(mailbox)), sends(web_emulator)
    answer = submit(signed_in, case)
    assert answer.status_code == 302, answer.get_data(as_text=True)[:500]
    assert sends(web_emulator) == before_calls + 1
    sent = sent_raw(mailbox)
    assert len(sent) == before_sent + 1
    _check_sent(sent[0], mailbox, case)


# -- findings: internationalised addresses and dangerous file names ------------------------

def test_idn_domain_is_sent_as_punycode_not_an_encoded_word(signed_in, mailbox, web_emulator):
    answer = submit(signed_in, Case({"to": "Budi <budi@bücher.example>"}))
    assert answer.status_code == 302
    raw = sent_raw(mailbox)[0]
    assert b"=?utf-8?q?b=C3=BCcher?=" not in raw
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert message["To"].addresses[0].domain == "xn--bcher-kva.example"


def test_utf8_local_part_is_refused_or_sent_intact(signed_in, mailbox, web_emulator):
    before_sent = len(sent_raw(mailbox))
    answer = submit(signed_in, Case({"to": "ñoño@example.org"}))
    if answer.status_code == 400:
        assert "ñoño@example.org" in answer.get_data(as_text=True)
        assert len(sent_raw(mailbox)) == before_sent
        return
    raw = sent_raw(mailbox)[0]
    assert "ñoño@example.org".encode() in raw and b"=?utf-8?b?w7Fvw7Fv?=@" not in raw


def test_quoted_display_name_with_a_comma_is_one_recipient(signed_in, mailbox, web_emulator):
    answer = submit(signed_in, Case({"to": '"Doe, John" <a@example.org>'}))
    assert answer.status_code == 302, answer.get_data(as_text=True)[:300]
    message = email.message_from_bytes(sent_raw(mailbox)[0], policy=email.policy.default)
    assert [a.addr_spec for a in message["To"].addresses] == ["a@example.org"]
    assert message["To"].addresses[0].display_name == "Doe, John"


@pytest.mark.parametrize("declared", ["multipart/mixed", "multipart/alternative",
                                      "message/rfc822"])
def test_attachment_declared_as_a_container_type_does_not_break_the_message(
        signed_in, mailbox, web_emulator, declared):
    answer = submit(signed_in, Case({"to": "a@example.org"}, files=(
        (b"--x\r\nContent-Type: text/html\r\n\r\n<b>x</b>\r\n--x--\r\n", "a.eml",
         declared + "; boundary=x"),)))
    assert answer.status_code in (302, 400)
    if answer.status_code == 302:
        _check_sent(sent_raw(mailbox)[0], mailbox, Case({}))


def test_an_upload_with_a_malformed_content_type_is_explained(signed_in, mailbox,
                                                              web_emulator):
    before_sent = len(sent_raw(mailbox))
    answer = submit(signed_in, Case({"to": "a@example.org"},
                                    files=((b"x", "a.dat", "garbage"),)))
    if answer.status_code == 302:
        message = email.message_from_bytes(sent_raw(mailbox)[0], policy=email.policy.default)
        assert [p.get_content_type() for p in message.iter_attachments()] == [
            "application/octet-stream"]
        return
    page = answer.get_data(as_text=True)
    assert "a.dat" in page and "type" in page.lower()
    assert len(sent_raw(mailbox)) == before_sent


DANGEROUS_NAMES = {
    "path-traversal": "../../../etc/passwd",
    "absolute-path": "/etc/shadow",
    "rtl-override": "invoice\u202efdp.exe",
    "very-long-name": "a" * 1000 + ".pdf",
}


def _safe_name(name: str) -> bool:
    return (bool(name) and "/" not in name and "\\" not in name and name not in (".", "..")
            and not BIDI_CONTROLS & set(name) and len(name) <= 255
            and all(ord(c) >= 32 and not 127 <= ord(c) < 160 for c in name))


@pytest.mark.parametrize("name", DANGEROUS_NAMES.values(), ids=DANGEROUS_NAMES.keys())
def test_dangerous_attachment_names_are_refused_or_made_safe(signed_in, mailbox, web_emulator,
                                                             name):
    before_sent = len(sent_raw(mailbox))
    answer = submit(signed_in, Case({"to": "a@example.org"},
                                    files=((b"x", name, "application/pdf"),)))
    if answer.status_code == 400:
        assert CANNOT_SEND in answer.get_data(as_text=True)
        assert len(sent_raw(mailbox)) == before_sent
        return
    assert answer.status_code == 302
    message = email.message_from_bytes(sent_raw(mailbox)[0], policy=email.policy.default)
    names = [p.get_filename() or "" for p in message.iter_attachments()]
    assert len(names) == 1 and _safe_name(names[0]), names


def test_a_unicode_line_separator_in_the_subject_is_refused_not_a_server_error(
        signed_in, mailbox, web_emulator):
    before_calls = sends(web_emulator)
    answer = submit(signed_in, Case({"subject": "Hi\u2028Bcc: victim@evil.test"}))
    assert answer.status_code == 400
    assert CANNOT_SEND in answer.get_data(as_text=True)
    assert sends(web_emulator) == before_calls


# -- the guard itself, without the web client's checks in front ------------------------------

GUARD_REFUSED = {
    "to-crlf": OutgoingMessage(from_="{me}", to=("a@example.org\r\nBcc: victim@evil.test",)),
    "from-crlf": OutgoingMessage(from_="{me}\r\nBcc: victim@evil.test", to=("a@example.org",)),
    "attachment-name-crlf": OutgoingMessage(from_="{me}", to=("a@example.org",), attachments=(
        OutgoingAttachment(filename="a.txt\r\nContent-Type: text/html", mime_type="text/plain",
                           data=b"x"),)),
    "attachment-type-crlf": OutgoingMessage(from_="{me}", to=("a@example.org",), attachments=(
        OutgoingAttachment(filename="a.txt", mime_type="text/plain\r\nX-Evil: 1", data=b"x"),)),
    "name-lf": OutgoingMessage(from_="{me}", to=("Ann\nBcc: victim@evil.test <a@example.org>",)),
    "subject-lf": OutgoingMessage(from_="{me}", to=("a@example.org",), subject="a\nBcc: v@e.t"),
    "subject-line-separator": OutgoingMessage(from_="{me}", to=("a@example.org",),
                                              subject="a\u2028Bcc: victim@evil.test"),
    "subject-next-line": OutgoingMessage(from_="{me}", to=("a@example.org",),
                                         subject="a\x85Bcc: victim@evil.test"),
    "no-recipient": OutgoingMessage(from_="{me}"),
    "attachment-no-name": OutgoingMessage(from_="{me}", to=("a@example.org",), attachments=(
        OutgoingAttachment(filename=" ", mime_type="text/plain", data=b"x"),)),
    "attachment-type-garbage": OutgoingMessage(from_="{me}", to=("a@example.org",),
                                               attachments=(OutgoingAttachment(
                                                   filename="a", mime_type="garbage",
                                                   data=b"x"),)),
    "attachment-type-params": OutgoingMessage(from_="{me}", to=("a@example.org",),
                                              attachments=(OutgoingAttachment(
                                                  filename="a", mime_type="text/html; x=y",
                                                  data=b"x"),)),
    "over-gmail-limit": OutgoingMessage(from_="{me}", to=("a@example.org",), attachments=(
        OutgoingAttachment(filename="big.bin", mime_type="application/octet-stream",
                           data=b"\0" * 27_600_000),)),
}


@pytest.mark.parametrize("outgoing", GUARD_REFUSED.values(), ids=GUARD_REFUSED.keys())
def test_guard_send_refuses_unsafe_messages_before_any_gmail_call(signed_in, app, mailbox,
                                                                  web_emulator, outgoing):
    guard = app.extensions["mailguard.guard"]
    from dataclasses import replace
    message = replace(outgoing, from_=outgoing.from_.replace("{me}", mailbox.email))
    before_sent, before_calls = len(sent_raw(mailbox)), sends(web_emulator)
    with pytest.raises(InvalidMessage) as refused:
        guard.mail.send(actor=Actor(kind=ActorKind.USER, id=mailbox.email),
                        mailbox=mailbox.email, purpose="email.send", outgoing=message)
    text = str(refused.value)
    assert text and "victim@evil.test" not in text and mailbox.email not in text
    assert len(sent_raw(mailbox)) == before_sent
    assert sends(web_emulator) == before_calls
