"""Honour ``X-HTTP-Method-Override`` on POST, as Google's API front end does.

google-api-python-client turns a GET whose URL would pass 2,048 characters (a long
``q`` search, many ``metadataHeaders``) into a POST carrying ``X-HTTP-Method-Override:
GET`` with the query string as an ``application/x-www-form-urlencoded`` body. Google
serves it as the GET it stands for; so does the emulator, before routing sees it.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from typing import Any

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

_OVERRIDABLE = frozenset({"GET", "PUT", "PATCH", "DELETE"})
_FORM = "application/x-www-form-urlencoded"


class MethodOverride:
    """WSGI middleware: a POST with ``X-HTTP-Method-Override`` runs as that method."""

    def __init__(self, app: WSGIApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]
                 ) -> Iterable[bytes]:
        wanted = str(environ.get("HTTP_X_HTTP_METHOD_OVERRIDE", "")).strip().upper()
        if environ.get("REQUEST_METHOD") == "POST" and wanted in _OVERRIDABLE:
            environ["REQUEST_METHOD"] = wanted
            content_type = str(environ.get("CONTENT_TYPE", "")).split(";")[0].strip().lower()
            if wanted in ("GET", "DELETE") and content_type == _FORM:
                _body_to_query(environ)
        return self.app(environ, start_response)


def _body_to_query(environ: dict[str, Any]) -> None:
    """Append the form body's parameters to the query string; leave no body behind."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    body = environ["wsgi.input"].read(length) if length > 0 else b""
    form = body.decode("latin-1")
    query = str(environ.get("QUERY_STRING", ""))
    environ["QUERY_STRING"] = "&".join(part for part in (query, form) if part)
    environ["wsgi.input"] = io.BytesIO(b"")
    environ["CONTENT_LENGTH"] = "0"
    environ.pop("CONTENT_TYPE", None)
