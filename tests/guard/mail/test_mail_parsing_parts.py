"""Which parts of a Gmail ``format=full`` message the conversation view shows as its text."""

from __future__ import annotations

import base64
from typing import Any

from guard.mail_parsing import message


def _leaf(mime: str, text: str, charset: str = "utf-8") -> dict[str, Any]:
    data = base64.urlsafe_b64encode(text.encode("utf-8")).decode("ascii")
    return {"mimeType": mime, "filename": "", "body": {"size": len(text), "data": data},
            "headers": [{"name": "Content-Type", "value": f"{mime}; charset={charset}"}]}


def _multi(mime: str, *parts: dict[str, Any]) -> dict[str, Any]:
    return {"mimeType": mime, "filename": "", "body": {"size": 0}, "parts": list(parts),
            "headers": [{"name": "Content-Type", "value": f"{mime}; boundary=b"}]}


def _read(payload: dict[str, Any]) -> Any:
    return message({"id": "m1", "threadId": "t1", "payload": payload, "snippet": ""})


def test_every_text_part_of_a_mixed_message_is_shown_in_order():
    read = _read(_multi("multipart/mixed", _leaf("text/plain", "First part."),
                        _leaf("text/plain", "Second part.")))
    assert read.text_body == "First part.\n\nSecond part."


def test_a_mailing_list_footer_after_an_alternative_is_kept_with_the_text():
    read = _read(_multi("multipart/mixed",
                        _multi("multipart/alternative", _leaf("text/plain", "Hello."),
                               _leaf("text/html", "<p>Hello.</p>")),
                        _leaf("text/plain", "-- list footer")))
    assert read.text_body == "Hello.\n\n-- list footer"
    # the HTML rendition, which the conversation shows, keeps the footer too
    assert read.html_body == "<p>Hello.</p>\n<hr>\n<div>-- list footer</div>"


def test_alternatives_of_the_same_type_are_not_shown_twice():
    # RFC 2046: the last alternative is the one closest to what the sender wrote
    read = _read(_multi("multipart/alternative", _leaf("text/plain", "Plain."),
                        _leaf("text/plain", "Plain again."), _leaf("text/html", "<p>Rich</p>")))
    assert read.text_body == "Plain again."
    assert read.html_body == "<p>Rich</p>"


def test_html_fragments_around_an_image_are_shown_one_after_the_other():
    read = _read(_multi("multipart/mixed", _leaf("text/html", "<p>Before</p>"),
                        _leaf("text/html", "<p>After</p>")))
    assert read.html_body == "<p>Before</p>\n<hr>\n<p>After</p>"


def test_gmails_utf8_data_is_read_as_utf8_whatever_charset_the_part_declares():
    read = _read(_leaf("text/plain", "¡Hola, señor!", charset="iso-8859-1"))
    assert read.text_body == "¡Hola, señor!"


def test_an_encoded_word_with_a_non_ascii_charset_name_is_shown_as_it_came():
    # found by the MIME fuzz run: make_header raised CharsetError, which nothing caught
    from guard.mail_parsing import decode_header

    value = "=?\x80--utf-8?q?=?Evil=0D=0ABcc=3A_x=40evil=2Etest?= <r@example.org>"
    # as it came, but for the C1 control (no control character reaches a page)
    assert decode_header(value) == value.replace("\x80", "")
