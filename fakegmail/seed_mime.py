"""Assemble generated message bodies into RFC 5322 / MIME bytes with CRLF line endings.

Headers, encoded-words, RFC 2231 filenames and body encodings come from the stdlib
``email`` package's encoders; the part tree is assembled directly, which keeps a thousand
messages well under a second. Boundaries come from the caller's seeded ``random``, so the
bytes repeat.
"""

from __future__ import annotations

import random
from datetime import datetime
from email import base64mime
from email.charset import QP, Charset
from email.header import Header
from email.utils import encode_rfc2231, format_datetime, formataddr

from fakegmail.authentication_results import authentication_results
from fakegmail.seed_content import WIB, Body, Contact

_UTF8_QP = Charset("utf-8")
_UTF8_QP.body_encoding = QP


def render_message(
    rng: random.Random,
    *,
    sender: Contact,
    to: list[Contact],
    cc: list[Contact],
    bcc: list[Contact],
    subject: str,
    when: float,
    message_id: str,
    references: list[str],
    delivered_to: str | None,
    body: Body,
) -> bytes:
    """Assemble one message's bytes."""
    headers: list[tuple[str, str]] = []
    if delivered_to:
        headers.append(("Delivered-To", delivered_to))
        name, _sep, value = authentication_results(
            from_address=sender.email, envelope_sender=sender.email).partition(": ")
        headers.append((name, value))
    headers += [
        ("From", _address(sender)),
        ("To", ", ".join(_address(c) for c in to)),
    ]
    if cc:
        headers.append(("Cc", ", ".join(_address(c) for c in cc)))
    if bcc:
        headers.append(("Bcc", ", ".join(_address(c) for c in bcc)))
    headers += [
        ("Subject", _header_text("Subject", subject)),
        ("Date", format_datetime(datetime.fromtimestamp(when, WIB))),
        ("Message-ID", message_id),
    ]
    if references:
        headers.append(("In-Reply-To", references[-1]))
        headers.append(("References", "\r\n ".join(references[-10:])))
    headers += body.extra_headers
    headers.append(("MIME-Version", "1.0"))
    top = "".join(f"{name}: {value}\r\n" for name, value in headers).encode("ascii")
    return top + _body_part(rng, body)


def _body_part(rng: random.Random, body: Body) -> bytes:
    """Return the MIME entity (headers and content) for the message body."""
    html = body.html
    html_part = None
    if html is not None:
        html_part = _text_part(html, "html")
        if body.inline:
            images = [_binary_part(data, "image/png", name, "inline", cid=cid)
                      for cid, name, data in body.inline]
            html_part = _multipart(rng, "related", [html_part, *images])
    if body.plain is not None and html_part is not None:
        main = _multipart(rng, "alternative", [_text_part(body.plain, "plain"), html_part])
    elif html_part is not None:
        main = html_part
    else:
        main = _text_part(body.plain or "", "plain")
    if not body.attachments:
        return main
    files = [_binary_part(data, mime, name, "attachment") for name, mime, data in body.attachments]
    return _multipart(rng, "mixed", [main, *files])


def _text_part(text: str, subtype: str) -> bytes:
    """Return a UTF-8 text part, quoted-printable encoded when it is not plain ASCII."""
    if text.isascii() and all(len(line) < 900 for line in text.split("\n")):
        head = f'Content-Type: text/{subtype}; charset="UTF-8"\r\nContent-Transfer-Encoding: 7bit'
        return f"{head}\r\n\r\n{text.replace(chr(10), chr(13) + chr(10))}\r\n".encode("ascii")
    encoded = _UTF8_QP.body_encode(text) or ""
    head = (f'Content-Type: text/{subtype}; charset="UTF-8"\r\n'
            "Content-Transfer-Encoding: quoted-printable")
    return f"{head}\r\n\r\n{encoded.replace(chr(10), chr(13) + chr(10))}\r\n".encode("ascii")


def _binary_part(data: bytes, mime: str, filename: str, disposition: str,
                 cid: str | None = None) -> bytes:
    """Return a base64 part with a filename (RFC 2231 encoded when not ASCII)."""
    if filename.isascii():
        name_param = f'name="{filename}"'
        file_param = f'filename="{filename}"'
    else:
        name_param = f"name*={encode_rfc2231(filename, 'utf-8')}"
        file_param = f"filename*={encode_rfc2231(filename, 'utf-8')}"
    lines = [
        f"Content-Type: {mime}; {name_param}",
        f"Content-Disposition: {disposition}; {file_param}",
        "Content-Transfer-Encoding: base64",
    ]
    if cid:
        lines.append(f"Content-ID: <{cid}>")
    encoded = base64mime.body_encode(data, maxlinelen=76, eol="\r\n")
    return ("\r\n".join(lines) + "\r\n\r\n" + encoded).encode("ascii")


def _multipart(rng: random.Random, subtype: str, children: list[bytes]) -> bytes:
    """Join ``children`` under a deterministic boundary."""
    boundary = f"000000000000{rng.getrandbits(48):012x}"
    out = [f'Content-Type: multipart/{subtype}; boundary="{boundary}"\r\n\r\n'.encode("ascii")]
    for child in children:
        out.append(f"--{boundary}\r\n".encode("ascii"))
        out.append(child if child.endswith(b"\r\n") else child + b"\r\n")
    out.append(f"--{boundary}--\r\n".encode("ascii"))
    return b"".join(out)


def _address(contact: Contact) -> str:
    """Format a contact, encoding a non-ASCII display name as an RFC 2047 word."""
    return formataddr((contact.name, contact.email), charset="utf-8")


def _header_text(name: str, value: str) -> str:
    """Return a header value, as encoded-words when it is not ASCII."""
    if value.isascii():
        return value
    return Header(value, "utf-8", header_name=name).encode(linesep="\r\n")
