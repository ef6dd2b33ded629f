"""MIME tricks a hostile sender plays to smuggle active HTML past a mail client, by scenario.

Each scenario is a whole message and what a reader must see of it. The same bytes are
kept in ``tests/hostile/corpus/`` (named ``mime-trick-<scenario>``) so that the MIME fuzzer
mutates them too.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

HEAD = (b"From: Bank Nusantara <layanan@bank-nusantara.test>\r\n"
        b"To: user@qontak-test.test\r\nDate: Tue, 4 Mar 2025 10:00:00 +0700\r\n"
        b"MIME-Version: 1.0\r\nMessage-ID: <{name}@bank-nusantara.test>\r\n"
        b"Subject: {name}\r\n")
#: What every hostile HTML part here tries, in plain markup.
ATTACK = (b'<script>alert(1)</script><img src=x onerror=alert(2)>'
          b'<a href="javascript:alert(3)">klik</a><meta http-equiv=refresh content="0;url=https://evil.test/">')


@dataclass(frozen=True, slots=True)
class MimeTrick:
    """One hostile message and the words a reader of it must see."""

    raw: bytes
    shown: tuple[str, ...]
    #: attachment names as a browser saves them: the name the download must end with
    saved_as: tuple[str, ...] = ()


def _message(name: str, headers: bytes, body: bytes) -> bytes:
    return HEAD.replace(b"{name}", name.encode()) + headers + b"\r\n" + body


def _b64(data: bytes) -> bytes:
    return base64.encodebytes(data).replace(b"\n", b"\r\n")


def tricks() -> dict[str, MimeTrick]:
    """Return every scenario by name."""
    return {
        "nested-alternative-hostile-html": MimeTrick(_message(
            "nested", b"Content-Type: multipart/mixed; boundary=m\r\n",
            b"--m\r\nContent-Type: multipart/alternative; boundary=a\r\n\r\n"
            b"--a\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSaldo Anda aman.\r\n"
            b"--a\r\nContent-Type: multipart/related; boundary=r\r\n\r\n"
            b"--r\r\nContent-Type: text/html; charset=utf-8\r\n"
            b"Content-Transfer-Encoding: base64\r\n\r\n"
            + _b64(b"<p>Saldo Anda aman, Pak Budi.</p>" + ATTACK)
            + b"--r--\r\n--a--\r\n"
            b"--m\r\nContent-Type: text/html; name=\"rekening.html\"\r\n"
            b"Content-Disposition: attachment; filename=\"rekening.html\"\r\n\r\n"
            b"<script>alert(document.cookie)</script>\r\n--m--\r\n"),
            shown=("Saldo Anda aman, Pak Budi.",), saved_as=("rekening.html",)),
        "alternative-html-before-text": MimeTrick(_message(
            "order", b"Content-Type: multipart/alternative; boundary=o\r\n",
            b"--o\r\nContent-Type: text/html\r\n\r\n<p>Pesanan dikirim.</p>" + ATTACK
            + b"\r\n--o\r\nContent-Type: text/plain\r\n\r\nPesanan dikirim.\r\n--o--\r\n"),
            shown=("Pesanan dikirim.",)),
        "utf7-html": MimeTrick(_message(
            "utf7", b"Content-Type: text/html; charset=utf-7\r\n",
            b"<p>Kode OTP tidak pernah diminta.</p>+ADw-script+AD4-alert(1)+ADw-/script+AD4-"
            b"+ADw-img src+AD0-x onerror+AD0-alert(2)+AD4-\r\n"),
            shown=("Kode OTP tidak pernah diminta.",)),
        "utf7-declared-inside-utf8-html": MimeTrick(_message(
            "utf7meta", b"Content-Type: text/html\r\n",
            b"<meta charset=utf-7><meta http-equiv=Content-Type content='text/html; "
            b"charset=utf-7'><p>Promo hari ini.</p>+ADw-script+AD4-alert(1)+ADw-/script+AD4-"
            b"\r\n"),
            shown=("Promo hari ini.", "+ADw-script+AD4-")),
        "iso-2022-jp-html": MimeTrick(_message(
            "jis", b"Content-Type: text/html; charset=iso-2022-jp\r\n",
            "<p>お支払いありがとうございます</p>".encode("iso-2022-jp") + ATTACK + b"\r\n"),
            shown=("お支払いありがとうございます",)),
        "iso-2022-jp-escape-differential": MimeTrick(_message(
            "jisdiff", b"Content-Type: text/html; charset=utf-8\r\n",
            b'<p>Tagihan listrik.</p><img alt="\x1b$B">\x1b(B" src=x onerror=alert(1) x="">'
            b'<a title="\x1b$B">\x1b(B" href="javascript:alert(2)">j</a>\r\n'),
            shown=("Tagihan listrik.",)),
        "quoted-printable-split-tags": MimeTrick(_message(
            "qp", b"Content-Type: text/html; charset=utf-8\r\n"
                  b"Content-Transfer-Encoding: quoted-printable\r\n",
            b"<p>Transfer berhasil =E2=9C=93</p><scr=\r\nipt>alert(1)</scr=\r\nipt>"
            b"=3Cimg src=3Dx onerror=3Dalert(2)=3E"
            b"<a href=3D\"java=\r\nscript:alert(3)\">x</a>\r\n"),
            shown=("Transfer berhasil \u2713",)),
        "transfer-encoding-mixed-case-and-junk": MimeTrick(_message(
            "cte", b"Content-Type: multipart/alternative; boundary=c\r\n",
            b"--c\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: BASE64\r\n\r\n"
            + _b64(b"Tagihan air bulan ini.") + b"--c\r\nContent-Type: text/html\r\n"
            b"Content-Transfer-Encoding: Base64\r\n\r\n"
            + _b64(b"<p>Tagihan air bulan ini.</p>" + ATTACK).replace(b"\r\n", b" !\r\n")
            + b"--c--\r\n"),
            shown=("Tagihan air bulan ini.",)),
        "two-transfer-encodings": MimeTrick(_message(
            "cte2", b"Content-Type: text/html\r\nContent-Transfer-Encoding: 7bit\r\n"
                    b"Content-Transfer-Encoding: base64\r\n",
            b"<p>Dua encoding.</p>" + ATTACK + b"\r\n"),
            shown=("Dua encoding.",)),
        "html-sent-as-text-plain": MimeTrick(_message(
            "plain", b"Content-Type: text/plain; charset=utf-8\r\n",
            b"Harap baca: <script>alert(1)</script> <img src=x onerror=alert(2)>\r\n"),
            shown=("Harap baca: <script>alert(1)</script>",)),
        "utf16-declared-utf8": MimeTrick(_message(
            "utf16", b"Content-Type: text/html; charset=utf-8\r\n",
            "<p>Halo</p><script>alert(1)</script>".encode("utf-16") + b"\r\n"),
            shown=()),
        "forwarded-message-with-hostile-html": MimeTrick(_message(
            "fwd", b"Content-Type: multipart/mixed; boundary=f\r\n",
            b"--f\r\nContent-Type: text/plain\r\n\r\nLihat pesan terlampir.\r\n"
            b"--f\r\nContent-Type: message/rfc822\r\n\r\n"
            b"From: x@penipu.test\r\nSubject: inner\r\nContent-Type: text/html\r\n\r\n"
            b"<p>Pesan dalam.</p>" + ATTACK + b"\r\n--f--\r\n"),
            # The sender's own text, then the attached message below it (inert)
            shown=("Lihat pesan terlampir.", "From: x@penipu.test", "Pesan dalam.")),
        "attachment-names-hostile": MimeTrick(_message(
            "names", b"Content-Type: multipart/mixed; boundary=n\r\n",
            b"--n\r\nContent-Type: text/plain\r\n\r\nDokumen terlampir.\r\n"
            b"--n\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; "
            b"filename*=utf-8''..%2F..%2F.bashrc%00.pdf\r\nContent-Transfer-Encoding: base64"
            b"\r\n\r\nJVBERg==\r\n"
            b"--n\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; "
            b"filename*=utf-8''faktur%E2%80%AEfdp.exe\r\nContent-Transfer-Encoding: base64"
            b"\r\n\r\nJVBERg==\r\n"
            b"--n\r\nContent-Type: text/html\r\nContent-Disposition: attachment; "
            b"filename=\"=?utf-8?q?=3Cimg_src=3Dx_onerror=3Dalert(1)=3E.html?=\"\r\n\r\n"
            b"<script>alert(1)</script>\r\n"
            b"--n\r\nContent-Type: image/svg+xml; name=\"logo.svg\"\r\n"
            b"Content-Disposition: inline; filename=\"C:\\\\Windows\\\\logo.svg\"\r\n"
            b"Content-ID: <logo@x>\r\n\r\n<svg xmlns=\"http://www.w3.org/2000/svg\" "
            b"onload=\"alert(1)\"/>\r\n--n--\r\n"),
            shown=("Dokumen terlampir.",),
            saved_as=("bashrc.pdf", "faktur_fdp.exe", ".html", "logo.svg")),
    }
