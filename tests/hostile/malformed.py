"""Malformed and legacy messages, by scenario: the fuzzer's seeds and the full-stack cases."""

from __future__ import annotations

HEAD = (b"From: Old Mailer <old@example.org>\r\nTo: user@qontak-test.test\r\n"
        b"Date: Mon, 3 Mar 2025 09:00:00 +0700\r\nMessage-ID: <{name}@example.org>\r\n")


def _message(name: str, headers: bytes, body: bytes) -> bytes:
    return HEAD.replace(b"{name}", name.encode()) + headers + b"\r\n" + body


def _nested(depth: int) -> bytes:
    body = b"Content-Type: text/plain\r\n\r\ndeepest text\r\n"
    for level in range(depth):
        boundary = f"b{level}".encode()
        body = (b"Content-Type: multipart/mixed; boundary=" + boundary + b"\r\n\r\n--"
                + boundary + b"\r\n" + body + b"\r\n--" + boundary + b"--\r\n")
    return body


def _many_parts(count: int) -> bytes:
    parts = b"".join(b"--many\r\nContent-Type: text/plain\r\n\r\npart %d\r\n" % i
                     for i in range(count))
    return parts + b"--many--\r\n"


def messages() -> dict[str, bytes]:
    """Return every malformed scenario's raw bytes by name."""
    nested = _nested(120)
    return {
        "broken-boundary-never-closed": _message(
            "b1", b"Subject: broken\r\nContent-Type: multipart/mixed; boundary=zz\r\n",
            b"--zz\r\nContent-Type: text/plain\r\n\r\nfirst part, no closing boundary\r\n"),
        "boundary-missing-from-header": _message(
            "b2", b"Subject: no boundary\r\nContent-Type: multipart/alternative\r\n",
            b"--x\r\nContent-Type: text/html\r\n\r\n<b>hi</b>\r\n--x--\r\n"),
        "boundary-never-used": _message(
            "b3", b"Subject: unused\r\nContent-Type: multipart/mixed; boundary=abc\r\n",
            b"just text, no parts at all\r\n"),
        "unknown-charset": _message(
            "c1", b"Subject: charset\r\nContent-Type: text/plain; charset=x-klingon-99\r\n",
            "teks dengan huruf é".encode("latin-1")),
        "wrong-charset-declared-utf8-is-latin1": _message(
            "c2", b"Subject: wrong\r\nContent-Type: text/html; charset=utf-8\r\n",
            "<p>caf\xe9 \xff\xfe</p>".encode("latin-1")),
        "eight-bit-headers": _message(
            "h1", "Subject: Pesan tanpa encoding é ü ✓\r\n".encode()
            + b"X-Latin: \xe9\xe8\xff\r\n", b"body\r\n"),
        "encoded-word-abuse": _message(
            "e1", b"Subject: =?utf-8?q?=3Cscript=3Ealert(1)=3C/script=3E?= "
                  b"=?x-unknown?b?////?= =?utf-8?b?invalid base64?= =?utf-8?q?"
                  + b"A" * 2000 + b"?=\r\nContent-Type: text/plain\r\n",
            b"body\r\n"),
        "encoded-word-in-from-with-crlf": _message(
            "e2", b"Subject: x\r\nReply-To: =?utf-8?q?Evil=0D=0ABcc=3A_x=40evil=2Etest?= "
                  b"<r@example.org>\r\nContent-Type: text/plain\r\n", b"body\r\n"),
        "deep-nesting-120": _message("n1", b"Subject: deep\r\nMIME-Version: 1.0\r\n"
                                     + nested.split(b"\r\n\r\n", 1)[0] + b"\r\n",
                                     nested.split(b"\r\n\r\n", 1)[1]),
        "ten-thousand-parts": _message(
            "p1", b"Subject: many\r\nContent-Type: multipart/mixed; boundary=many\r\n",
            _many_parts(10_000)),
        "huge-header": _message(
            "g1", b"Subject: " + b"long " * 40_000 + b"\r\nX-Big: " + b"y" * 200_000 + b"\r\n"
            b"Content-Type: text/plain\r\n", b"body\r\n"),
        "many-headers": _message(
            "g2", b"Subject: many headers\r\n" + b"".join(b"X-H%d: v\r\n" % i
                                                        for i in range(5000)),
            b"body\r\n"),
        "bad-base64-body": _message(
            "t1", b"Subject: b64\r\nContent-Type: text/html\r\n"
                  b"Content-Transfer-Encoding: base64\r\n", b"!!!not*base64***\r\n===\r\n"),
        "bad-quoted-printable": _message(
            "t2", b"Subject: qp\r\nContent-Type: text/plain\r\n"
                  b"Content-Transfer-Encoding: quoted-printable\r\n", b"=ZZ=\r\n=4\r\n"),
        "no-headers-at-all": b"\r\n\r\njust a body\r\n",
        "nul-bytes": _message("z1", b"Subject: nul\x00here\r\nContent-Type: text/html\r\n",
                              b"<p>a\x00b</p>\r\n"),
        "attachment-name-traversal-and-rtl": _message(
            "a1", b"Subject: files\r\nContent-Type: multipart/mixed; boundary=f\r\n",
            b"--f\r\nContent-Type: text/plain\r\n\r\nsee files\r\n--f\r\n"
            b"Content-Type: application/pdf\r\nContent-Disposition: attachment; "
            b"filename*=utf-8''..%2F..%2Fetc%2Finvoice%E2%80%AEfdp.exe\r\n"
            b"Content-Transfer-Encoding: base64\r\n\r\nJVBERg==\r\n--f--\r\n"),
        "html-with-script-in-broken-multipart": _message(
            "x1", b"Subject: script\r\nContent-Type: multipart/alternative; boundary=q\r\n",
            b"--q\r\nContent-Type: text/html\r\n\r\n<img src=x onerror=alert(1)>"
            b"<script>alert(2)</script>\r\n--q"),
    }
