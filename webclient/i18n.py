"""English and Indonesian: the reader's choice sticks in a cookie; otherwise the browser's.

Times are shown in the browser's time zone, which the page script reports in a cookie
(Indonesia alone has three); until it has, and without script, in Western Indonesia Time.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from zoneinfo import available_timezones

from babel.support import NullTranslations
from flask import Flask, g, has_app_context, request
from flask_babel import (
    Babel,
    format_date,
    format_datetime,
    format_decimal,
    format_time,
    get_locale,
    get_translations,
    gettext,
    to_user_timezone,
)

LANGUAGES: dict[str, str] = {"en": "English", "id": "Bahasa Indonesia"}
LANGUAGE_COOKIE = "mailguard_lang"
#: Set by ``static/app.js`` to the browser's IANA time zone name.
TIME_ZONE_COOKIE = "mailguard_tz"

babel = Babel()


def select_locale() -> str:
    """Return the language of this request: the saved choice, else the browser's, else en."""
    chosen = request.cookies.get(LANGUAGE_COOKIE, "")
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(list(LANGUAGES)) or "en"


@cache
def _known_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def select_timezone() -> str | None:
    """Return the time zone the browser reported, if it is a known IANA name; else None.

    None leaves Flask-Babel's default (``BABEL_DEFAULT_TIMEZONE``). The name is checked
    against the zone database's list, so a cookie can never name a file to open.
    """
    reported = request.cookies.get(TIME_ZONE_COOKIE, "")
    return reported if reported in _known_zones() else None


def init_app(app: Flask) -> None:
    """Install Babel with the committed catalogues under ``webclient/translations``."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "en")
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Asia/Jakarta")
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    # Flask-Babel's template callables look the catalogue up again for every word (three
    # context lookups and the locale's name each time); a page shows some fifty words.
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: request_translations().ugettext(s),
        ngettext=lambda s, p, n: request_translations().ungettext(s, p, n),
        pgettext=lambda c, s: request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: request_translations().unpgettext(c, s, p, n),
        newstyle=True)
    app.jinja_env.globals["LANGUAGES"] = LANGUAGES
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.filters["mail_date"] = mail_date
    app.jinja_env.filters["filesize"] = filesize


def request_translations() -> NullTranslations:
    """Return the catalogue of this request's language, looked up once per request.

    The language of a request never changes once chosen (nothing here calls
    ``flask_babel.refresh``), so the catalogue Flask-Babel returns first stays right.
    """
    if not has_app_context():
        return get_translations()
    found: NullTranslations | None = g.get("_mailguard_translations")
    if found is None:
        found = g._mailguard_translations = get_translations()
    return found


def mail_date(moment: datetime, full: bool = False) -> str:
    """Format a message time: the time today, the day this year, else the date."""
    local = to_user_timezone(moment)
    now = to_user_timezone(datetime.now(UTC))
    if full:
        return format_datetime(moment, "medium")
    if local.date() == now.date():
        return format_time(moment, "short")
    if local.year == now.year:
        return format_date(moment, "d MMM")
    return format_date(moment, "short")


def filesize(size: int) -> str:
    """Format a byte count for people."""
    if size < 1024:
        return gettext("%(num)d bytes", num=size)
    if size < 1024 * 1024:
        return gettext("%(num)s KB", num=format_decimal(round(size / 1024, 1)))
    return gettext("%(num)s MB", num=format_decimal(round(size / 1024 / 1024, 1)))
