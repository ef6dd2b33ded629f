"""The mail client's Indonesian wordings: ``python -m webclient.translations.indonesian``.

Running the module extracts every ``_``/``gettext``/``ngettext``/``lazy_gettext``/``_l``
message of the web client's code and templates (the calls ``babel.cfg`` names), writes
them to ``messages.pot``, fills ``id/LC_MESSAGES/messages.po`` from the table below and
compiles ``messages.mo`` (see ``webclient.translations.catalogue_builder``). A message
missing from the table stops it, so no visible string ships untranslated.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS

from webclient.translations.catalogue_builder import CatalogueSource, Message, Wording, build

HERE = Path(__file__).parent
SOURCE = CatalogueSource(
    domain="messages", keywords={**DEFAULT_KEYWORDS, "lazy_gettext": None, "_l": None},
    method_map=[("**.py", "python"), ("templates/**.html", "jinja2")], directory=HERE,
    template=HERE / "messages.pot")

INDONESIAN: dict[Message, Wording] = {
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
    "Message starred.": "Pesan diberi bintang.",
    "Star removed from the message.": "Bintang dihapus dari pesan.",
    "Star this message": "Beri bintang pesan ini",
    "Unstar this message": "Hapus bintang pesan ini",
    "(no subject)": "(tanpa subjek)",
    "(unnamed file)": "(berkas tanpa nama)",
    "Attached to this draft": "Terlampir pada draf ini",
    "Remove": "Hapus",
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
    "Date: %(when)s": "Tanggal: %(when)s",
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
    ("You chose to always show images from this sender, but Gmail could not confirm "
     "that this message comes from them (it may be forged), so its images were not "
     "loaded."):
        ("Anda memilih untuk selalu menampilkan gambar dari pengirim ini, tetapi Gmail "
         "tidak dapat memastikan bahwa pesan ini berasal darinya (mungkin dipalsukan), "
         "jadi gambarnya tidak dimuat."),
    "Your message may still be sent": "Pesan Anda mungkin masih terkirim",
    "Gmail did not confirm the send in time, and MailGuard did not send it again. Look in "
    "Sent before you send it again, so it does not go out twice.":
        "Gmail tidak mengonfirmasi pengiriman tepat waktu, dan MailGuard tidak mengirimnya "
        "lagi. Periksa folder Terkirim sebelum mengirimnya lagi, agar tidak terkirim dua "
        "kali.",
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
    ("Images from this sender will be shown in messages Gmail confirms they sent. "
     "This message could not be confirmed, so its images stay hidden."):
        ("Gambar dari pengirim ini akan ditampilkan pada pesan yang dipastikan Gmail "
         "dikirim olehnya. Pesan ini tidak dapat dipastikan, jadi gambarnya tetap "
         "disembunyikan."),
    "Important": "Penting",
    "Inbox": "Kotak Masuk",
    "Know which Google account you signed in with (your email address)":
        "Mengetahui akun Google yang Anda gunakan untuk masuk (alamat email Anda)",
    "Label": "Label",
    ("Label changed on %(num)d conversation.", "Label changed on %(num)d conversations."):
        ("Label diubah pada %(num)d percakapan.",),
    "Label created.": "Label dibuat.",
    "Support": "Dukungan",
    "Security": "Keamanan",
    "Legal": "Hukum",
    "Operations": "Operasional",
    "Abuse": "Penyalahgunaan",
    "Fraud": "Penipuan",
    "Security incident": "Insiden keamanan",
    "Software fault": "Kesalahan perangkat lunak",
    "Security review": "Tinjauan keamanan",
    "A label with this name already exists. Choose another name.":
        "Sudah ada label dengan nama ini. Pilih nama lain.",
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
    "Send anyway": "Tetap kirim",
    "Send this message without a subject or text in the body?":
        "Kirim pesan ini tanpa subjek atau teks di isi pesan?",
    "Or add a subject below and press Send. What you wrote is kept as a draft.":
        "Atau tambahkan subjek di bawah lalu tekan Kirim. Yang Anda tulis disimpan sebagai "
        "draf.",
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
    "The draft was not saved:": "Draf tidak disimpan:",
    "Gmail is not answering. What you wrote is still here; try again in a moment.":
        "Gmail tidak menjawab. Yang Anda tulis masih ada di sini; coba lagi sebentar lagi.",
    "These files total more than 25 MB, which Gmail does not accept, so they were not "
    "attached. Choose fewer or smaller files.":
        "Total file ini lebih dari 25 MB, yang tidak diterima Gmail, jadi file tidak "
        "dilampirkan. Pilih file yang lebih sedikit atau lebih kecil.",
    "Gmail's daily limit was reached": "Batas harian Gmail sudah tercapai",
    "Google limits how many Gmail requests MailGuard may make each day, and today's are used "
    "up. Your mail is safe in Gmail; try again later.":
        "Google membatasi jumlah permintaan Gmail yang boleh dibuat MailGuard setiap hari, dan "
        "jatah hari ini sudah habis. Email Anda aman di Gmail; coba lagi nanti.",
    "Your organisation does not allow this": "Organisasi Anda tidak mengizinkan ini",
    "Your Google Workspace administrator does not allow apps to reach Gmail for your account. "
    "Ask them to allow MailGuard.":
        "Administrator Google Workspace Anda tidak mengizinkan aplikasi mengakses Gmail untuk "
        "akun Anda. Mintalah mereka mengizinkan MailGuard.",
    "Gmail does not accept this label name; it keeps names such as Inbox, Spam and Drafts "
    "for its own labels. Choose another name.":
        "Gmail tidak menerima nama label ini; nama seperti Inbox, Spam, dan Drafts dipakai "
        "Gmail untuk labelnya sendiri. Pilih nama lain.",
    "These files were not kept; attach them again: %(list)s":
        "File berikut tidak disimpan; lampirkan lagi: %(list)s",
    "Draft saved without the entries that are not email addresses: %(list)s":
        "Draf disimpan tanpa entri yang bukan alamat email: %(list)s",
    "The draft open here was sent or deleted in another window; what you wrote here is "
    "saved as a new draft.":
        "Draf yang terbuka di sini sudah dikirim atau dihapus di jendela lain; yang Anda "
        "tulis di sini disimpan sebagai draf baru.",
    "The draft open here was sent or deleted in another window, so this was not sent. What "
    "you wrote here is saved as a new draft: send it if it should go out as well.":
        "Draf yang terbuka di sini sudah dikirim atau dihapus di jendela lain, jadi pesan "
        "ini tidak dikirim. Yang Anda tulis di sini disimpan sebagai draf baru: kirimkan "
        "jika pesan ini juga perlu dikirim.",
    "This draft is no longer here": "Draf ini sudah tidak ada",
    "It was sent or deleted, perhaps in another window or on another device. Sent "
    "messages are in Sent; your other drafts are in Drafts.":
        "Draf ini sudah dikirim atau dihapus, mungkin di jendela atau perangkat lain. Pesan "
        "yang terkirim ada di Terkirim; draf Anda yang lain ada di Draf.",
    "Go to Drafts": "Buka Draf",
    "The draft first open here was sent or deleted in another window. Send will send what "
    "you wrote here as a new message. Send it?":
        "Draf yang pertama terbuka di sini sudah dikirim atau dihapus di jendela lain. Kirim "
        "akan mengirim yang Anda tulis di sini sebagai pesan baru. Kirim?",
    "Send as a new message": "Kirim sebagai pesan baru",
    "Or press Save draft to keep it as a draft, or Discard.":
        "Atau tekan Simpan draf untuk menyimpannya sebagai draf, atau Buang.",
    "The draft's files could not be kept, as it is gone: %(list)s. Attach them again if "
    "they should go with it.":
        "File draf ini tidak dapat disimpan karena drafnya sudah tidak ada: %(list)s. "
        "Lampirkan lagi jika file itu perlu ikut dikirim.",
    "The original message's attachments are forwarded too.":
        "Lampiran pesan asli juga ikut diteruskan.",
    "There is nothing at this address.": "Tidak ada apa pun di alamat ini.",
    "MailGuard is being updated": "MailGuard sedang diperbarui",
    "This part of MailGuard is being updated. Try again in a few minutes.":
        "Bagian MailGuard ini sedang diperbarui. Coba lagi dalam beberapa menit.",
    "Bad request": "Permintaan tidak valid",
    "Gmail could not understand this search": "Gmail tidak memahami pencarian ini",
    "Check the search for an unclosed parenthesis or quote, or an operator without a value, "
    "and search again.":
        "Periksa apakah ada tanda kurung atau tanda kutip yang belum ditutup, atau operator "
        "tanpa nilai, lalu cari lagi.",
    "Gmail could not use this request; the link may have expired. Go back and try again "
    "from the page.":
        "Gmail tidak dapat memakai permintaan ini; tautannya mungkin sudah kedaluwarsa. "
        "Kembali dan coba lagi dari halamannya.",
    "MailGuard could not understand this request. Go back and try again from the page.":
        "MailGuard tidak dapat memahami permintaan ini. Kembali dan coba lagi dari halamannya.",
    "You may not open this page.": "Anda tidak boleh membuka halaman ini.",
    "Not possible here": "Tidak dapat dilakukan di sini",
    "This address does not take this kind of request. Use the page's own buttons and links.":
        "Alamat ini tidak menerima permintaan jenis ini. Gunakan tombol dan tautan di "
        "halamannya.",
    "Something went wrong": "Terjadi kesalahan",
    "MailGuard could not finish this request. Try again in a minute; if it keeps happening, "
    "tell Qontak support.":
        "MailGuard tidak dapat menyelesaikan permintaan ini. Coba lagi dalam satu menit; jika "
        "terus terjadi, beri tahu dukungan Qontak.",
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
    "You are signed out on every browser.": "Anda sudah keluar di semua browser.",
    "MailGuard does not answer for this host name.":
        "MailGuard tidak melayani nama host ini.",
    "Browsers signed in": "Browser yang sedang masuk",
    "Signed in %(start)s, last used %(seen)s":
        "Masuk %(start)s, terakhir dipakai %(seen)s",
    "this browser": "browser ini",
    "Sign out on every browser": "Keluar di semua browser",
    "Ends every MailGuard session of yours, this one too; your Gmail accounts stay "
    "connected.":
        "Mengakhiri semua sesi MailGuard Anda, termasuk yang ini; akun Gmail Anda tetap "
        "terhubung.",
    "You cancelled the sign-in at Google, so no account was connected.":
        "Anda membatalkan proses masuk di Google, jadi tidak ada akun yang dihubungkan.",
    "Your Gmail, kept private": "Gmail Anda, tetap privat",
    "attachment": "lampiran",
    "‹ Back": "‹ Kembali",
    "‹ Newer": "‹ Lebih baru",
    # The staff console (webclient/staff).
    "A user can share specific messages with Qontak support from their privacy centre. Enter "
    "the consent reference they gave you to see exactly those messages, until the consent "
    "expires or the user revokes it.":
        "Pengguna dapat membagikan pesan tertentu kepada dukungan Qontak dari pusat privasinya. "
        "Masukkan referensi persetujuan yang mereka berikan untuk melihat tepat pesan-pesan itu, "
        "sampai persetujuan kedaluwarsa atau dicabut pengguna.",
    "Access granted.": "Akses diberikan.",
    "Access requested. Another member of your role must approve it before you can view "
    "anything.":
        "Akses diminta. Anggota lain dari peran Anda harus menyetujuinya sebelum Anda dapat "
        "melihat apa pun.",
    "Access requests": "Permintaan akses",
    "Access rests on a recorded basis and lasts at most %(hours)d hours. Where the policy "
    "requires it, another member of your role must approve before you can view anything.":
        "Akses harus memiliki dasar yang tercatat dan berlaku paling lama %(hours)d jam. Bila "
        "kebijakan mewajibkannya, anggota lain dari peran Anda harus menyetujui sebelum Anda "
        "dapat melihat apa pun.",
    "Accesses": "Akses",
    "Act in this role": "Bertindak dalam peran ini",
    "Active": "Aktif",
    "Activity by day and purpose": "Aktivitas per hari dan tujuan",
    "Aggregates": "Agregat",
    "All access requests": "Semua permintaan akses",
    "Another member of your role must approve this request; you cannot approve your own.":
        "Anggota lain dari peran Anda harus menyetujui permintaan ini; Anda tidak dapat "
        "menyetujui permintaan sendiri.",
    "Approval lapsed": "Persetujuan kedaluwarsa",
    "Approve": "Setujui",
    "Approved by": "Disetujui oleh",
    "Approved. The requester can now view what the grant covers.":
        "Disetujui. Peminta kini dapat melihat apa yang dicakup izin ini.",
    "Attachments (names only):": "Lampiran (hanya nama):",
    "Back to the staff console": "Kembali ke konsol staf",
    "Basis": "Dasar",
    "Basis of this view": "Dasar tampilan ini",
    "Case category": "Kategori kasus",
    "Choose a basis and give the duration in hours.":
        "Pilih dasar dan isi durasi dalam jam.",
    "Choose one of the questions.": "Pilih salah satu pertanyaan.",
    "Choose…": "Pilih…",
    "Connected mailboxes by domain size": "Kotak surat terhubung menurut ukuran domain",
    "Consent reference": "Referensi persetujuan",
    "Enter the consent reference the user gave you; it starts with cns_.":
        "Masukkan referensi persetujuan yang diberikan pengguna kepada Anda; awalnya cns_.",
    "Consented messages": "Pesan dengan persetujuan",
    "Count": "Hitung",
    "Counts over groups of mailboxes, never messages or identifiers. A group with fewer "
    "mailboxes than the policy's minimum is shown as suppressed, with no numbers.":
        "Hitungan atas kelompok kotak surat, tidak pernah pesan atau pengenal. Kelompok dengan "
        "kotak surat lebih sedikit dari batas minimum kebijakan ditampilkan sebagai disembunyikan, "
        "tanpa angka.",
    "Date": "Tanggal",
    "Day (UTC)": "Hari (UTC)",
    "Duration in hours": "Durasi dalam jam",
    "Expired": "Kedaluwarsa",
    "Give a message id or a conversation id.": "Isi ID pesan atau ID percakapan.",
    "Give a start day before the end day, at most a year apart.":
        "Isi hari mulai sebelum hari akhir, dengan jarak paling lama satu tahun.",
    "Google's answer could not be accepted. Start the sign-in again.":
        "Jawaban Google tidak dapat diterima. Mulai proses masuk lagi.",
    "Grant": "Izin akses",
    "Grant %(id)s for %(mailbox)s, in force until %(until)s.":
        "Izin akses %(id)s untuk %(mailbox)s, berlaku sampai %(until)s.",
    "Granted messages": "Pesan yang diizinkan",
    "Legal request": "Permintaan hukum",
    "Legal request reference": "Referensi permintaan hukum",
    "Mailbox": "Kotak surat",
    "Mailbox (Gmail address)": "Kotak surat (alamat Gmail)",
    "Mailboxes": "Kotak surat",
    "Mailboxes in the domain": "Kotak surat di domain",
    "Message id": "ID pesan",
    "Messages": "Pesan",
    "Minimum group size: %(k)d mailboxes.": "Ukuran kelompok minimum: %(k)d kotak surat.",
    "No activity in this period.": "Tidak ada aktivitas pada periode ini.",
    "Nothing is waiting for approval.": "Tidak ada yang menunggu persetujuan.",
    "Only Qontak staff accounts (@%(domain)s) can sign in to the staff console.":
        "Hanya akun staf Qontak (@%(domain)s) yang dapat masuk ke konsol staf.",
    "Only accounts of %(domain)s registered as staff can sign in.":
        "Hanya akun %(domain)s yang terdaftar sebagai staf yang dapat masuk.",
    "Open": "Buka",
    "Purpose": "Tujuan",
    "Qontak staff console": "Konsol staf Qontak",
    "Question": "Pertanyaan",
    "Refuse": "Tolak",
    "Refused or revoked": "Ditolak atau dicabut",
    "Refused. The grant cannot be used.": "Ditolak. Izin akses ini tidak dapat digunakan.",
    "Request access": "Minta akses",
    "Request access to a mailbox": "Minta akses ke kotak surat",
    "Request lapsed": "Permintaan kedaluwarsa",
    "Requested at": "Diminta pada",
    "Requested by": "Diminta oleh",
    "Role": "Peran",
    "Security case": "Kasus keamanan",
    "Security case id": "ID kasus keamanan",
    "Sign in with your Qontak Google account": "Masuk dengan akun Google Qontak Anda",
    "Sign out of the console": "Keluar dari konsol",
    "Staff console": "Konsol staf",
    "Staff see a user's mail only under a recorded basis: the user's consent for specific "
    "messages, an approved security case, or a legal request. Every view and every refusal "
    "is recorded.":
        "Staf hanya melihat email pengguna dengan dasar yang tercatat: persetujuan pengguna "
        "untuk pesan tertentu, kasus keamanan yang disetujui, atau permintaan hukum. Setiap "
        "tampilan dan setiap penolakan dicatat.",
    "Staff sign-in": "Masuk staf",
    "Staff sign-in is not configured: set MAILGUARD_STAFF_DOMAIN to Qontak's Google "
    "Workspace domain.":
        "Proses masuk staf belum dikonfigurasi: atur MAILGUARD_STAFF_DOMAIN ke domain Google "
        "Workspace Qontak.",
    "Status": "Status",
    "The grant book refused this (rule %(rule)s: %(reason)s). The refusal was recorded.":
        "Buku izin akses menolak ini (aturan %(rule)s: %(reason)s). Penolakan ini dicatat.",
    "The question was refused (rule %(rule)s). The refusal was recorded.":
        "Pertanyaan ini ditolak (aturan %(rule)s). Penolakan ini dicatat.",
    "The request was refused (rule %(rule)s). The refusal was recorded.":
        "Permintaan ini ditolak (aturan %(rule)s). Penolakan ini dicatat.",
    "The user agreed that %(grantee)s may view these messages until %(until)s.":
        "Pengguna menyetujui bahwa %(grantee)s boleh melihat pesan-pesan ini sampai %(until)s.",
    "This view was recorded in the audit log. Do not copy message content out of the "
    "console.":
        "Tampilan ini dicatat di log audit. Jangan menyalin isi pesan keluar dari konsol.",
    "Until": "Sampai",
    "Until (not included)": "Sampai (tidak termasuk)",
    "Waiting for a second approval": "Menunggu persetujuan kedua",
    "Waiting for approval": "Menunggu persetujuan",
    "Withdraw the request": "Tarik permintaan",
    "You are not registered as Qontak staff, so the console is closed to you. Ask a security "
    "administrator to add you with `mailguard staff add`. This attempt was recorded.":
        "Anda tidak terdaftar sebagai staf Qontak, jadi konsol ini tertutup bagi Anda. Minta "
        "administrator keamanan menambahkan Anda dengan `mailguard staff add`. Percobaan ini "
        "dicatat.",
    "You are viewing as": "Anda melihat sebagai",
    "You cancelled the sign-in at Google.": "Anda membatalkan proses masuk di Google.",
    "You do not hold that role.": "Anda tidak memegang peran itu.",
    "You hold no grants.": "Anda tidak memegang izin akses apa pun.",
    "Your grants": "Izin akses Anda",
    "Your role has no part of the console.": "Peran Anda tidak memiliki bagian di konsol ini.",
    "consent %(ref)s": "persetujuan %(ref)s",
    "legal request %(ref)s": "permintaan hukum %(ref)s",
    "or conversation id": "atau ID percakapan",
    "security case %(case)s (%(category)s)": "kasus keamanan %(case)s (%(category)s)",
    "suppressed (fewer than %(k)d mailboxes)":
        "disembunyikan (kurang dari %(k)d kotak surat)",
    "suppressed (with the day's total it would reveal a smaller group)":
        "disembunyikan (bersama total hari itu, angka ini akan mengungkap kelompok yang "
        "lebih kecil)",
    # The guard's refusal reasons, as the staff console shows them (webclient/staff/refusals.py).
    "no rule matched": "tidak ada aturan yang cocok",
    "the request could not be evaluated, so it is denied":
        "permintaan tidak dapat dinilai, jadi ditolak",
    "the purpose is not in the policy's vocabulary":
        "tujuan ini tidak ada dalam kosakata kebijakan",
    "the purpose does not allow this Gmail action":
        "tujuan ini tidak mengizinkan tindakan Gmail ini",
    "the staff role is not defined in the policy":
        "peran staf ini tidak ditetapkan dalam kebijakan",
    "the staff role may not use this basis": "peran staf ini tidak boleh memakai dasar ini",
    "the purpose does not match the basis of the access":
        "tujuannya tidak sesuai dengan dasar akses ini",
    "the actor is not an active staff member holding this role":
        "pelaku bukan anggota staf aktif yang memegang peran ini",
    "no user consent was presented": "tidak ada persetujuan pengguna yang diajukan",
    "the user revoked the consent": "pengguna telah menarik persetujuannya",
    "the consent has expired": "persetujuan pengguna sudah kedaluwarsa",
    "the consent runs longer than the policy allows":
        "persetujuan pengguna berlaku lebih lama daripada yang diizinkan kebijakan",
    "the consent is for a different mailbox": "persetujuan pengguna ini untuk kotak surat lain",
    "the consent names a different grantee":
        "persetujuan pengguna ini menyebut penerima akses yang lain",
    "a consent only allows viewing the consented messages":
        "persetujuan pengguna hanya mengizinkan melihat pesan yang disetujui",
    "a consent covers messages, not threads or labels":
        "persetujuan pengguna mencakup pesan, bukan percakapan atau label",
    "the request names no message": "permintaan ini tidak menyebut pesan apa pun",
    "a requested message is not covered by the consent":
        "pesan yang diminta tidak tercakup dalam persetujuan pengguna",
    "no grant was presented": "tidak ada izin akses yang diajukan",
    "the grant's basis differs from the access's basis":
        "dasar izin akses berbeda dari dasar akses ini",
    "the grant belongs to a different staff member": "izin akses ini milik anggota staf lain",
    "the grant was revoked": "izin akses ini telah dicabut",
    "the grant has expired": "izin akses ini sudah kedaluwarsa",
    "the grant runs longer than the policy allows":
        "izin akses berlaku lebih lama daripada yang diizinkan kebijakan",
    "the grant is for a different mailbox": "izin akses ini untuk kotak surat lain",
    "a security grant needs a case id and a case category":
        "izin akses keamanan memerlukan ID kasus dan kategori kasus",
    "the security case category is not in the policy":
        "kategori kasus keamanan ini tidak ada dalam kebijakan",
    "a legal grant needs a legal request reference":
        "izin akses hukum memerlukan referensi permintaan hukum",
    "the grant needs approval by a second person":
        "izin akses ini memerlukan persetujuan orang kedua",
    "the grant was approved by its own grantee":
        "izin akses ini disetujui oleh pemegangnya sendiri",
    "a grant only allows reading, never changing, data":
        "izin akses hanya mengizinkan membaca data, tidak pernah mengubahnya",
    "nobody approved the grant request in time; request it again":
        "tidak ada yang menyetujui permintaan izin akses tepat waktu; mintalah lagi",
    "the grant is not waiting for approval": "izin akses ini tidak sedang menunggu persetujuan",
    "only another active member of the grant's role may approve it":
        "hanya anggota aktif lain dari peran pemegang izin akses yang boleh menyetujuinya",
    "only the grantee or a member of the grant's role may revoke it":
        "hanya pemegang izin akses atau anggota perannya yang boleh mencabutnya",
    "the requester is not an active staff member with a role allowed this basis":
        "peminta bukan anggota staf aktif dengan peran yang diizinkan memakai dasar ini",
    "the aggregate basis never reaches messages or mailboxes":
        "dasar agregat tidak pernah menjangkau pesan atau kotak surat",
    "a requested field may not be aggregated": "kolom yang diminta tidak boleh diagregasi",
    "the aggregate has no groups": "agregat ini tidak memiliki kelompok",
    "a group is smaller than the policy's minimum group size":
        "sebuah kelompok lebih kecil daripada ukuran kelompok minimum dalam kebijakan",
    "Grants are for the security and legal bases; consent-based access uses the user's "
    "consent, and aggregates need no grant.":
        "Izin akses hanya untuk dasar keamanan dan hukum; akses berdasarkan persetujuan "
        "memakai persetujuan pengguna, dan agregat tidak memerlukan izin akses.",
    "Name the mailbox (its Gmail address) the grant is for.":
        "Sebutkan kotak surat (alamat Gmail-nya) yang dituju izin akses ini.",
    "A grant lasts more than zero and at most %(hours)s hours.":
        "Izin akses berlaku lebih dari nol dan paling lama %(hours)s jam.",
    "A security grant needs a case id and a case category.":
        "Izin akses keamanan memerlukan ID kasus dan kategori kasus.",
    "Give each day as a date like 2025-03-01.":
        "Isi setiap hari sebagai tanggal seperti 2025-03-01.",
    "More than 0 and at most %(hours)d; parts of an hour are allowed (0.5 is half an hour).":
        "Lebih dari 0 dan paling lama %(hours)d; bagian dari jam boleh (0.5 berarti setengah "
        "jam).",
    "The case category must be one of %(categories)s.":
        "Kategori kasus harus salah satu dari %(categories)s.",
    "A legal grant needs the legal request's reference.":
        "Izin akses hukum memerlukan nomor referensi permintaan hukum.",
    "Case ids and legal references are single-line ids of at most %(max)s characters, never "
    "an address: the mailbox goes in the mailbox field.":
        "ID kasus dan referensi hukum berupa ID satu baris dengan paling banyak %(max)s "
        "karakter, bukan alamat email: kotak surat diisi di kolom kotak surat.",
    "No grant has this id; check the grant list.":
        "Tidak ada izin akses dengan ID ini; periksa daftar izin akses.",
    "The text of this message could not be read; only Gmail's preview of it is shown.":
        "Teks pesan ini tidak dapat dibaca; hanya pratinjau dari Gmail yang ditampilkan.",
    "This message has no text; its attachments are listed below it.":
        "Pesan ini tidak berisi teks; lampirannya tercantum di bawahnya.",
    "This message has no text.":
        "Pesan ini tidak berisi teks.",
    "This message's content is images, which the user's consent does not cover: it covers "
    "the message's text and its attachments' names.":
        "Isi pesan ini berupa gambar, yang tidak tercakup dalam persetujuan pengguna: "
        "persetujuan itu mencakup teks pesan dan nama lampirannya.",
    "This message is too long to show in full; only its beginning is shown.":
        "Pesan ini terlalu panjang untuk ditampilkan seluruhnya; hanya bagian awalnya yang "
        "ditampilkan.",
    "Image": "Gambar",
    "Remote image blocked": "Gambar jarak jauh diblokir",
    "This message could not be displayed safely.":
        "Pesan ini tidak dapat ditampilkan dengan aman.",
    "Nothing can be shown": "Tidak ada yang dapat ditampilkan",
    "MailGuard holds no Gmail access to this mailbox: its owner never connected it, "
    "disconnected it, or Google withdrew the access. Nothing was fetched from it.":
        "MailGuard tidak memiliki akses Gmail ke kotak surat ini: pemiliknya tidak pernah "
        "menghubungkannya, memutuskannya, atau Google mencabut aksesnya. Tidak ada yang "
        "diambil darinya.",
}



def main() -> int:
    """Fill and compile the Indonesian catalogue; return 1 if a message has no translation."""
    return build(SOURCE, INDONESIAN)


if __name__ == "__main__":
    raise SystemExit(main())
