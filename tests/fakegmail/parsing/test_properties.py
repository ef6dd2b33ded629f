"""Properties: the parser and the query compiler fail only with their own error types."""

from __future__ import annotations

import base64

from hypothesis import given, settings
from hypothesis import strategies as st

from fakegmail.mime import MimeError, parse_message
from fakegmail.search import QueryError, SearchDocument, compile_query

DOC = SearchDocument(headers={"from": "siti@example.com", "subject": "Rapat"},
                     body_text="Halo semua", labels=frozenset({"inbox"}),
                     filenames=("a.pdf",), has_attachment=True, internal_date=1.7e9, size=10)

_HEADER_LINES = st.sampled_from([
    b"From: a@example.com", b"Subject: =?utf-8?B?", b"Subject: =?x?Q?=ZZ?=",
    b'Content-Type: multipart/mixed; boundary="b"', b"Content-Type: multipart/alternative",
    b"Content-Type: message/rfc822", b"Content-Type: text/plain; charset=utf-16",
    b"Content-Type: text/html; charset=\"", b"Content-Transfer-Encoding: base64",
    b"Content-Transfer-Encoding: quoted-printable", b"Content-Disposition: attachment",
    b"Content-Disposition: inline; filename*=bogus''%ZZ", b"Content-ID: <x>",
    b"Date: Mon, 99 Jan 99999 99:99:99 +9999", b"To: ,,;:<>@", b" continuation",
])
_BODY_PIECES = st.sampled_from([
    b"--b", b"--b--", b"\r\n", b"\n", b"text", b"=C3=A9", b"=\r\n", b"SGVsbG8=", b"\xff\xfe",
    b"<p>x</p>", b"Content-Type: text/plain", b"From: inner@example.com", b"",
])


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_parse_message_raises_only_mime_error_on_arbitrary_bytes(data: bytes) -> None:
    try:
        parsed = parse_message(data)
    except MimeError:
        return
    assert parsed.size_estimate == len(data)
    assert isinstance(parsed.payload["partId"], str)


@settings(max_examples=300, deadline=None)
@given(st.lists(_HEADER_LINES, min_size=1, max_size=6),
       st.lists(_BODY_PIECES, max_size=30))
def test_parse_message_survives_mime_shaped_garbage(headers: list[bytes],
                                                    body: list[bytes]) -> None:
    data = b"\r\n".join(headers) + b"\r\n\r\n" + b"\r\n".join(body)
    try:
        parsed = parse_message(data)
    except MimeError:
        assert headers[0].startswith(b" ")
        return
    stack = [parsed.payload]
    while stack:
        part = stack.pop()
        assert {"partId", "mimeType", "filename", "headers", "body"} <= set(part)
        if "data" in part["body"]:
            assert len(base64.urlsafe_b64decode(part["body"]["data"])) == part["body"]["size"]
        stack.extend(part.get("parts", []))


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=120))
def test_compile_query_raises_only_query_error_on_arbitrary_text(q: str) -> None:
    try:
        query = compile_query(q, now=1.8e9)
    except QueryError:
        return
    assert isinstance(query.matches(DOC), bool)


_QUERY_PIECES = st.sampled_from([
    "(", ")", "{", "}", "-", "OR", "|", "AND", '"', "from:", "is:", "in:", "label:",
    "after:", "older_than:", "larger:", "has:", "filename:", "subject:", "rapat", "unread",
    "2024/01/01", "7d", "10M", "spam", "attachment", " ", "+", ":", "x:y",
])


@settings(max_examples=400, deadline=None)
@given(st.lists(_QUERY_PIECES, max_size=20))
def test_compile_query_survives_operator_soup(pieces: list[str]) -> None:
    try:
        query = compile_query("".join(pieces), now=1.8e9)
    except QueryError as error:
        assert str(error)
        return
    assert isinstance(query.matches(DOC), bool)
