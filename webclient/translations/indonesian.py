"""Regenerate the Indonesian catalogue: ``python webclient/translations/indonesian.py``.

Extract first (``pybabel extract -F webclient/babel.cfg -k lazy_gettext -k _l
-o webclient/translations/messages.pot --no-location --sort-output .``); this script
fills ``id/LC_MESSAGES/messages.po`` from the table below and compiles ``messages.mo``.
A message missing from the table stops the script, so no visible string ships untranslated.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

HERE = Path(__file__).parent

INDONESIAN: dict[str | tuple[str, str], str | tuple[str, ...]] = {
    "%(field)s: these are not email addresses: %(list)s":
        "%(field)s: ini bukan alamat email: %(list)s",
    "%(num)d bytes": "%(num)d bita",
    ("%(num)d remote image was blocked to protect your privacy.",
     "%(num)d remote images were blocked to protect your privacy."):
        ("%(num)d gambar jarak jauh diblokir untuk melindungi privasi Anda.",),
    "%(num)s KB": "%(num)s KB",
    "%(num)s MB": "%(num)s MB",
    ("%(what)s: %(num)d conversation.", "%(what)s: %(num)d conversations."):
        ("%(what)s: %(num)d percakapan.",),
    "(no sender)": "(tanpa pengirim)",
    "(no subject)": "(tanpa subjek)",
    "---------- Forwarded message ---------": "---------- Pesan yang diteruskan ---------",
    "Account": "Akun",
    "Accounts": "Akun",
    "Add at least one recipient.": "Tambahkan setidaknya satu penerima.",
    "All mail": "Semua email",
    "Always show images from this sender": "Selalu tampilkan gambar dari pengirim ini",
    "Apply label": "Pasang label",
    "Archive": "Arsipkan",
    "Archived": "Diarsipkan",
    "Attach files (up to 25 MB in total)": "Lampirkan file (total hingga 25 MB)",
    "Attachments": "Lampiran",
    "Attachments may total at most 25 MB; remove some files.":
        "Total lampiran paling banyak 25 MB; hapus beberapa file.",
    "Back to your mail": "Kembali ke email Anda",
    "Bcc": "Bcc",
    "Cancel": "Batal",
    "Careful: some links in this message lead somewhere other than they say.":
        "Hati-hati: beberapa tautan di pesan ini mengarah ke tempat lain dari yang tertulis.",
    "Cc": "Cc",
    "Change language": "Ganti bahasa",
    "Choose a label first.": "Pilih label terlebih dahulu.",
    "Compose": "Tulis",
    "Connect another Gmail account": "Hubungkan akun Gmail lain",
    "Connected Gmail accounts": "Akun Gmail yang terhubung",
    "Connected accounts": "Akun yang terhubung",
    "Create": "Buat",
    "Delete": "Hapus",
    "Discard": "Buang",
    "Disconnect": "Putuskan",
    "Disconnecting revokes MailGuard's access at Google and deletes its stored tokens.":
        "Memutuskan akan mencabut akses MailGuard di Google dan menghapus token yang "
        "disimpannya.",
    "Draft": "Draf",
    "Draft discarded.": "Draf dibuang.",
    "Draft not saved; it will be retried": "Draf belum tersimpan; akan dicoba lagi",
    "Draft saved": "Draf tersimpan",
    "Draft saved.": "Draf tersimpan.",
    "Drafts": "Draf",
    "Edit draft": "Sunting draf",
    "Folders": "Folder",
    "Forward": "Teruskan",
    "From": "Dari",
    "From: %(who)s": "Dari: %(who)s",
    "Give the label a name of at most 225 characters.":
        "Beri label nama paling banyak 225 karakter.",
    "Gmail account connected.": "Akun Gmail terhubung.",
    "Gmail account disconnected; MailGuard can no longer read it.":
        "Akun Gmail diputuskan; MailGuard tidak bisa lagi membacanya.",
    "Gmail could not be reached. Check your connection and try again.":
        "Gmail tidak dapat dihubungi. Periksa koneksi Anda lalu coba lagi.",
    "Gmail did not accept this request. Reload the page and try again.":
        "Gmail tidak menerima permintaan ini. Muat ulang halaman lalu coba lagi.",
    "Gmail is not answering": "Gmail tidak menjawab",
    "Gmail refused the request": "Gmail menolak permintaan",
    "Gmail's search words work here: from:, to:, subject:, has:attachment, label:, "
    "is:unread, before: and after:.":
        "Kata pencarian Gmail berlaku di sini: from:, to:, subject:, has:attachment, label:, "
        "is:unread, before: dan after:.",
    "Google no longer accepts MailGuard's access to this account (the access was withdrawn "
    "or has expired). Connect it again to keep reading your mail.":
        "Google tidak lagi menerima akses MailGuard ke akun ini (akses dicabut atau sudah "
        "kedaluwarsa). Hubungkan lagi agar Anda tetap bisa membaca email.",
    "Google withdrew access.": "Google mencabut akses.",
    "Google's answer could not be accepted: %(reason)s":
        "Jawaban Google tidak dapat diterima: %(reason)s",
    "Has attachments": "Ada lampiran",
    "Images from this sender will always be shown.":
        "Gambar dari pengirim ini akan selalu ditampilkan.",
    "Important": "Penting",
    "Inbox": "Kotak Masuk",
    "Know which Google account you signed in with (your email address)":
        "Mengetahui akun Google yang Anda gunakan untuk masuk (alamat email Anda)",
    "Label": "Label",
    ("Label changed on %(num)d conversation.", "Label changed on %(num)d conversations."):
        ("Label diubah pada %(num)d percakapan.",),
    "Label created.": "Label dibuat.",
    "Labels": "Label",
    "Language": "Bahasa",
    "Mail is unavailable": "Email tidak tersedia",
    "MailGuard": "MailGuard",
    "MailGuard asks Google for permission to read, organise and send your mail, and for "
    "your email address. It never deletes mail permanently.":
        "MailGuard meminta izin Google untuk membaca, mengatur, dan mengirim email Anda, "
        "serta alamat email Anda. MailGuard tidak pernah menghapus email secara permanen.",
    "MailGuard cannot record access to your mail right now, so it shows none. Try again in "
    "a few minutes.":
        "MailGuard tidak dapat mencatat akses ke email Anda saat ini, jadi tidak ada yang "
        "ditampilkan. Coba lagi dalam beberapa menit.",
    "MailGuard needs a permission you did not give":
        "MailGuard memerlukan izin yang tidak Anda berikan",
    "MailGuard shows your Gmail to you and to nobody else. Every access to your mail is "
    "checked against our privacy policy and recorded in a tamper-evident log.":
        "MailGuard menampilkan Gmail Anda hanya kepada Anda. Setiap akses ke email Anda "
        "diperiksa terhadap kebijakan privasi kami dan dicatat dalam log yang tahan "
        "manipulasi.",
    "MailGuard's privacy policy does not allow this (rule %(rule)s). The refusal was "
    "recorded.":
        "Kebijakan privasi MailGuard tidak mengizinkan ini (aturan %(rule)s). Penolakan "
        "ini telah dicatat.",
    "Mark as read": "Tandai sudah dibaca",
    "Mark as unread": "Tandai belum dibaca",
    "Marked as important": "Ditandai penting",
    "Marked as not important": "Ditandai tidak penting",
    "Marked as read": "Ditandai sudah dibaca",
    "Marked as unread": "Ditandai belum dibaca",
    "Message": "Pesan",
    "Message body": "Isi pesan",
    "Message sent.": "Pesan terkirim.",
    "More permission needed": "Perlu izin tambahan",
    "Move to Inbox": "Pindahkan ke Kotak Masuk",
    "Moved to Inbox": "Dipindahkan ke Kotak Masuk",
    "Moved to Trash": "Dipindahkan ke Sampah",
    "New label": "Label baru",
    "New message": "Pesan baru",
    "No Gmail account is connected.": "Tidak ada akun Gmail yang terhubung.",
    "No conversations match your search.": "Tidak ada percakapan yang cocok dengan pencarian.",
    "No labels yet.": "Belum ada label.",
    "Not allowed": "Tidak diizinkan",
    "Not found": "Tidak ditemukan",
    "Not spam": "Bukan spam",
    "Not starred": "Tidak berbintang",
    "Nothing here.": "Tidak ada apa-apa di sini.",
    "Older ›": "Lebih lama ›",
    "On %(when)s, %(who)s wrote:": "Pada %(when)s, %(who)s menulis:",
    "On Google's page, these permissions were left unticked:":
        "Di halaman Google, izin berikut tidak dicentang:",
    "Pages": "Halaman",
    'Read, search, organise, draft and send your mail (Gmail: "Read, compose, and send '
    'emails from your Gmail account")':
        'Membaca, mencari, mengatur, membuat draf, dan mengirim email Anda (Gmail: "Read, '
        'compose, and send emails from your Gmail account")',
    "Reconnect": "Hubungkan ulang",
    "Reconnect Gmail": "Hubungkan ulang Gmail",
    "Reconnect your Gmail account": "Hubungkan ulang akun Gmail Anda",
    "Remove label": "Lepas label",
    "Remove star": "Hapus bintang",
    "Reply": "Balas",
    "Reply all": "Balas semua",
    "Report spam": "Laporkan spam",
    "Reported as spam": "Dilaporkan sebagai spam",
    "Restore": "Pulihkan",
    "Restored from Trash": "Dipulihkan dari Sampah",
    "Save draft": "Simpan draf",
    "Search": "Cari",
    "Search mail": "Cari email",
    "Search mail (Gmail syntax: from:, has:attachment, label:…)":
        "Cari email (sintaks Gmail: from:, has:attachment, label:…)",
    "Search results for %(query)s": "Hasil pencarian untuk %(query)s",
    "Select": "Pilih",
    "Select all": "Pilih semua",
    "Select at least one conversation first.": "Pilih setidaknya satu percakapan dahulu.",
    "Send": "Kirim",
    "Sent": "Terkirim",
    "Shortcuts: j/k move, o open, r reply, a reply all, f forward, e archive, # trash, "
    "s star, x select, c compose, / search":
        "Pintasan: j/k pindah, o buka, r balas, a balas semua, f teruskan, e arsipkan, "
        "# sampah, s bintang, x pilih, c tulis, / cari",
    "Show images": "Tampilkan gambar",
    "Sign in": "Masuk",
    "Sign in with Google": "Masuk dengan Google",
    "Sign out": "Keluar",
    "Sign-in did not finish": "Proses masuk tidak selesai",
    "Sign-in problem": "Masalah saat masuk",
    "Spam": "Spam",
    "Star": "Beri bintang",
    "Star removed": "Bintang dihapus",
    "Starred": "Berbintang",
    "Start again": "Mulai lagi",
    "Subject": "Subjek",
    "Subject: %(subject)s": "Subjek: %(subject)s",
    "Switch account": "Ganti akun",
    "The account could not be connected. Try again in a minute.":
        "Akun tidak dapat dihubungkan. Coba lagi sebentar lagi.",
    "The account could not be disconnected. Try again in a minute.":
        "Akun tidak dapat diputuskan. Coba lagi sebentar lagi.",
    "The form has expired": "Formulir sudah kedaluwarsa",
    "The message cannot be sent as written: a field contains a line break or the message "
    "is too large.":
        "Pesan tidak dapat dikirim seperti ini: ada kolom yang berisi baris baru atau "
        "pesannya terlalu besar.",
    "The message was not sent:": "Pesan tidak terkirim:",
    "The original message's attachments are forwarded too.":
        "Lampiran pesan asli juga ikut diteruskan.",
    "There is nothing at this address.": "Tidak ada apa pun di alamat ini.",
    "There is nothing to undo.": "Tidak ada yang bisa dibatalkan.",
    "This conversation or message no longer exists in Gmail.":
        "Percakapan atau pesan ini sudah tidak ada di Gmail.",
    "This form was not sent from a current MailGuard page. Reload the page and try again.":
        "Formulir ini tidak dikirim dari halaman MailGuard yang terbaru. Muat ulang halaman "
        "lalu coba lagi.",
    "This sign-in has expired or was started in another browser. Start again.":
        "Proses masuk ini sudah kedaluwarsa atau dimulai di peramban lain. Mulai lagi.",
    "To": "Kepada",
    "To: %(who)s": "Kepada: %(who)s",
    "Too large": "Terlalu besar",
    "Trash": "Sampah",
    "Try again": "Coba lagi",
    "Undo": "Urungkan",
    "Undone.": "Dibatalkan.",
    "Without them MailGuard cannot show your mail. Try again and tick every box.":
        "Tanpa izin itu MailGuard tidak dapat menampilkan email Anda. Coba lagi dan centang "
        "semua kotak.",
    "You are offline. MailGuard will work again when the connection returns.":
        "Anda sedang luring. MailGuard akan berfungsi lagi saat koneksi kembali.",
    "You are signed out.": "Anda sudah keluar.",
    "You cancelled the sign-in at Google, so no account was connected.":
        "Anda membatalkan proses masuk di Google, jadi tidak ada akun yang dihubungkan.",
    "Your Gmail, kept private": "Gmail Anda, tetap privat",
    "attachment": "lampiran",
    "‹ Back": "‹ Kembali",
    "‹ Newer": "‹ Lebih baru",
}


def main() -> int:
    """Fill and compile the Indonesian catalogue; return 1 if a message has no translation."""
    with open(HERE / "messages.pot", "rb") as handle:
        catalog = read_po(handle, locale="id")
    missing = []
    for message in catalog:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else tuple(message.id)
        translated = INDONESIAN.get(key)  # type: ignore[arg-type]
        if translated is None:
            missing.append(message.id)
            continue
        message.string = translated
    if missing:
        for item in missing:
            print(f"no Indonesian translation for: {item!r}", file=sys.stderr)
        return 1
    target = HERE / "id" / "LC_MESSAGES"
    target.mkdir(parents=True, exist_ok=True)
    with open(target / "messages.po", "wb") as handle:
        write_po(handle, catalog, omit_header=False, sort_output=True, no_location=True)
    with open(target / "messages.mo", "wb") as handle:
        write_mo(handle, catalog)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
