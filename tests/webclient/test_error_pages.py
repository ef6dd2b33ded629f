"""Every error answers with MailGuard's own page, in the reader's language, never a stack trace.

Werkzeug's defaults (a bare English page with no layout and no security headers' intent)
answered 400, 403, 405 and 500 before.
"""

from __future__ import annotations

import pytest
from flask import abort

from guard.vault import VaultKeyMissing
from tests.webclient.conftest import app_config
from webclient import create_app


@pytest.fixture
def app(web_emulator, tmp_path):
    application = create_app(app_config(web_emulator, tmp_path, PROPAGATE_EXCEPTIONS=False))

    @application.get("/_test/abort/<int:status>")
    def _abort(status: int) -> str:
        abort(status)

    @application.get("/_test/key-missing")
    def _key_missing() -> str:
        raise VaultKeyMissing("a row is sealed with key k-old, which this process was not given")

    @application.get("/_test/crash")
    def _crash() -> str:
        subject = " ".join(("Gaji", "Desember"))  # as if read from a message
        raise RuntimeError(f"failed on the subject {subject}")

    yield application
    application.extensions["mailguard.guard"].close()


@pytest.mark.parametrize(("path", "status", "english", "indonesian"), [
    ("/_test/abort/400", 400, "Bad request", "Permintaan tidak valid"),
    ("/_test/abort/403", 403, "You may not open this page.",
     "Anda tidak boleh membuka halaman ini."),
    ("/_test/crash", 500, "Something went wrong", "Terjadi kesalahan"),
    ("/_test/key-missing", 503, "MailGuard is being updated", "MailGuard sedang diperbarui"),
])
def test_errors_answer_with_the_apps_page_in_both_languages(app, path, status, english,
                                                            indonesian):
    client = app.test_client()
    page = client.get(path, headers={"Accept-Language": "en"})
    assert page.status_code == status
    text = page.get_data(as_text=True)
    assert english in text and "app.css" in text  # the app's own layout
    assert "Gaji Desember" not in text and "Traceback" not in text
    assert page.headers["Cache-Control"].startswith("no-store")
    assert "Content-Security-Policy" in page.headers
    assert indonesian in client.get(path, headers={"Accept-Language": "id"}).get_data(
        as_text=True)


def test_a_wrong_method_keeps_the_allow_header(app):
    answer = app.test_client().get("/language", headers={"Accept-Language": "id"})
    assert answer.status_code == 405
    assert "POST" in answer.headers["Allow"]
    assert "Tidak dapat dilakukan di sini" in answer.get_data(as_text=True)


def test_a_crash_is_logged_by_its_class_not_its_text(app, caplog):
    app.test_client().get("/_test/crash")
    logged = "\n".join(record.getMessage() + str(record.exc_info or "")
                       for record in caplog.records)
    assert "Exception on /_test/crash [GET]: RuntimeError (message withheld)" in logged
    assert "a request failed: RuntimeError" in logged
    assert "Gaji Desember" not in logged
