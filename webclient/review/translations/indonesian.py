"""The review pages' Indonesian wordings: ``python -m webclient.review.translations.indonesian``.

Running the module extracts every ``tr``/``ntr`` message of the review pages, the
compliance report and the charts, fills ``id/LC_MESSAGES/review.po`` from the table below
and compiles ``review.mo`` (see ``webclient.translations.catalogue_builder``). A message
missing from the table stops it, so no visible string ships untranslated.
"""

from __future__ import annotations

from pathlib import Path

from webclient.translations.catalogue_builder import CatalogueSource, Message, Wording, build

SOURCE = CatalogueSource(
    domain="review", keywords={"tr": None, "ntr": (1, 2)},
    method_map=[("review/**.py", "python"), ("charts.py", "python"),
                ("templates/review/**.html", "jinja2")],
    directory=Path(__file__).parent)

INDONESIAN: dict[Message, Wording] = {
    "%(checked)d of %(size)d entries checked; root %(root)s":
        "%(checked)d dari %(size)d entri diperiksa; akar %(root)s",
    "%(field)s: choose one of %(choices)s": "%(field)s: pilih salah satu dari %(choices)s",
    "%(field)s: give a UTC date like 2025-03-01 or a time like 2025-03-01T09:30":
        "%(field)s: isi tanggal UTC seperti 2025-03-01 atau waktu seperti 2025-03-01T09:30",
    "%(field)s: give a single line of at most 256 characters":
        "%(field)s: isi satu baris, paling banyak 256 karakter",
    "%(field)s: give a whole number": "%(field)s: isi bilangan bulat",
    "%(field)s: give a day on or after the start of the period":
        "%(field)s: isi hari yang sama dengan atau setelah awal periode",
    "%(size)d entries at %(time)s": "%(size)d entri pada %(time)s",
    "%(total)d entries in this period: %(allowed)d allowed, %(denied)d denied.":
        "%(total)d entri dalam periode ini: %(allowed)d diizinkan, %(denied)d ditolak.",
    "%(who)s touched %(num)d mailboxes (threshold %(limit)d).":
        "%(who)s menyentuh %(num)d kotak surat (ambang %(limit)d).",
    ("%(num)d proof hash", "%(num)d proof hashes"): ("%(num)d hash bukti",),
    ("%(who)s accessed mail %(num)d time outside office hours.",
     "%(who)s accessed mail %(num)d times outside office hours."):
        ("%(who)s mengakses email %(num)d kali di luar jam kerja.",),
    ("%(who)s ran %(num)d aggregate query outside office hours (counts only, no mail).",
     "%(who)s ran %(num)d aggregate queries outside office hours (counts only, no mail)."):
        ("%(who)s menjalankan %(num)d kueri agregat di luar jam kerja (hanya hitungan, "
         "tanpa email).",),
    ("%(who)s used grant %(grant)s %(num)d time after someone tried to revoke it.",
     "%(who)s used grant %(grant)s %(num)d times after someone tried to revoke it."):
        ("%(who)s memakai izin %(grant)s %(num)d kali setelah ada yang mencoba mencabutnya.",),
    ("%(who)s was refused %(num)d time (threshold %(limit)d).",
     "%(who)s was refused %(num)d times (threshold %(limit)d)."):
        ("%(who)s ditolak %(num)d kali (ambang %(limit)d).",),
    ("Prohibited purpose %(purpose)s was attempted %(num)d time (refused).",
     "Prohibited purpose %(purpose)s was attempted %(num)d times (all refused)."):
        ("Tujuan terlarang %(purpose)s dicoba %(num)d kali (semua ditolak).",),
    ("and %(num)d more", "and %(num)d more"): ("dan %(num)d lagi",),
    "Accesses": "Akses",
    "Accesses by basis": "Akses menurut dasar",
    "Action": "Tindakan",
    "Activity over time": "Aktivitas dari waktu ke waktu",
    "Actor": "Pelaku",
    "Actor (address or id)": "Pelaku (alamat atau id)",
    "Actor kind": "Jenis pelaku",
    "Address (mailbox or actor)": "Alamat (kotak surat atau pelaku)",
    "Alerts": "Peringatan",
    "Allowed": "Diizinkan",
    "Attempts": "Percobaan",
    "Audit entry %(seq)d": "Entri audit %(seq)d",
    "Audit log integrity": "Integritas log audit",
    "Audit log: %(origin)s; policy version %(version)s":
        "Log audit: %(origin)s; versi kebijakan %(version)s",
    "Audit search": "Pencarian audit",
    "Back to the search": "Kembali ke pencarian",
    "Back to the security review": "Kembali ke tinjauan keamanan",
    "Basis": "Dasar",
    "Charts show at most %(days)d days: these are the last %(days)d days of the period.":
        "Grafik menampilkan paling banyak %(days)d hari: ini adalah %(days)d hari terakhir "
        "dari periode tersebut.",
    "Charts": "Grafik",
    "Checkpoint signature valid": "Tanda tangan checkpoint sah",
    "Checkpoint signatures were checked against keys read from the database.":
        "Tanda tangan checkpoint diperiksa dengan kunci yang dibaca dari basis data.",
    "Checkpoints": "Checkpoint",
    "Clear": "Kosongkan",
    "Compliance report": "Laporan kepatuhan",
    "Decision": "Keputusan",
    "Denials by rule": "Penolakan menurut aturan",
    "Download HTML": "Unduh HTML",
    "Download PDF": "Unduh PDF",
    "Entries in the log": "Entri dalam log",
    "Entries in the period: %(total)d (%(allowed)d allowed, %(denied)d denied)":
        "Entri dalam periode: %(total)d (%(allowed)d diizinkan, %(denied)d ditolak)",
    "Entry bytes match the leaf": "Bita entri cocok dengan daun",
    "Export CSV": "Ekspor CSV",
    "Export JSON lines": "Ekspor JSON lines",
    "Exported checkpoint": "Checkpoint yang diekspor",
    "Exported checkpoints compared: %(num)d": "Checkpoint ekspor yang dibandingkan: %(num)d",
    "Filters": "Filter",
    "Finished %(time)s UTC.": "Selesai %(time)s UTC.",
    "First bad entry: %(seq)s (%(problem)s)": "Entri rusak pertama: %(seq)s (%(problem)s)",
    "First bad entry: one of entries %(first)s to %(last)s (%(problem)s)":
        "Entri rusak pertama: salah satu dari entri %(first)s sampai %(last)s (%(problem)s)",
    "From (UTC)": "Dari (UTC)",
    "Generated: %(time)s": "Dibuat: %(time)s",
    "Gmail accounts connected in the period: %(num)d":
        "Akun Gmail yang dihubungkan dalam periode: %(num)d",
    "Human accesses by basis": "Akses manusia menurut dasar",
    "Human accesses per staff member": "Akses manusia per anggota staf",
    "Inclusion proof": "Bukti inklusi",
    "Intact: %(checked)d entries, %(nodes)d Merkle nodes and %(checkpoints)d checkpoints "
    "verified.": "Utuh: %(checked)d entri, %(nodes)d simpul Merkle dan %(checkpoints)d "
                 "checkpoint terverifikasi.",
    "Integrity": "Integritas",
    "Last verification": "Verifikasi terakhir",
    "Latest entry: %(seq)d": "Entri terbaru: %(seq)d",
    "Latest signed checkpoint": "Checkpoint bertanda tangan terbaru",
    "Latest signed checkpoint: %(size)d entries at %(time)s":
        "Checkpoint bertanda tangan terbaru: %(size)d entri pada %(time)s",
    "Leaf hash": "Hash daun",
    "MailGuard compliance report": "Laporan kepatuhan MailGuard",
    "Mailbox": "Kotak surat",
    "Mailbox address": "Alamat kotak surat",
    "Mailboxes per staff member": "Kotak surat per anggota staf",
    "Newer": "Lebih baru",
    "No alerts in this period.": "Tidak ada peringatan dalam periode ini.",
    "No entries in this period.": "Tidak ada entri dalam periode ini.",
    "No entry matches these filters.": "Tidak ada entri yang cocok dengan filter ini.",
    "No exported checkpoint is configured (set MAILGUARD_REVIEW_EXPORTED_CHECKPOINT to the "
    "file's path).":
        "Belum ada checkpoint ekspor yang diatur (isi MAILGUARD_REVIEW_EXPORTED_CHECKPOINT "
        "dengan path file-nya).",
    "None in this period.": "Tidak ada dalam periode ini.",
    "Not delivered": "Tidak terkirim",
    "Not proven: this entry could not be shown to be in a signed checkpoint. Run a full "
    "verification.": "Tidak terbukti: entri ini tidak dapat ditunjukkan ada dalam checkpoint "
                     "bertanda tangan. Jalankan verifikasi penuh.",
    "Not verified since this server started.": "Belum diverifikasi sejak server ini berjalan.",
    "Office hours": "Jam kerja",
    "Older": "Lebih lama",
    "Outcome": "Hasil",
    "Path reaches the root": "Jalur mencapai akar",
    "Period": "Periode",
    "Period: %(since)s to %(until)s (UTC)": "Periode: %(since)s sampai %(until)s (UTC)",
    "Policy version": "Versi kebijakan",
    "Prohibited-purpose attempts": "Percobaan tujuan terlarang",
    "Prohibited-use attempts (all refused)": "Percobaan penggunaan terlarang (semua ditolak)",
    "Proven: this entry is in the log's signed checkpoint of %(size)d entries.":
        "Terbukti: entri ini ada dalam checkpoint bertanda tangan log berisi %(size)d entri.",
    "Purpose": "Tujuan",
    "Purpose (or family.*)": "Tujuan (atau keluarga.*)",
    "Purposes used": "Tujuan yang digunakan",
    "Recipient": "Penerima",
    "Refusals per actor": "Penolakan per pelaku",
    "Refused": "Ditolak",
    "Request id": "Id permintaan",
    "Resource id": "Id sumber daya",
    "Resources": "Sumber daya",
    "Root hash": "Hash akar",
    "Rule": "Aturan",
    "Scope": "Cakupan",
    "Scopes requested": "Cakupan yang diminta",
    "Search": "Cari",
    "Security review": "Tinjauan keamanan",
    "Sent": "Terkirim",
    "Show": "Tampilkan",
    "Show the entries": "Tampilkan entrinya",
    "Signed checkpoint": "Checkpoint bertanda tangan",
    "Signed in as %(email)s (security)": "Masuk sebagai %(email)s (keamanan)",
    "TAMPERED": "DIUBAH",
    "TAMPERED: the first bad entry is %(seq)s (%(problem)s).":
        "DIUBAH: entri rusak pertama adalah %(seq)s (%(problem)s).",
    "TAMPERED: the first bad entry is one of entries %(first)s to %(last)s (%(problem)s).":
        "DIUBAH: entri rusak pertama adalah salah satu dari entri %(first)s sampai %(last)s "
        "(%(problem)s).",
    "The evidence for Google's annual restricted-scope assessment: scopes, purposes, human "
    "accesses, transfers, prohibited-use attempts and the audit log's integrity.":
        "Bukti untuk penilaian tahunan cakupan terbatas Google: cakupan, tujuan, akses manusia, "
        "transfer, percobaan penggunaan terlarang, dan integritas log audit.",
    "The exported checkpoint file cannot be read; check the path and its permissions.":
        "File checkpoint ekspor tidak dapat dibaca; periksa path dan izinnya.",
    "The exported checkpoint's signature is not the log's key: the file was altered or belongs "
    "to another log.": "Tanda tangan checkpoint ekspor bukan dari kunci log ini: file diubah "
                       "atau milik log lain.",
    "The log has %(log_size)d entries but the exported checkpoint signed %(size)d: entries were "
    "removed.": "Log berisi %(log_size)d entri tetapi checkpoint ekspor menandatangani "
                "%(size)d: ada entri yang dihapus.",
    "The log still contains the exported tree of %(size)d entries.":
        "Log masih memuat pohon ekspor berisi %(size)d entri.",
    "The log's first %(size)d entries no longer hash to the exported root: entries were "
    "changed.": "%(size)d entri pertama log tidak lagi menghasilkan akar ekspor: ada entri "
                "yang diubah.",
    "Thresholds": "Ambang",
    "Time (UTC)": "Waktu (UTC)",
    "Transfers by recipient and basis": "Transfer menurut penerima dan dasar",
    "Transfers per recipient": "Transfer per penerima",
    "Tree size": "Ukuran pohon",
    "Until (UTC, inclusive day)": "Sampai (UTC, termasuk hari itu)",
    "Verification could not run (%(error)s). Try again.":
        "Verifikasi tidak dapat berjalan (%(error)s). Coba lagi.",
    "Verification is running (started %(time)s UTC). Reload this page to see the result.":
        "Verifikasi sedang berjalan (mulai %(time)s UTC). Muat ulang halaman ini untuk "
        "melihat hasilnya.",
    "Verified: %(verdict)s": "Terverifikasi: %(verdict)s",
    "Verify the whole log now": "Verifikasi seluruh log sekarang",
    "Your reading of the audit log is itself recorded in it.":
        "Pembacaan Anda atas log audit juga dicatat di dalamnya.",
    "allowed": "diizinkan",
    "any": "semua",
    "denied": "ditolak",
    "intact": "utuh",
    "no": "tidak",
    "none yet": "belum ada",
    "not checked (no verifier key)": "tidak diperiksa (tidak ada kunci verifikasi)",
    "other": "lainnya",
    "staff": "staf",
    "system": "sistem",
    "user": "pengguna",
    "yes": "ya",
    # An entry's codes as words (the code stays beside each word on the entry page).
    "support": "dukungan",
    "security": "keamanan",
    "legal": "hukum",
    "operations": "operasional",
    "consent": "persetujuan",
    "aggregate": "agregat",
    "feature": "fitur",
    "merger": "merger",
    "viewed": "dilihat",
    "no content": "tanpa isi",
    "refused": "ditolak",
    "blocked": "diblokir",
    "not found": "tidak ditemukan",
    "waiting for approval": "menunggu persetujuan",
    "active": "aktif",
    "done": "selesai",
}



def messages() -> set[Message]:
    """Return every review message in the code and templates."""
    return set(SOURCE.messages())


def main() -> int:
    """Write and compile the catalogue; return 1 naming untranslated messages."""
    return build(SOURCE, INDONESIAN)


if __name__ == "__main__":
    raise SystemExit(main())
