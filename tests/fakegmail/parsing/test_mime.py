"""parse_message: Gmail's MessagePart tree and the fields search and threading rely on."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any

import googleapiclient
import pytest

from fakegmail.mime import MAX_DEPTH, MimeError, parse_message
from tests.fakegmail.parsing.factories import b64, decode_data, message, multipart, part, raw

ASSETS = Path(__file__).parent / "assets"
DISCOVERY = Path(googleapiclient.__file__).parent / "discovery_cache/documents/gmail.v1.json"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


def _schemas() -> dict[str, Any]:
    schemas: dict[str, Any] = json.loads(DISCOVERY.read_text())["schemas"]
    return schemas


def _parts(payload: dict[str, Any]) -> list[dict[str, Any]]:
    """Return every part of the tree in document order."""
    out, stack = [], [payload]
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(reversed(node.get("parts", [])))
    return out


def _by_id(payload: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["partId"]: p for p in _parts(payload)}


def _header(part_: dict[str, Any], name: str) -> str | None:
    return next((h["value"] for h in part_["headers"] if h["name"].lower() == name.lower()), None)


MIXED = message(multipart(
    "mixed", "outer",
    multipart("alternative", "inner",
              part('text/plain; charset="utf-8"', b"Halo Ayu,\r\n\r\nTagihan terlampir."),
              part('text/html; charset="utf-8"', b"<p>Halo Ayu,</p><p>Tagihan terlampir.</p>")),
    part('application/pdf; name="tagihan.pdf"', b64(b"%PDF-1.4 fake"),
         'Content-Disposition: attachment; filename="tagihan.pdf"', encoding="base64"),
))


# -- payload shape ------------------------------------------------------------------------


def test_plain_message_payload_is_one_leaf_with_decoded_data() -> None:
    parsed = parse_message(raw([("From", "a@example.com"), ("Subject", "Hi"),
                                ("Content-Type", "text/plain; charset=utf-8")], b"Hello there"))
    assert parsed.payload == {
        "partId": "",
        "mimeType": "text/plain",
        "filename": "",
        "headers": [
            {"name": "From", "value": "a@example.com"},
            {"name": "Subject", "value": "Hi"},
            {"name": "Content-Type", "value": "text/plain; charset=utf-8"},
        ],
        "body": {"size": 11, "data": base64.urlsafe_b64encode(b"Hello there").decode()},
    }


def test_nested_multipart_part_ids_and_container_bodies() -> None:
    payload = parse_message(MIXED).payload
    ids = [(p["partId"], p["mimeType"]) for p in _parts(payload)]
    assert ids == [("", "multipart/mixed"), ("0", "multipart/alternative"),
                   ("0.0", "text/plain"), ("0.1", "text/html"), ("1", "application/pdf")]
    assert payload["body"] == {"size": 0}
    assert _by_id(payload)["0"]["body"] == {"size": 0}
    assert "parts" not in _by_id(payload)["0.0"]


def test_payload_conforms_to_the_discovery_document_schema() -> None:
    schemas = _schemas()
    part_keys = set(schemas["MessagePart"]["properties"])
    body_keys = set(schemas["MessagePartBody"]["properties"])
    for message_part in _parts(parse_message(MIXED).payload):
        assert set(message_part) <= part_keys
        assert {"partId", "mimeType", "filename", "headers", "body"} <= set(message_part)
        assert set(message_part["body"]) <= body_keys
        assert isinstance(message_part["body"]["size"], int)
        assert all(set(h) == {"name", "value"} for h in message_part["headers"])
        if "data" in message_part["body"]:
            assert re.fullmatch(r"[A-Za-z0-9_-]*=*", message_part["body"]["data"])
            assert len(decode_data(message_part["body"])) == message_part["body"]["size"]


def test_attachment_part_carries_an_id_not_data_and_the_bytes_are_retrievable() -> None:
    parsed = parse_message(MIXED)
    pdf = _by_id(parsed.payload)["1"]
    assert pdf["filename"] == "tagihan.pdf"
    assert set(pdf["body"]) == {"size", "attachmentId"}
    assert pdf["body"]["size"] == len(b"%PDF-1.4 fake")
    attachment = parsed.attachments[pdf["body"]["attachmentId"]]
    assert (attachment.data, attachment.part_id, attachment.filename, attachment.mime_type) == (
        b"%PDF-1.4 fake", "1", "tagihan.pdf", "application/pdf")
    assert parsed.filenames == ("tagihan.pdf",)


def test_attachment_ids_are_deterministic_opaque_and_differ_between_messages() -> None:
    first = parse_message(MIXED).attachments
    again = parse_message(MIXED).attachments
    other = parse_message(MIXED.replace(b"Subject: Test", b"Subject: Other")).attachments
    assert list(first) == list(again)
    assert set(first).isdisjoint(other)
    (attachment_id,) = first
    assert re.fullmatch(r"[A-Za-z0-9_-]{60,}", attachment_id)
    assert "tagihan" not in attachment_id


def test_alternative_text_comes_from_plain_and_snippet_from_plain() -> None:
    parsed = parse_message(MIXED)
    assert parsed.text == "Halo Ayu,\r\n\r\nTagihan terlampir."
    assert parsed.snippet == "Halo Ayu, Tagihan terlampir."


def test_inline_image_with_content_id_counts_as_attachment() -> None:
    entity = multipart(
        "related", "rel",
        part('text/html; charset="utf-8"', b'<p>Logo:</p><img src="cid:logo@x">'),
        part("image/png", b64(PNG), "Content-ID: <logo@x>", "Content-Disposition: inline",
             encoding="base64"),
    )
    parsed = parse_message(message(entity))
    image = _by_id(parsed.payload)["1"]
    assert image["filename"] == ""
    assert "attachmentId" in image["body"] and "data" not in image["body"]
    assert parsed.attachments[image["body"]["attachmentId"]].data == PNG
    assert _header(image, "Content-ID") == "<logo@x>"
    assert parsed.filenames == ()


def test_part_with_only_a_name_parameter_is_an_attachment() -> None:
    entity = multipart("mixed", "m", part("text/plain", b"see file"),
                       part('text/csv; name="data.csv"', b"a,b\r\n1,2"))
    parsed = parse_message(message(entity))
    assert _by_id(parsed.payload)["1"]["filename"] == "data.csv"
    assert parsed.text == "see file"


@pytest.mark.parametrize(
    ("disposition", "expected"),
    [
        ("attachment; filename*=utf-8''Laporan%20Keuangan%20%E2%80%93%20Q3.pdf",
         "Laporan Keuangan – Q3.pdf"),
        ('attachment; filename="=?UTF-8?B?VGFnaWhhbiBKYW51YXJpLnBkZg==?="', "Tagihan Januari.pdf"),
        ('attachment; filename="plain.pdf"', "plain.pdf"),
    ],
    ids=["rfc2231", "encoded-word", "ascii"],
)
def test_attachment_filenames_are_decoded(disposition: str, expected: str) -> None:
    entity = multipart("mixed", "m", part("text/plain", b"x"),
                       part("application/pdf", b64(b"%PDF"), f"Content-Disposition: {disposition}",
                            encoding="base64"))
    parsed = parse_message(message(entity))
    assert parsed.filenames == (expected,)
    assert _by_id(parsed.payload)["1"]["filename"] == expected


def test_attached_message_is_nested_under_its_part() -> None:
    inner = raw([("From", "budi@example.com"), ("Subject", "Asli")], b"pesan asli")
    entity = multipart("mixed", "m", part("text/plain", b"diteruskan"),
                       part("message/rfc822", inner))
    parsed = parse_message(message(entity))
    nested = _by_id(parsed.payload)
    assert nested["1"]["mimeType"] == "message/rfc822"
    assert nested["1.0"]["mimeType"] == "text/plain"
    assert _header(nested["1.0"], "Subject") == "Asli"
    assert decode_data(nested["1.0"]["body"]) == b"pesan asli"


# -- encodings ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoded", "decoded"),
    [
        ("=?UTF-8?B?UmFwYXQgYW5nZ2FyYW4ga3VhcnRhbCDimJU=?=", "Rapat anggaran kuartal ☕"),
        ("=?utf-8?q?Tagihan_bulan_ini_=E2=80=94_Maret?=", "Tagihan bulan ini — Maret"),
        ("=?UTF-8?Q?Caf=C3=A9?= =?UTF-8?Q?_besok?=", "Café besok"),
        ("Re: =?iso-8859-1?q?J=F6rg?= says hi", "Re: Jörg says hi"),
        ("=?UTF-8?B?4pyT?= =?UTF-8?B?4pyT?=", "✓✓"),
        ("=?utf-8?b?8J+O?= =?utf-8?b?iQ==?=", "🎉"),  # one character split across two words
        ("=?x-unknown?q?caf=C3=A9?=", "café"),
        ("=?utf-8*id?q?Halo?=", "Halo"),
        ("=?UTF-8?B?not base64!?=", "=?UTF-8?B?not base64!?="),
    ],
    ids=["base64", "q", "adjacent", "latin1-mixed", "adjacent-b", "split-char", "unknown-charset",
         "rfc2231-language", "not-a-word"],
)
def test_encoded_word_subjects_are_decoded(encoded: str, decoded: str) -> None:
    parsed = parse_message(raw([("From", "a@example.com"), ("Subject", encoded)], b"x"))
    assert parsed.subject == decoded
    assert _header(parsed.payload, "Subject") == decoded


def test_folded_headers_are_unfolded() -> None:
    folded = b"Subject: a long\r\n  folded\r\n\tsubject"
    parsed = parse_message(raw([folded, b"From: a@example.com"]))
    assert parsed.subject == "a long  folded\tsubject"


def test_encoded_display_names_and_addresses() -> None:
    parsed = parse_message(raw([
        ("From", "=?UTF-8?Q?Zo=C3=AB_M=C3=BCller?= <Zoe.Mueller@Example.ORG>"),
        ("To", "Ayu <AYU@qontak-demo.test>, budi@example.com"),
        ("To", "team: siti@example.com, rizky@example.com;"),
        ("Cc", "dewi@example.com"),
        ("Bcc", "boss@example.com"),
    ], b"x"))
    assert parsed.from_address == "zoe.mueller@example.org"
    assert _header(parsed.payload, "From") == "Zoë Müller <Zoe.Mueller@Example.ORG>"
    assert parsed.to_addresses == ("ayu@qontak-demo.test", "budi@example.com",
                                   "siti@example.com", "rizky@example.com")
    assert parsed.cc_addresses == ("dewi@example.com",)
    assert parsed.bcc_addresses == ("boss@example.com",)


@pytest.mark.parametrize(
    ("header_line", "expected"),
    [
        ("Subject: Rapat anggaran ☕ besok".encode(), "Rapat anggaran ☕ besok"),
        ("Subject: Grüße".encode("latin-1"), "Grüße"),
    ],
    ids=["raw-utf8", "raw-latin1"],
)
def test_eight_bit_headers_are_decoded(header_line: bytes, expected: str) -> None:
    parsed = parse_message(raw([b"From: a@example.com", header_line], b"x"))
    assert parsed.subject == expected


@pytest.mark.parametrize(
    ("charset", "body", "text"),
    [
        ("windows-1252", "Grüße – bis bald".encode("cp1252"), "Grüße – bis bald"),
        ("iso-8859-1", "café".encode("latin-1"), "café"),
        ("utf-8", "café".encode("latin-1"), "café"),  # mislabelled: falls back to Latin-1
        ("us-ascii", "Rapat ☕".encode(), "Rapat ☕"),  # 8-bit UTF-8 labelled ASCII
        ("x-no-such-charset", "Rapat ☕".encode(), "Rapat ☕"),
        ("base64", b"abc", "abc"),  # a codec that is not a text encoding
        ("shift_jis", "会議".encode("shift_jis"), "会議"),
    ],
    ids=["cp1252", "latin1", "utf8-mislabelled", "ascii-mislabelled", "unknown", "non-text-codec",
         "shift-jis"],
)
def test_odd_charsets_decode_to_utf8_data(charset: str, body: bytes, text: str) -> None:
    parsed = parse_message(raw([("From", "a@example.com"),
                                ("Content-Type", f"text/plain; charset={charset}"),
                                ("Content-Transfer-Encoding", "8bit")], body))
    assert decode_data(parsed.payload["body"]).decode("utf-8") == text
    assert parsed.text == text


@pytest.mark.parametrize(
    ("encoding", "body", "decoded"),
    [
        ("quoted-printable", b"Caf=C3=A9 =\r\nbesok", "Café besok"),
        ("base64", b"SGFs\r\nbyBBeXU=", "Halo Ayu"),
        ("base64", b"SGFsbyBBeXU", "Halo Ayu"),  # missing padding
        ("base64", b"SGFs*!byBB\r\neXU=\r\n", "Halo Ayu"),  # junk characters
        ("7bit", b"Halo Ayu", "Halo Ayu"),
        ("x-made-up", b"Halo Ayu", "Halo Ayu"),
    ],
    ids=["qp", "base64", "base64-no-padding", "base64-junk", "7bit", "unknown-encoding"],
)
def test_transfer_encodings_are_undone(encoding: str, body: bytes, decoded: str) -> None:
    parsed = parse_message(raw([("From", "a@example.com"),
                                ("Content-Type", "text/plain; charset=utf-8"),
                                ("Content-Transfer-Encoding", encoding)], body))
    assert parsed.text == decoded


# -- broken and extreme structures ---------------------------------------------------------


def test_missing_close_delimiter_keeps_the_last_part() -> None:
    entity = multipart("mixed", "open", part("text/plain", b"satu"), part("text/plain", b"dua"),
                       close=False)
    parsed = parse_message(message(entity))
    assert [p["partId"] for p in parsed.payload["parts"]] == ["0", "1"]
    assert parsed.text == "satu\ndua\r\n"


def test_boundary_that_never_occurs_leaves_a_readable_leaf() -> None:
    parsed = parse_message(message(
        b'Content-Type: multipart/mixed; boundary="nowhere"\r\n\r\nJust text after all\r\n'))
    assert parsed.payload["mimeType"] == "multipart/mixed"
    assert "parts" not in parsed.payload
    assert "Just text after all" in parsed.text


def test_multipart_without_boundary_parameter_still_parses() -> None:
    parsed = parse_message(message(b"Content-Type: multipart/alternative\r\n\r\nisi pesan\r\n"))
    assert "isi pesan" in parsed.text


def test_preamble_and_epilogue_are_ignored() -> None:
    body = (b"This is a multi-part message in MIME format.\r\n--b\r\n"
            b"Content-Type: text/plain\r\n\r\nbody text\r\n--b--\r\nepilogue junk\r\n")
    parsed = parse_message(message(b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n' + body))
    assert len(parsed.payload["parts"]) == 1
    assert parsed.text == "body text"


def test_lf_only_line_endings_parse_like_crlf() -> None:
    parsed = parse_message(MIXED.replace(b"\r\n", b"\n"))
    assert [p["partId"] for p in _parts(parsed.payload)] == ["", "0", "0.0", "0.1", "1"]
    assert parsed.filenames == ("tagihan.pdf",)


def test_ten_thousand_parts_parse() -> None:
    children = [part("text/plain", f"bagian {i}".encode()) for i in range(10_000)]
    parsed = parse_message(message(multipart("mixed", "many", *children)))
    assert len(parsed.payload["parts"]) == 10_000
    assert parsed.payload["parts"][-1]["partId"] == "9999"
    assert decode_data(parsed.payload["parts"][9999]["body"]) == b"bagian 9999"


def test_deep_nesting_is_capped_without_recursion_errors() -> None:
    depth = 5_000
    opening = b"".join(
        f'Content-Type: multipart/mixed; boundary="b{i}"\r\n\r\n--b{i}\r\n'.encode()
        for i in range(depth))
    closing = b"".join(f"\r\n--b{i}--".encode() for i in reversed(range(depth)))
    parsed = parse_message(message(opening + b"Content-Type: text/plain\r\n\r\ninnermost"
                                   + closing))
    deepest = max(_parts(parsed.payload), key=lambda p: p["partId"].count("."))
    assert deepest["partId"].count(".") == MAX_DEPTH - 1
    assert "innermost" in parsed.text


def test_headers_only_message_has_an_empty_body() -> None:
    parsed = parse_message(b"From: a@example.com\r\nSubject: kosong\r\n")
    assert parsed.payload["body"] == {"size": 0}
    assert parsed.subject == "kosong"
    assert parsed.text == ""


def test_mbox_from_line_is_skipped() -> None:
    parsed = parse_message(b"From someone Mon Jan 1 00:00:00 2024\nFrom: a@example.com\n\nhi")
    assert parsed.from_address == "a@example.com"


@pytest.mark.parametrize(
    "data",
    [b"", b"\x00\x01\x02\xff\xfe binary", b"no headers here\r\n\r\nbody", b"\r\n\r\nbody only",
     b": no name\r\n\r\n"],
    ids=["empty", "binary", "prose", "blank-first", "empty-name"],
)
def test_non_messages_raise_mime_error(data: bytes) -> None:
    with pytest.raises(MimeError, match="not an email message"):
        parse_message(data)


def test_str_input_is_rejected_with_advice() -> None:
    with pytest.raises(MimeError, match="as bytes"):
        parse_message("From: a@example.com\r\n\r\nx")  # type: ignore[arg-type]


# -- derived fields -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        ("Mon, 01 Jan 2024 10:00:00 +0700", 1704078000.0),
        ("1 Jan 2024 03:00:00 GMT", 1704078000.0),
        ("Mon, 01 Jan 2024 03:00:00 -0000", 1704078000.0),
        ("Mon, 01 Jan 2024 03:00:00", 1704078000.0),
        ("yesterday-ish", None),
        ("Mon, 99 Foo 2024 99:99:99 +0700", None),
    ],
)
def test_date_header_to_epoch_seconds(date: str, expected: float | None) -> None:
    parsed = parse_message(raw([("From", "a@example.com"), ("Date", date)], b"x"))
    assert parsed.date == expected


def test_missing_date_is_none() -> None:
    assert parse_message(raw([("From", "a@example.com")], b"x")).date is None


def test_threading_headers() -> None:
    parsed = parse_message(raw([
        ("From", "a@example.com"), ("Message-ID", " <m3@example.com> "),
        ("In-Reply-To", "<m2@example.com> (Siti's message)"),
        ("References", "<m1@example.com>\r\n <m2@example.com>"),
    ], b"x"))
    assert parsed.message_id == "<m3@example.com>"
    assert parsed.in_reply_to == "<m2@example.com>"
    assert parsed.references == ("<m1@example.com>", "<m2@example.com>")
    bare = parse_message(raw([("From", "a@example.com")], b"x"))
    assert (bare.message_id, bare.in_reply_to, bare.references) == (None, None, ())


def test_html_only_snippet_strips_markup_scripts_and_entities() -> None:
    html = (b"<html><head><style>p{color:red}</style><title>T</title></head><body>"
            b"<script>alert('x')</script><p>Tanda&nbsp;terima &amp; struk</p><br>"
            b"<p>Total: Rp&#160;50.000</p><!-- hidden --></body></html>")
    parsed = parse_message(raw([("From", "a@example.com"),
                                ("Content-Type", "text/html; charset=utf-8")], html))
    assert parsed.snippet == "Tanda terima &amp; struk Total: Rp 50.000"
    assert "alert" not in parsed.text and "color" not in parsed.text
    assert decode_data(parsed.payload["body"]) == html


def test_the_snippet_is_html_escaped_as_gmail_hands_it_out() -> None:
    text = b"I'm at <Kantor> & \"Rapat\" 5 > 3"
    parsed = parse_message(raw([("From", "a@example.com")], text))
    assert parsed.snippet == "I&#39;m at &lt;Kantor&gt; &amp; &quot;Rapat&quot; 5 &gt; 3"


def test_snippet_collapses_whitespace_and_is_at_most_200_characters() -> None:
    parsed = parse_message(raw([("From", "a@example.com")], b"kata   \r\n\r\n  " * 200))
    assert parsed.snippet.startswith("kata kata kata")
    assert len(parsed.snippet) <= 200
    assert "  " not in parsed.snippet


def test_size_estimate_and_header_lookup() -> None:
    parsed = parse_message(MIXED)
    assert parsed.size_estimate == len(MIXED)
    assert parsed.header("subject") == "Test"
    assert parsed.header("X-Missing") is None
    assert parsed.headers[0] == ("From", "Siti Rahayu <siti@example.com>")


@pytest.mark.parametrize("asset", sorted(p.name for p in ASSETS.glob("*.eml")))
def test_recorded_scenarios_parse(asset: str) -> None:
    expectations = json.loads((ASSETS / "expectations.json").read_text())[asset]
    parsed = parse_message((ASSETS / asset).read_bytes())
    assert parsed.subject == expectations["subject"]
    assert [p["mimeType"] for p in _parts(parsed.payload)] == expectations["mime_types"]
    assert parsed.filenames == tuple(expectations["filenames"])
    assert expectations["text_contains"] in parsed.text


def test_boundary_that_prefixes_the_inner_boundary_is_not_confused() -> None:
    inner = multipart("alternative", "abc-inner", part("text/plain", b"dalam"),
                      part("text/html", b"<p>dalam</p>"))
    parsed = parse_message(message(multipart("mixed", "abc", inner, part("text/plain", b"luar"))))
    assert [p["partId"] for p in _parts(parsed.payload)] == ["", "0", "0.0", "0.1", "1"]
    assert parsed.text == "dalam\nluar"


def test_delimiters_with_trailing_whitespace_are_recognised() -> None:
    body = b"--b  \r\nContent-Type: text/plain\r\n\r\nsatu\r\n--b--\t\r\n"
    parsed = parse_message(message(b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n' + body))
    assert [p["partId"] for p in parsed.payload["parts"]] == ["0"]
    assert parsed.text == "satu"


def test_typical_ten_kilobyte_message_parses_with_its_attachment() -> None:

    text = ("Halo semua, berikut ringkasan rapat anggaran kuartal. " * 90).encode()
    entity = multipart("mixed", "m",
                       multipart("alternative", "a", part("text/plain; charset=utf-8", text),
                                 part("text/html; charset=utf-8", b"<p>" + text + b"</p>")),
                       part('application/pdf; name="a.pdf"', b64(b"%PDF" * 300),
                            encoding="base64"))
    data = message(entity)
    assert 10_000 < len(data) < 20_000
    # Parse speed is measured in bench/, not asserted here: the message parses whole.
    parsed = parse_message(data)
    assert [a.filename for a in parsed.attachments.values()] == ["a.pdf"]
