"""English and Indonesian: the switch sticks, and no visible string is left untranslated."""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo

from tests.webclient.conftest import post

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None,
            "N_": None}


def source_messages() -> set[str]:
    """Return every translatable message in the web client's code and templates."""
    method_map = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / "webclient", method_map, keywords=KEYWORDS):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def test_every_message_has_an_indonesian_translation():
    with open(ROOT / "webclient/translations/id/LC_MESSAGES/messages.mo", "rb") as handle:
        catalog = read_mo(io.BytesIO(handle.read()))
    translated = {m.id[0] if isinstance(m.id, (tuple, list)) else m.id for m in catalog
                  if m.id and m.string}
    missing = source_messages() - translated
    assert not missing, f"run `python -m webclient.translations.indonesian` after adding: {missing}"


def test_the_browser_language_is_used_until_the_reader_chooses(client):
    page = client.get("/auth/signin", headers={"Accept-Language": "id-ID,id;q=0.9"})
    assert "Masuk dengan Google" in page.get_data(as_text=True)
    assert 'lang="id"' in page.get_data(as_text=True)
    english = client.get("/auth/signin", headers={"Accept-Language": "en-US"})
    assert "Sign in with Google" in english.get_data(as_text=True)


def test_the_language_switch_sticks(signed_in):
    answer = post(signed_in, "/language", {"lang": "id", "next": "/u/0/f/inbox"})
    assert answer.status_code == 302 and answer.headers["Location"] == "/u/0/f/inbox"
    assert "Max-Age=31536000" in answer.headers["Set-Cookie"]
    inbox = signed_in.get("/u/0/f/inbox", headers={"Accept-Language": "en"}).get_data(
        as_text=True)
    assert "Kotak Masuk" in inbox and "Arsipkan" in inbox
    post(signed_in, "/language", {"lang": "en"})
    assert "Archive" in signed_in.get("/u/0/f/inbox").get_data(as_text=True)


def test_flash_messages_are_translated(signed_in):
    post(signed_in, "/language", {"lang": "id"})
    answer = post(signed_in, "/u/0/act", {"action": "archive"}, follow_redirects=True)
    assert "Pilih setidaknya satu percakapan dahulu." in answer.get_data(as_text=True)


def test_the_switch_refuses_an_outside_redirect(client):
    from tests.webclient.conftest import csrf_token

    token = csrf_token(client, "/auth/signin")
    answer = client.post("/language", data={"lang": "id", "next": "//evil.example/",
                                            "csrf_token": token})
    assert answer.headers["Location"] == "/"
