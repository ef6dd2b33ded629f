"""The review pages' own catalogue (domain ``review``), in English and Indonesian.

The pages and the compliance report call ``tr``/``ntr``; the Indonesian strings live in
``webclient/review/translations`` (regenerate with ``python -m
webclient.review.translations.indonesian``). Outside a request (the ``mailguard report``
command) ``translator(lang)`` gives the same functions for a chosen language.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from babel.support import NullTranslations, Translations
from flask import Flask
from flask_babel import Domain

DIRECTORY = Path(__file__).parent / "translations"
DOMAIN_NAME = "review"
LANGUAGES = ("en", "id")

domain = Domain(translation_directories=str(DIRECTORY), domain=DOMAIN_NAME)


def tr(message: str, **variables: Any) -> str:
    """Translate ``message`` into the request's language and fill in ``variables``."""
    return str(domain.gettext(message, **variables))


def ntr(singular: str, plural: str, num: int, **variables: Any) -> str:
    """Translate a message that depends on ``num`` into the request's language."""
    return str(domain.ngettext(singular, plural, num, **variables))


@dataclass(frozen=True, slots=True)
class Translator:
    """``tr``/``ntr`` for one language, usable without a Flask request."""

    lang: str
    tr: Callable[..., str]
    ntr: Callable[..., str]


def translator(lang: str) -> Translator:
    """Return the review catalogue's functions for ``lang`` ("en" or "id")."""
    if lang not in LANGUAGES:
        raise ValueError(f"the report languages are {', '.join(LANGUAGES)}; got {lang!r}")
    catalogue: NullTranslations = (Translations.load(str(DIRECTORY), [lang], DOMAIN_NAME)
                                   if lang != "en" else NullTranslations())

    def _tr(message: str, **variables: Any) -> str:
        text = catalogue.gettext(message)
        return text % variables if variables else text

    def _ntr(singular: str, plural: str, num: int, **variables: Any) -> str:
        text = catalogue.ngettext(singular, plural, num)
        return text % {"num": num, **variables}

    return Translator(lang=lang, tr=_tr, ntr=_ntr)


def init_app(app: Flask) -> None:
    """Make ``tr`` and ``ntr`` available to every template."""
    app.jinja_env.globals.update(tr=tr, ntr=ntr)
