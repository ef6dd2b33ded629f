"""The text of a message is chosen from its own structure, as Gmail and Thunderbird do.

An attached message (message/rfc822) never stands in for the sender's own text; plain
and HTML parts of a mixed message are all shown, in order; a related part shows its root.
"""

from __future__ import annotations

import base64
from datetime import datetime, timedelta, timezone
from typing import Any

from guard.mail_parsing import message
from guard.mail_values import ForwardedHeaders


def _leaf(mime: str, text: str, **headers: str) -> dict[str, Any]:
    data = base64.urlsafe_b64encode(text.encode("utf-8")).decode("ascii")
    return {"mimeType": mime, "filename": "", "body": {"size": len(text), "data": data},
            "headers": [{"name": "Content-Type", "value": f"{mime}; charset=utf-8"},
                        *({"name": k.replace("_", "-"), "value": v}
                          for k, v in headers.items())]}


def _multi(mime: str, *parts: dict[str, Any], params: str = "") -> dict[str, Any]:
    return {"mimeType": mime, "filename": "", "body": {"size": 0}, "parts": list(parts),
            "headers": [{"name": "Content-Type", "value": f"{mime}; boundary=b{params}"}]}


def _attached_message(inner: dict[str, Any], **headers: str) -> dict[str, Any]:
    inner = {**inner, "headers": [*inner["headers"],
                                  *({"name": k, "value": v} for k, v in headers.items())]}
    return {"mimeType": "message/rfc822", "filename": "", "body": {"size": 0},
            "parts": [inner],
            "headers": [{"name": "Content-Type", "value": "message/rfc822"}]}


def _read(payload: dict[str, Any]) -> Any:
    return message({"id": "m1", "threadId": "t1", "payload": payload, "snippet": ""})


def test_an_attached_messages_html_does_not_replace_the_senders_plain_text():
    read = _read(_multi("multipart/mixed", _leaf("text/plain", "See the attached message."),
                        _attached_message(_leaf("text/html", "<p>Inner</p>"),
                                          From="Ann <ann@example.org>", Subject="Old news")))
    assert read.html_body is not None
    own, inner = read.html_body.find("See the attached"), read.html_body.find("<p>Inner</p>")
    assert 0 <= own < read.html_body.find("<blockquote>") < inner
    assert read.text_body is not None and read.text_body.startswith("See the attached")
    mine, begins, theirs = read.sections
    assert (mine.depth, mine.forwarded, mine.text) == (0, None, "See the attached message.")
    assert begins.depth == 0 and begins.text is None and begins.html is None
    assert begins.forwarded == ForwardedHeaders(from_="Ann <ann@example.org>",
                                                subject="Old news")
    assert (theirs.depth, theirs.html) == (1, "<p>Inner</p>")


def test_an_attached_messages_headers_are_values_not_english_labels():
    read = _read(_multi("multipart/mixed", _leaf("text/plain", "Mine."), _attached_message(
        _leaf("text/plain", "Inner."), From="=?utf-8?q?Sari_W=C3=A1h?= <sari@example.org>",
        To="Budi <budi@example.org>", Subject="=?utf-8?q?Laporan_=C3=A9?=",
        Date="Tue, 4 Mar 2025 10:00:00 +0700")))
    forwarded = read.sections[1].forwarded
    assert forwarded is not None
    assert forwarded.from_ == "Sari Wáh <sari@example.org>"
    assert forwarded.to == ("Budi <budi@example.org>",)
    assert forwarded.subject == "Laporan é"
    assert forwarded.date == datetime(2025, 3, 4, 10, tzinfo=timezone(timedelta(hours=7)))
    assert forwarded.date_written == "Tue, 4 Mar 2025 10:00:00 +0700"
    for rendition in (read.text_body or "", read.html_body or ""):
        assert "From:" not in rendition and "Subject:" not in rendition


def test_an_attached_message_alone_is_shown_under_its_headers_not_as_the_senders_text():
    read = _read(_multi("multipart/mixed", _attached_message(
        _leaf("text/plain", "Inner text."), From="ann@example.org", Subject="Fwd")))
    assert read.html_body is None
    assert read.text_body == "----------\n\nInner text."
    assert read.sections[0].forwarded == ForwardedHeaders(from_="ann@example.org",
                                                          subject="Fwd")


def test_plain_and_html_side_by_side_in_a_mixed_message_are_both_shown_in_order():
    read = _read(_multi("multipart/mixed", _leaf("text/plain", "First <plain>\nline two"),
                        _leaf("text/html", "<p>Second, rich</p>"),
                        _leaf("text/plain", "Third, plain")))
    assert read.html_body == ("<div>First &lt;plain&gt;<br>\nline two</div>\n<hr>\n"
                              "<p>Second, rich</p>\n<hr>\n<div>Third, plain</div>")
    assert read.text_body == "First <plain>\nline two\n\nThird, plain"


def test_an_alternative_shows_its_html_even_when_the_html_comes_first():
    read = _read(_multi("multipart/alternative", _leaf("text/html", "<p>Rich</p>"),
                        _leaf("text/plain", "Plain")))
    assert read.html_body == "<p>Rich</p>"
    assert read.text_body == "Plain"


def test_a_related_part_shows_the_root_its_start_parameter_names():
    read = _read(_multi("multipart/related",
                        _leaf("text/html", "<p>Not the root</p>", Content_ID="<other@x>"),
                        _leaf("text/html", "<p>Root</p>", Content_ID="<root@x>"),
                        params='; start="<root@x>"'))
    assert read.html_body == "<p>Root</p>"


def test_a_related_part_without_start_shows_its_first_part():
    read = _read(_multi("multipart/related", _leaf("text/html", "<p>Root</p>"),
                        _leaf("text/html", "<p>Not shown</p>")))
    assert read.html_body == "<p>Root</p>"


def test_files_inside_an_attached_message_are_still_listed():
    inner = _multi("multipart/mixed", _leaf("text/plain", "Inner."),
                   {"mimeType": "application/pdf", "filename": "faktur.pdf", "partId": "1.0.1",
                    "body": {"size": 4, "attachmentId": "A1"}, "headers": []})
    read = _read(_multi("multipart/mixed", _leaf("text/plain", "Mine."),
                        _attached_message(inner, From="ann@example.org")))
    assert [a.filename for a in read.attachments] == ["faktur.pdf"]
    assert read.text_body is not None and read.text_body.startswith("Mine.")
