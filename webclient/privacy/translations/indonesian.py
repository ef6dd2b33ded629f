"""The privacy pages' Indonesian wordings: ``python -m webclient.privacy.translations.indonesian``.

Running the module extracts every ``p_``/``pn_`` message from the privacy code and
templates (and the mail templates' links to them), fills ``id/LC_MESSAGES/privacy.po``
from the table below and compiles ``privacy.mo`` (see
``webclient.translations.catalogue_builder``). A message missing from the table stops it,
so no visible string ships untranslated.
"""

from __future__ import annotations

from pathlib import Path

from webclient.translations.catalogue_builder import CatalogueSource, Message, Wording, build

SOURCE = CatalogueSource(
    domain="privacy", keywords={"p_": None, "pn_": (1, 2)},
    method_map=[("privacy/**.py", "python"), ("templates/privacy/**.html", "jinja2"),
                ("templates/mail/**.html", "jinja2")],
    directory=Path(__file__).parent)

INDONESIAN: dict[Message, Wording] = {
    ("%(num)d day", "%(num)d days"): "%(num)d hari",
    ("%(num)d message", "%(num)d messages"): "%(num)d pesan",
    "(no subject)": "(tanpa subjek)",
    "Access history": "Riwayat akses",
    "Agreed on %(when)s. Reference: %(ref)s": "Disetujui pada %(when)s. Referensi: %(ref)s",
    "An automated job": "Proses otomatis",
    "Another MailGuard user": "Pengguna MailGuard lain",
    "Any other message, including the rest of this conversation.":
        "Pesan lain mana pun, termasuk pesan lain dalam percakapan ini.",
    "Attachments are not sent.": "Lampiran tidak dikirim.",
    "Back to the conversation": "Kembali ke percakapan",
    "Cancel": "Batal",
    "Change": "Ubah",
    "Choose a contact or a deal and give its name (at most %(max)d characters).":
        "Pilih kontak atau transaksi dan tulis namanya (paling banyak %(max)d karakter).",
    "Consent withdrawn. Nothing more will be sent to that recipient unless you agree again.":
        "Persetujuan ditarik. Tidak ada lagi yang dikirim ke penerima itu kecuali Anda "
        "menyetujuinya lagi.",
    "Consent withdrawn. Qontak staff can no longer view those messages.":
        "Persetujuan ditarik. Staf Qontak tidak bisa lagi melihat pesan tersebut.",
    "This consent was already withdrawn.": "Persetujuan ini sudah ditarik sebelumnya.",
    "Contact or deal name": "Nama kontak atau transaksi",
    "Conversation logged to Qontak CRM. Transfer reference: %(ref)s.":
        "Percakapan dicatat ke Qontak CRM. Referensi pengiriman: %(ref)s.",
    "Every time a person at Qontak opened something in your mailbox, every time your data "
    "was sent elsewhere, and every attempt that MailGuard refused, as recorded in its "
    "tamper-evident audit log. Your own reading of your mail is not listed. Opening this "
    "page is recorded too.":
        "Setiap kali seseorang di Qontak membuka sesuatu di kotak surat Anda, setiap kali "
        "data Anda dikirim ke tempat lain, dan setiap upaya yang ditolak MailGuard, "
        "sebagaimana tercatat di log audit yang tahan rusak. Email yang Anda baca sendiri "
        "tidak dicantumkan. Membuka halaman ini juga dicatat.",
    "For each conversation I log, it sends: %(classes)s.":
        "Untuk setiap percakapan yang saya catat, yang dikirim: %(classes)s.",
    "From": "Dari",
    "From: %(sender)s": "Dari: %(sender)s",
    "How long": "Berapa lama",
    "I agree that %(who)s may view this one message of my mailbox:":
        "Saya setuju bahwa %(who)s boleh melihat satu pesan ini dari kotak surat saya:",
    "I agree that MailGuard may send conversations I choose to %(recipient)s "
    "(%(description)s).":
        "Saya setuju bahwa MailGuard boleh mengirim percakapan yang saya pilih ke "
        "%(recipient)s (%(description)s).",
    "I have read this and I agree": "Saya sudah membaca ini dan saya setuju",
    "Log conversation": "Catat percakapan",
    "Log it to": "Catat ke",
    "Log this conversation to Qontak CRM": "Catat percakapan ini ke Qontak CRM",
    "Log to Qontak CRM": "Catat ke Qontak CRM",
    "MailGuard only sends your data to recipients named in its privacy policy, and this "
    "recipient is not one of them.":
        "MailGuard hanya mengirim data Anda ke penerima yang disebut dalam kebijakan "
        "privasinya, dan penerima ini tidak termasuk.",
    "MailGuard will send this conversation to %(recipient)s, once, when you press the "
    "button below.":
        "MailGuard akan mengirim percakapan ini ke %(recipient)s, satu kali, saat Anda "
        "menekan tombol di bawah.",
    "MailGuard's privacy policy does not allow this transfer (rule %(rule)s).":
        "Kebijakan privasi MailGuard tidak mengizinkan pengiriman ini (aturan %(rule)s).",
    "Message": "Pesan",
    "Messages you shared with Qontak staff": "Pesan yang Anda bagikan dengan staf Qontak",
    "No attempt concerning your mailbox has been refused.":
        "Tidak ada upaya terkait kotak surat Anda yang ditolak.",
    "No data from your mailbox has been sent anywhere.":
        "Tidak ada data dari kotak surat Anda yang dikirim ke mana pun.",
    "No service receives your data. To log a conversation to Qontak CRM, open it and choose "
    "“Log to Qontak CRM”.":
        "Tidak ada layanan yang menerima data Anda. Untuk mencatat percakapan ke Qontak CRM, "
        "buka percakapannya lalu pilih “Catat ke Qontak CRM”.",
    "Nobody at Qontak has viewed anything in your mailbox.":
        "Belum ada seorang pun di Qontak yang melihat isi kotak surat Anda.",
    "Nobody at Qontak reads your mail unless you agree for specific messages, a security "
    "investigation or a legal request requires it. Here you see what you agreed to, and you "
    "can withdraw it at any time.":
        "Tidak ada seorang pun di Qontak yang membaca email Anda kecuali Anda menyetujuinya "
        "untuk pesan tertentu, atau investigasi keamanan maupun permintaan hukum "
        "mengharuskannya. Di sini Anda melihat apa yang Anda setujui, dan Anda dapat "
        "menariknya kapan saja.",
    "Not sent": "Tidak terkirim",
    "Nothing is sent unless I ask for it, one conversation at a time. Every transfer is "
    "recorded and shown in my access history, and I can withdraw this consent at any time "
    "in my privacy centre.":
        "Tidak ada yang dikirim kecuali saya memintanya, satu percakapan setiap kali. Setiap "
        "pengiriman dicatat dan ditampilkan di riwayat akses saya, dan saya dapat menarik "
        "persetujuan ini kapan saja di pusat privasi saya.",
    "Nothing was sent": "Tidak ada yang dikirim",
    "People who viewed your mail": "Orang yang melihat email Anda",
    "Privacy": "Privasi",
    "Privacy centre": "Pusat privasi",
    "Qontak CRM": "Qontak CRM",
    "Qontak CRM did not accept the conversation, so it was not logged. Try again in a few "
    "minutes.":
        "Qontak CRM tidak menerima percakapan ini, jadi percakapan tidak dicatat. Coba lagi "
        "beberapa menit lagi.",
    "Qontak legal team": "Tim hukum Qontak",
    "Qontak operations staff": "Staf operasional Qontak",
    "Qontak security team": "Tim keamanan Qontak",
    "Qontak staff (%(role)s)": "Staf Qontak (%(role)s)",
    "Qontak support may now view this message until %(until)s. Reference: %(ref)s.":
        "Dukungan Qontak sekarang boleh melihat pesan ini sampai %(until)s. Referensi: "
        "%(ref)s.",
    "Qontak support staff": "Staf dukungan Qontak",
    "Recipient": "Penerima",
    "Reference": "Referensi",
    "Reference: %(ref)s": "Referensi: %(ref)s",
    "Refused attempts": "Upaya yang ditolak",
    "Result": "Hasil",
    "See who accessed your mailbox": "Lihat siapa yang mengakses kotak surat Anda",
    "Services you allowed to receive your data":
        "Layanan yang Anda izinkan menerima data Anda",
    "Share this message": "Bagikan pesan ini",
    "Share this message with Qontak support": "Bagikan pesan ini dengan dukungan Qontak",
    "Share with Qontak support": "Bagikan dengan dukungan Qontak",
    "Subject: %(subject)s": "Subjek: %(subject)s",
    "The refusal was recorded in the audit log (rule %(rule)s).":
        "Penolakan ini dicatat di log audit (aturan %(rule)s).",
    "The text you agreed to": "Teks yang Anda setujui",
    "The text you agreed to has changed (for example, the language). Read it again, then "
    "agree.":
        "Teks yang Anda setujui telah berubah (misalnya bahasanya). Baca sekali lagi, lalu "
        "setujui.",
    "They may view it until %(until)s, or until I withdraw my consent, whichever comes "
    "first.":
        "Mereka boleh melihatnya sampai %(until)s, atau sampai saya menarik persetujuan "
        "saya, mana yang lebih dulu.",
    "They will not see any other message, not even the others in the same conversation. "
    "Every time they open it is recorded and shown in my access history.":
        "Mereka tidak akan melihat pesan lain, termasuk pesan lain dalam percakapan yang "
        "sama. Setiap kali mereka membukanya, hal itu dicatat dan ditampilkan di riwayat "
        "akses saya.",
    "This choice is no longer possible (the time may have passed). Choose how long again.":
        "Pilihan ini tidak lagi bisa dipakai (waktunya mungkin sudah lewat). Pilih lagi "
        "berapa lama.",
    "This is the first time you send data to %(recipient)s. It needs your agreement:":
        "Ini pertama kalinya Anda mengirim data ke %(recipient)s. Untuk itu diperlukan "
        "persetujuan Anda:",
    "This recipient may not receive one of the kinds of data that were asked for. MailGuard "
    "only sends the kinds of data its privacy policy lists for it.":
        "Penerima ini tidak boleh menerima salah satu jenis data yang diminta. MailGuard hanya "
        "mengirim jenis data yang dicantumkan kebijakan privasinya untuk penerima itu.",
    "This recipient may not receive your data for this reason.":
        "Penerima ini tidak boleh menerima data Anda dengan alasan ini.",
    "This recipient needs your consent first. Tick the box to agree, then send again.":
        "Penerima ini memerlukan persetujuan Anda terlebih dahulu. Centang kotaknya untuk "
        "menyetujui, lalu kirim lagi.",
    "Tick the box to agree, or go back to your mail.":
        "Centang kotaknya untuk menyetujui, atau kembali ke email Anda.",
    "Until": "Sampai",
    "What": "Apa",
    "What they will not see": "Yang tidak akan mereka lihat",
    "What was tried": "Apa yang dicoba",
    "What will be sent": "Yang akan dikirim",
    "When": "Kapan",
    "Where your data was sent": "Ke mana data Anda dikirim",
    "Who": "Siapa",
    "Who may view it": "Siapa yang boleh melihatnya",
    "Why": "Mengapa",
    "Why it was refused": "Alasan penolakan",
    "Withdraw consent": "Tarik persetujuan",
    "You": "Anda",
    "You agreed to transfers to %(recipient)s on %(when)s (reference %(ref)s). You can "
    "withdraw this in your privacy centre.":
        "Anda menyetujui pengiriman ke %(recipient)s pada %(when)s (referensi %(ref)s). Anda "
        "dapat menariknya di pusat privasi Anda.",
    "You have not shared any message with Qontak staff. To share one, open it and choose "
    "“Share with Qontak support”.":
        "Anda belum membagikan pesan apa pun dengan staf Qontak. Untuk membagikan pesan, "
        "buka pesannya lalu pilih “Bagikan dengan dukungan Qontak”.",
    "You withdrew your consent to transfers to this recipient. Agree again to send.":
        "Anda telah menarik persetujuan pengiriman ke penerima ini. Setujui lagi untuk "
        "mengirim.",
    "Your consent": "Persetujuan Anda",
    "Your consent to transfers to this recipient has expired. Agree again to send.":
        "Persetujuan Anda untuk pengiriman ke penerima ini sudah kedaluwarsa. Setujui lagi "
        "untuk mengirim.",
    "a contact": "kontak",
    "a second person had not approved the access":
        "orang kedua belum menyetujui akses tersebut",
    "the message is not one you shared": "pesan itu bukan pesan yang Anda bagikan",
    "the permission had been withdrawn": "izinnya sudah dicabut",
    "the permission had ended": "izinnya sudah berakhir",
    "the person is not registered as Qontak staff":
        "orang itu tidak terdaftar sebagai staf Qontak",
    "the privacy policy does not allow it": "kebijakan privasi tidak mengizinkannya",
    "the recipient or the data is not allowed": "penerima atau datanya tidak diizinkan",
    "this mailbox is not connected to that account":
        "kotak surat ini tidak terhubung ke akun tersebut",
    "you had not given consent": "Anda belum memberikan persetujuan",
    "you had withdrawn your consent": "Anda sudah menarik persetujuan Anda",
    "you shared single messages, not whole conversations":
        "Anda membagikan pesan satu per satu, bukan seluruh percakapan",
    "your consent had ended": "persetujuan Anda sudah berakhir",
    "your data may never be used for this": "data Anda tidak boleh dipakai untuk ini",
    "a deal": "transaksi",
    "a feature you used": "fitur yang Anda gunakan",
    "a legal request": "permintaan hukum",
    "a merger or acquisition": "merger atau akuisisi",
    "a security investigation": "investigasi keamanan",
    "anonymous counts": "hitungan anonim",
    "attachments": "lampiran",
    ("attachment %(ids)s", "attachments %(ids)s"): "lampiran %(ids)s",
    "content (the text of the messages)": "isi (teks pesan-pesannya)",
    ("conversation %(ids)s", "conversations %(ids)s"): "percakapan %(ids)s",
    "expired on %(when)s": "kedaluwarsa pada %(when)s",
    "in force": "berlaku",
    "list conversations": "melihat daftar percakapan",
    "list messages": "melihat daftar pesan",
    "log conversations to contacts and deals": "mencatat percakapan ke kontak dan transaksi",
    ("message %(ids)s", "messages %(ids)s"): "pesan %(ids)s",
    "metadata (sender, recipients, subject, dates)":
        "metadata (pengirim, penerima, subjek, tanggal)",
    "no answer recorded": "tidak ada jawaban yang tercatat",
    "none": "tidak ada",
    "not accepted by the recipient": "tidak diterima oleh penerima",
    ("of %(num)d message in this conversation:", "of %(num)d messages in this conversation:"):
        "dari %(num)d pesan dalam percakapan ini:",
    "open a conversation": "membuka percakapan",
    "open a message": "membuka pesan",
    "open an attachment": "membuka lampiran",
    "received": "diterima",
    "send data to another service": "mengirim data ke layanan lain",
    "until %(until)s": "sampai %(until)s",
    "use data for advertising": "memakai data untuk iklan",
    "use this mailbox": "memakai kotak surat ini",
    "withdrawn on %(when)s": "ditarik pada %(when)s",
    "your consent": "persetujuan Anda",
    "‹ Back to your mail": "‹ Kembali ke email Anda",
    "open this mailbox": "membuka kotak surat ini",
    "request access to this mailbox": "meminta akses ke kotak surat ini",
    "look at a request for access to this mailbox":
        "melihat permintaan akses ke kotak surat ini",
    "approve access to this mailbox": "menyetujui akses ke kotak surat ini",
    "withdraw access to this mailbox": "mencabut akses ke kotak surat ini",
    "record a consent": "mencatat persetujuan",
    "withdraw a consent": "menarik persetujuan",
    "record a consent to transfers": "mencatat persetujuan pengiriman data",
    "withdraw a consent to transfers": "menarik persetujuan pengiriman data",
    "legal request %(ref)s": "permintaan hukum %(ref)s",
    "security case %(case)s (%(category)s)": "kasus keamanan %(case)s (%(category)s)",
    "abuse": "penyalahgunaan",
    "fraud": "penipuan",
    "security incident": "insiden keamanan",
    "software fault": "kesalahan perangkat lunak",
    "What they will see": "Yang akan mereka lihat",
    "The sender, recipients, date, subject and text of this message.":
        "Pengirim, penerima, tanggal, subjek, dan teks pesan ini.",
    ("The name of its attachment, %(names)s, but not its contents.",
     "The names of its attachments, %(names)s, but not their contents."):
        "Nama lampirannya, %(names)s, tetapi tidak isinya.",
    "attachment": "lampiran",
}



def main() -> int:
    """Fill and compile the privacy catalogue; return 1 if a message has no translation."""
    return build(SOURCE, INDONESIAN)


if __name__ == "__main__":
    raise SystemExit(main())
