"""Every privacy-domain message has an Indonesian translation in the compiled catalogue."""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo

WEBCLIENT = Path(__file__).resolve().parents[3] / "webclient"
CATALOGUE = WEBCLIENT / "privacy/translations/id/LC_MESSAGES/privacy.mo"
METHOD_MAP = [("privacy/**.py", "python"), ("templates/privacy/**.html", "jinja2"),
              ("templates/mail/**.html", "jinja2")]


def source_messages() -> set[str]:
    """Return every ``p_``/``pn_`` message of the privacy code and templates."""
    return {message[0] if isinstance(message, tuple) else message
            for _f, _l, message, _c, _x in extract_from_dir(
                WEBCLIENT, METHOD_MAP, keywords={"p_": None, "pn_": (1, 2)})}


def test_every_privacy_message_has_an_indonesian_translation():
    catalog = read_mo(io.BytesIO(CATALOGUE.read_bytes()))
    translated = {m.id[0] if isinstance(m.id, (tuple, list)) else m.id for m in catalog
                  if m.id and m.string}
    found = source_messages()
    assert "Share with Qontak support" in found and len(found) > 100
    missing = found - translated
    assert not missing, ("run `python -m webclient.privacy.translations.indonesian` after: "
                         f"{missing}")
