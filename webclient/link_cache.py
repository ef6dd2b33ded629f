"""Build each of the site's own links once per process, not on every page.

A mailbox page names some thirty links (folders, labels, forms, the style sheet), and
Flask's ``url_for`` walks the URL map for each every time: about a twentieth of a warm
inbox page's server time. A link depends only on the endpoint, its values and where the
site is mounted, so ``CachedLinks.url_for`` keeps what it built and hands it out again.

Only links whose values are all ids, numbers and names are kept: each value's parameter
must be one that names a place (``_PLACE_PARAMETERS``: an account number, a folder, a
Gmail id, a page) and its text must look like one (``_PLACE_VALUE``). A link carrying a
search, an address or a return path (``next=``) is built each time, so no one's words
stay in the process. Links with an anchor, a method, a scheme or a host (``_external``)
are never kept. The store is bounded; when full it starts again.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask, has_request_context, request

#: The parameters a kept link may carry: they name places, never what anyone wrote.
_PLACE_PARAMETERS = frozenset({
    "account", "slug", "label_id", "thread_id", "message_id", "attachment_id", "part",
    "draft", "draft_message", "grant_id", "consent_id", "seq", "page", "mode", "fmt",
    "filename", "expand", "images", "size"})
#: What their values look like: Gmail ids, label ids, slugs, page tokens, file names.
_PLACE_VALUE = re.compile(r"[A-Za-z0-9_.-]{0,128}")
_LIMIT = 4096


def _keepable(values: dict[str, Any]) -> bool:
    for name, value in values.items():
        if name not in _PLACE_PARAMETERS:
            return False
        if value is None or isinstance(value, int):
            continue
        if not isinstance(value, str) or _PLACE_VALUE.fullmatch(value) is None:
            return False
    return True


class CachedLinks(Flask):
    """Flask whose ``url_for`` (the templates' too) reuses links it built before."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._links: dict[tuple[Any, ...], str] = {}

    def url_for(self, endpoint: str, *, _anchor: str | None = None,
                _method: str | None = None, _scheme: str | None = None,
                _external: bool | None = None, **values: Any) -> str:
        """Return ``flask.Flask.url_for``'s link, built once for ids, numbers and names."""
        if (_anchor is not None or _method is not None or _scheme is not None
                or _external or not has_request_context() or not _keepable(values)):
            return super().url_for(endpoint, _anchor=_anchor, _method=_method,
                                   _scheme=_scheme, _external=_external, **values)
        key = (request.script_root, request.blueprint if endpoint.startswith(".") else None,
               endpoint, *sorted(values.items()))
        link = self._links.get(key)
        if link is None:
            link = super().url_for(endpoint, **values)
            if len(self._links) >= _LIMIT:
                self._links.clear()
            self._links[key] = link
        return link
