"""English and Indonesian: the reader's choice sticks in a cookie; otherwise the browser's."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask, request
from flask_babel import (
    Babel,
    format_date,
    format_datetime,
    format_decimal,
    format_time,
    get_locale,
    gettext,
    to_user_timezone,
)

LANGUAGES: dict[str, str] = {"en": "English", "id": "Bahasa Indonesia"}
LANGUAGE_COOKIE = "mailguard_lang"

babel = Babel()


def select_locale() -> str:
    """Return the language of this request: the saved choice, else the browser's, else en."""
    chosen = request.cookies.get(LANGUAGE_COOKIE, "")
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(list(LANGUAGES)) or "en"


def init_app(app: Flask) -> None:
    """Install Babel with the committed catalogues under ``webclient/translations``."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "en")
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Asia/Jakarta")
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals["LANGUAGES"] = LANGUAGES
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.filters["mail_date"] = mail_date
    app.jinja_env.filters["filesize"] = filesize


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
